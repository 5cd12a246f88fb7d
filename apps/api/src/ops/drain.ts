import net, { type Socket } from 'node:net';
import type { Server } from 'node:http';

/** The listener stays open until no connection arrived for this long... */
export const QUIET_MS = 300;
/** ...and at least this long after SIGTERM, and at most MAX_ACCEPT_MS. */
export const MIN_ACCEPT_MS = 1000;
export const MAX_ACCEPT_MS = 3000;

interface SocketState {
  busy: boolean;
  served: number;
}

/** What drainHttp needs to know about the server's connections: installed right after listen. */
export interface ConnectionTracker {
  sockets: Map<Socket, SocketState>;
  lastConnectionAt: number;
  /** Set by drainHttp: every response from then on carries `Connection: close`. */
  draining: boolean;
}

export function trackConnections(server: Server): ConnectionTracker {
  const tracker: ConnectionTracker = { sockets: new Map(), lastConnectionAt: 0, draining: false };
  server.on('connection', (socket: Socket) => {
    tracker.lastConnectionAt = Date.now();
    tracker.sockets.set(socket, { busy: false, served: 0 });
    socket.once('close', () => tracker.sockets.delete(socket));
  });
  // Before the app's own handler, which may answer at once.
  server.prependListener('request', (request, response) => {
    if (tracker.draining) response.setHeader('Connection', 'close');
    const state = tracker.sockets.get(request.socket);
    if (!state) return;
    state.busy = true;
    response.once('close', () => {
      state.busy = false;
      state.served += 1;
    });
  });
  return tracker;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/**
 * Stops accepting connections and waits for in-flight requests to finish, until `deadline`
 * (epoch ms); then closes what is left. In order:
 *
 * 1. the listener stays open (readiness already answers 503, so load balancers stop choosing
 *    this process) until no connection arrived for QUIET_MS (between MIN_ACCEPT_MS and
 *    MAX_ACCEPT_MS): a connection in the kernel's accept queue is served, not reset; every
 *    response from now on carries `Connection: close`;
 * 2. the listener closes (net.Server's close: `server.close()` would also close at once every
 *    connection whose request has not been read yet, and reset it);
 * 3. keep-alive connections that served a request and carry none are closed; a connection
 *    that has not sent its request yet gets its answer with `Connection: close`; requests in
 *    flight finish; at the deadline whatever is left is closed.
 */
export async function drainHttp(server: Server, tracker: ConnectionTracker, deadline: number): Promise<void> {
  if (!server.listening) return;
  tracker.draining = true;
  const started = Date.now();
  const acceptUntil = Math.min(deadline, started + MAX_ACCEPT_MS);
  await sleep(Math.min(MIN_ACCEPT_MS, acceptUntil - Date.now()));
  while (Date.now() < acceptUntil && Date.now() - tracker.lastConnectionAt < QUIET_MS) await sleep(50);
  const closed = new Promise<void>((resolve) => net.Server.prototype.close.call(server, () => resolve()));
  const closeIdle = () => {
    for (const [socket, state] of tracker.sockets) if (!state.busy && state.served > 0) socket.destroy();
  };
  closeIdle();
  const idle = setInterval(closeIdle, 100);
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
