import { jobsOfQueue, type QueueName } from '#rollsafe/scans';

/**
 * Refuses to start a worker that lacks a handler for a job of its queue's catalog (the
 * types already require one; this also catches handler maps assembled at run time).
 */
export function assertHandlesAll(queue: QueueName, handlers: object): void {
  const missing = jobsOfQueue(queue).filter((name) => typeof (handlers as Record<string, unknown>)[name] !== 'function');
  if (missing.length > 0) {
    throw new Error(`worker cannot handle job(s) ${missing.join(', ')} of queue "${queue}": refusing to start`);
  }
}
