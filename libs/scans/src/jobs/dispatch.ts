// How a worker runs a job of the catalog: shared by apps/worker's processors and the tests'
// workers, so that both check payloads and refuse unknown jobs the same way.
import { UnrecoverableError, type Job } from 'bullmq';
import { JOB_CATALOG, jobsOfQueue, parsePayload, type JobContext, type JobName, type QueueName } from './catalog.js';

type AnyHandler = (payload: unknown, context: JobContext) => Promise<void>;

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

/** Runs a job's handler with its payload checked; unknown jobs and bad payloads are not retried. */
export async function dispatch(handlers: object, job: Job): Promise<void> {
  const handler = (handlers as Record<string, AnyHandler | undefined>)[job.name];
  if (!handler || !(job.name in JOB_CATALOG)) throw new UnrecoverableError(`no handler for job ${job.name}`);
  let payload;
  try {
    payload = parsePayload(job.name as JobName, job.data);
  } catch (error) {
    throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
  }
  await handler(payload, { jobId: job.id, attempt: job.attemptsMade + 1, maxAttempts: job.opts.attempts ?? 1 });
}
