import type { Logger } from 'pino';

interface Closable {
  close(): Promise<void>;
}

/**
 * Graceful shutdown on SIGTERM/SIGINT: `beforeClose` stops new work (e.g. readiness turns
 * 503), then `app.close()` lets in-flight work finish (HTTP requests, running jobs). The
 * process exits once that is done, or after `timeoutMs` whatever remains.
 */
export function installShutdown(app: Closable, logger: Logger, timeoutMs: number, beforeClose?: () => void): void {
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal, timeoutMs }, 'shutting down: no new work, finishing what is in flight');
    beforeClose?.();
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown timed out: exiting with work still in flight');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    app
      .close()
      .then(() => {
        logger.info('shut down cleanly');
        logger.flush();
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'error while shutting down');
        process.exit(1);
      });
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}
