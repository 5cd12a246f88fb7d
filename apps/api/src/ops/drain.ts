import type { Server } from 'node:http';

/**
 * Stops accepting connections and waits for in-flight requests to finish (Node closes idle
 * keep-alive connections; a connection with a request in flight closes after its response),
 * until `deadline` (epoch ms); then closes what is left.
 */
export async function drainHttp(server: Server, deadline: number): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const idle = setInterval(() => server.closeIdleConnections(), 250);
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
