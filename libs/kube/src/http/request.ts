import https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { ClusterConnection } from './connection.js';
import { KubeError } from '../errors.js';
import { RequestTimeout } from './network-error.js';

/**
 * The largest answer read from an API server (one page of a list: the collector asks for
 * pages of 500). Past it the request is cut off and fails: a server streaming without end
 * costs this much memory at most, and the whole exchange is bounded in time by the timeout.
 */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

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
export function sendRequest(connection: ClusterConnection, request: ApiRequest, maxBytes = MAX_RESPONSE_BYTES): Promise<ApiResponse> {
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
    let refused: KubeError | undefined;
    const fail = (error: Error): void => {
      clearTimeout(timer);
      reject(refused ?? error);
    };
    req.on('error', fail);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const declared = Number(res.headers['content-length'] ?? NaN);
      if (Number.isFinite(declared) && declared > maxBytes) {
        refused = tooLarge(connection, request, maxBytes);
        req.destroy(refused);
        return;
      }
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          chunks.length = 0;
          refused ??= tooLarge(connection, request, maxBytes);
          req.destroy(refused);
          return;
        }
        chunks.push(chunk);
      });
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

function tooLarge(connection: ClusterConnection, request: ApiRequest, maxBytes: number): KubeError {
  return new KubeError('CLUSTER_ERROR', `${connection.server}: the answer to ${request.method} ${request.path} is over ${maxBytes} bytes: refused`, {
    limit: maxBytes,
  });
}
