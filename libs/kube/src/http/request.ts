import https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { ClusterConnection } from './connection.js';
import { RequestTimeout } from './network-error.js';

export interface ApiRequest {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
}

export interface ApiResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export function pathWithQuery(path: string, query: ApiRequest['query']): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) search.set(key, value);
  const text = search.toString();
  return text ? `${path}?${text}` : path;
}

/**
 * One HTTPS request to the API server over the connection's pinned agent. Resolves with any
 * status; rejects on network errors and on RequestTimeout (the whole exchange, body included).
 */
export function sendRequest(connection: ClusterConnection, request: ApiRequest): Promise<ApiResponse> {
  const payload = request.body === undefined ? undefined : Buffer.from(JSON.stringify(request.body));
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: connection.hostname,
      port: connection.port,
      method: request.method,
      path: connection.basePath + pathWithQuery(request.path, request.query),
      agent: connection.agent,
      headers: payload ? { ...connection.headers, 'content-type': 'application/json', 'content-length': String(payload.length) } : connection.headers,
    });
    const timer = setTimeout(() => req.destroy(new RequestTimeout(connection.timeoutMs)), connection.timeoutMs);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      reject(error);
    };
    req.on('error', fail);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', fail);
      res.on('aborted', () => fail(new Error('response aborted')));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks) });
      });
    });
    req.end(payload);
  });
}
