// Telling an outage of Postgres or Redis from a bug: an outage is answered 503 with
// Retry-After by the API and retried later by the worker (without using up the job's
// attempts); anything else keeps its own handling.

/** Seconds a client is asked to wait after a 503 caused by an outage. */
export const OUTAGE_RETRY_AFTER_SECONDS = 5;

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

// Prisma: P1001 can't reach, P1002 timed out, P1008 operation timed out, P1017 server closed
// the connection, P2024 pool timeout, P2028 transaction API error (an expired transaction).
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028']);

const MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /can't reach database server/i,
  /server has closed the connection/i,
  /connection is closed/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  /terminating connection due to administrator command/i,
  /stream isn't writeable and enableOfflineQueue options is false/i,
  /connection (was )?closed/i,
  /ECONNREFUSED|ECONNRESET/,
  /Transaction already closed/i,
  /Unable to start a transaction in the given time/i,
  /redis (is )?unavailable/i,
];

/** An error whose cause is an unreachable or restarting Postgres or Redis. */
export function isOutage(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== null && current !== undefined && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    if (current instanceof OutageError) return true;
    const candidate = current as { code?: unknown; message?: unknown; cause?: unknown; name?: unknown; originalCode?: unknown; kind?: unknown };
    const code = typeof candidate.code === 'string' ? candidate.code : typeof candidate.originalCode === 'string' ? candidate.originalCode : undefined;
    if (code !== undefined) {
      if (NETWORK_CODES.has(code) || PRISMA_CODES.has(code)) return true;
      // SQLSTATE 08xxx: connection exceptions; 57P01-57P03: shut down or cannot connect now.
      if (/^08[0-9A-Z]{3}$/.test(code) || /^57P0[123]$/.test(code)) return true;
    }
    if (candidate.kind === 'DatabaseNotReachable' || candidate.kind === 'ConnectionClosed' || candidate.kind === 'SocketTimeout') return true;
    if (typeof candidate.message === 'string' && MESSAGES.some((pattern) => pattern.test(candidate.message as string))) return true;
    current = candidate.cause;
  }
  return false;
}

/** An error raised when an operation on Postgres or Redis did not answer in time. */
export class OutageError extends Error {
  constructor(
    readonly service: 'postgres' | 'redis',
    message: string,
  ) {
    super(message);
    this.name = 'OutageError';
  }
}

/**
 * Races a promise against a deadline; past it, rejects with an OutageError naming the
 * service. The late promise's rejection is swallowed (its outcome no longer matters).
 */
export async function withDeadline<T>(promise: Promise<T>, ms: number, service: 'postgres' | 'redis', what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  promise.catch(() => undefined);
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new OutageError(service, `${service} did not answer within ${ms} ms (${what})`)), ms);
      }),
    ]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/**
 * Runs `operation` again while it fails for an outage (isOutage), `pauseMs` apart, for up to
 * `waitMs`; then, or on any other error, throws what it threw. For a write that must follow
 * something already done outside (a webhook sent): failing the job would do that again.
 */
export async function retryThroughOutage<T>(
  operation: () => Promise<T>,
  { waitMs, pauseMs = 1000, onRetry }: { waitMs: number; pauseMs?: number; onRetry?: (error: unknown) => void },
): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return await operation();
    } catch (error) {
      if (!isOutage(error) || Date.now() + pauseMs > deadline) throw error;
      onRetry?.(error);
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }
}
