import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the receiver saw it. */
export interface Received {
  method: string;
  /** Path and query, as sent. */
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  /** The raw body bytes. */
  body: Buffer;
  json: unknown;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface Receiver {
  /** http://127.0.0.1:<port><path> */
  url: (path?: string) => string;
  port: number;
  requests: Received[];
  /** Replies used in order; when they run out, `fallback` answers. */
  reply: (...replies: Reply[]) => void;
  close: () => Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1 and a random port, standing in for a chat platform. Each test
 * starts one and closes it; `check` may inspect a request and return a reply that overrides the
 * queue (for example a 401 when a signature does not verify).
 */
export async function startReceiver(fallback: Reply, check?: (request: Received) => Reply | undefined): Promise<Receiver> {
  const requests: Received[] = [];
  const queue: Reply[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      let json: unknown;
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch {
        json = undefined;
      }
      const path = req.url ?? '/';
      const received: Received = { method: req.method ?? '', path, query: new URL(path, 'http://x').searchParams, headers: req.headers, body, json };
      requests.push(received);
      const reply = check?.(received) ?? queue.shift() ?? fallback;
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (path = '/') => `http://127.0.0.1:${port}${path}`,
    port,
    requests,
    reply: (...replies) => queue.push(...replies),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
