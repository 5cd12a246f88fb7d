import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { UnrecoverableError, type Job, type WorkerOptions } from 'bullmq';
import { assertHandlesAll, dispatch, JOB_CATALOG, QUEUES, ScanJobs, type JobHandlers, type JobName } from '#rollsafe/scans';
import { InFlight } from './in-flight.js';

/**
 * Processes the `scans` queue. Each job name of the catalog maps to a handler (libs/scans'
 * ScanJobs); a job carries ids only and the handler reads everything else from the rows.
 */
@Injectable()
export class ScansProcessor extends WorkerHost implements OnModuleInit {
  private readonly logger = new Logger('ScansProcessor');

  constructor(
    private readonly jobs: ScanJobs,
    private readonly inFlight: InFlight,
  ) {
    super();
  }

  protected handlers(): JobHandlers<typeof QUEUES.scans> {
    return this.jobs.handlers();
  }

  onModuleInit(): void {
    assertHandlesAll(QUEUES.scans, this.handlers());
  }

  async process(job: Job, token?: string): Promise<void> {
    await this.inFlight.run(job, token, () => dispatch(this.handlers(), job));
  }

  /**
   * Never throws (a rejection here would be unhandled and stop the process): when the scan's
   * failure cannot be recorded (Postgres down), the row stays queued or running and the
   * reconciler runs it again later.
   */
  @OnWorkerEvent('failed')
  async onFailed(job: Job | undefined, error: Error): Promise<void> {
    try {
      await this.recordFailure(job, error);
    } catch (recordError) {
      this.logger.error({ msg: 'could not record a failed job: the reconciler will run its scan again', jobId: job?.id, error: String(recordError) });
    }
  }

  private async recordFailure(job: Job | undefined, error: Error): Promise<void> {
    if (!job) return;
    const exhausted = error instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
    this.logger.warn({
      msg: exhausted ? 'job failed for good' : 'job failed: will retry',
      job: job.name,
      jobId: job.id,
      attempt: job.attemptsMade,
      error: error.message,
    });
    if (exhausted && job.name in JOB_CATALOG) {
      await this.jobs.giveUp(job.name as JobName, job.data, `scan failed after ${job.attemptsMade} attempt(s): ${error.message}`);
    }
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.logger.error({ msg: 'worker error', error: error.message });
  }

  @OnWorkerEvent('stalled')
  onStalled(jobId: string): void {
    this.logger.warn({ msg: 'job stalled (its worker died or hung): it will run again', jobId });
  }
}

/** The processor bound to its queue with this process's worker options (concurrency, locks). */
export function configuredScansProcessor(options: Partial<WorkerOptions>): typeof ScansProcessor {
  @Processor(QUEUES.scans, options)
  class ConfiguredScansProcessor extends ScansProcessor {}
  return ConfiguredScansProcessor;
}
