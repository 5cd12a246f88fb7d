import net from 'node:net';
import type { Server } from 'node:http';

/** How long the server still accepts after SIGTERM (readiness already answers 503). */
export const ACCEPT_GRACE_MS = 1000;

/**
 * Stops accepting connections and waits for in-flight requests to finish, until `deadline`
 * (epoch ms); then closes what is left. In order:
 *
 * 1. for ACCEPT_GRACE_MS the listener stays open (readiness already answers 503, so load
 *    balancers stop choosing this process): connections that reached the kernel's accept
 *    queue but were not yet accepted (a busy event loop) are served, not reset; every
 *    response from now on carries `Connection: close`;
 * 2. the listener closes (net.Server's close: `server.close()` would also close at once the
 *    connections whose request has not been read yet), idle connections are closed;
 * 3. the requests in flight finish, until the deadline.
 */
export async function drainHttp(server: Server, deadline: number, graceMs = ACCEPT_GRACE_MS): Promise<void> {
  if (!server.listening) return;
  server.on('request', (_request, response) => {
    if (!response.headersSent) response.setHeader('Connection', 'close');
  });
  await new Promise((resolve) => setTimeout(resolve, Math.min(graceMs, Math.max(0, deadline - Date.now()))));
  const closed = new Promise<void>((resolve) => net.Server.prototype.close.call(server, () => resolve()));
  server.closeIdleConnections();
  const idle = setInterval(() => server.closeIdleConnections(), 100);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    closed,
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
    }),
  ]);
  clearInterval(idle);
  if (timer) clearTimeout(timer);
  server.closeAllConnections();
}
