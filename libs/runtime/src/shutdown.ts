import type { Logger } from 'pino';

interface Closable {
  close(): Promise<void>;
}

export interface ShutdownSteps {
  /** Runs first and at once: stop being chosen for new work (readiness answers 503). */
  beforeClose?: () => void;
  /**
   * Then: stop accepting, finish what is in flight, hand back what cannot finish by
   * `deadline` (epoch ms). Postgres and Redis are still open while it runs.
   */
  drain?: (deadline: number) => Promise<void>;
}

/** Time kept after the drain for closing Postgres and Redis and flushing logs. */
export const CLOSE_MARGIN_MS = 1500;

/**
 * Graceful shutdown on SIGTERM/SIGINT, in this order: `beforeClose` (readiness turns 503),
 * `drain` (the HTTP server stops accepting and finishes its requests; the worker stops taking
 * jobs, finishes the running ones and hands back those that cannot finish in time), then
 * `app.close()` closes Postgres and Redis. The process exits once that is done, or after
 * `timeoutMs` whatever remains.
 */
export function installShutdown(app: Closable, logger: Logger, timeoutMs: number, steps: ShutdownSteps = {}): void {
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    const started = Date.now();
    logger.info({ signal, timeoutMs }, 'shutting down: no new work, finishing what is in flight');
    steps.beforeClose?.();
    const timer = setTimeout(() => {
      logger.error({ timeoutMs, phase, resources: process.getActiveResourcesInfo() }, 'shutdown timed out: exiting with work still in flight');
      logger.flush();
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    const deadline = started + Math.max(0, timeoutMs - CLOSE_MARGIN_MS);
    let phase = 'draining';
    Promise.resolve()
      .then(() => steps.drain?.(deadline))
      .catch((error: unknown) => logger.error({ err: error }, 'error while draining'))
      .then(() => {
        phase = 'closing Postgres and Redis';
        return app.close();
      })
      .then(() => {
        logger.info({ ms: Date.now() - started }, 'shut down cleanly');
        logger.flush();
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'error while shutting down');
        logger.flush();
        process.exit(1);
      });
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}
