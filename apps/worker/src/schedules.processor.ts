import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job, WorkerOptions } from 'bullmq';
import { assertHandlesAll, dispatch, QUEUES, ScanJobs, ScheduleService, type JobHandlers } from '#rollsafe/scans';
import { InFlight } from './in-flight.js';

/**
 * Processes the `schedules` queue: each run of a cluster's job scheduler queues a scan (or
 * records a skipped one). At start-up it reconciles the job schedulers in Redis with the
 * schedule rows in Postgres, the source of truth: missing ones are upserted (keyed by cluster
 * id, so nothing is ever duplicated) and orphans removed.
 */
@Injectable()
export class SchedulesProcessor extends WorkerHost implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger('SchedulesProcessor');

  constructor(
    private readonly jobs: ScanJobs,
    private readonly schedules: ScheduleService,
    private readonly inFlight: InFlight,
  ) {
    super();
  }

  protected handlers(): JobHandlers<typeof QUEUES.schedules> {
    return this.jobs.scheduleHandlers();
  }

  onModuleInit(): void {
    assertHandlesAll(QUEUES.schedules, this.handlers());
  }

  async onApplicationBootstrap(): Promise<void> {
    const { installed, removed } = await this.schedules.reconcile();
    this.logger.log({ msg: 'job schedulers reconciled with the schedule rows', installed, removed });
  }

  async process(job: Job, token?: string): Promise<void> {
    await this.inFlight.run(job, token, () => dispatch(this.handlers(), job));
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, error: Error): void {
    if (job) this.logger.warn({ msg: 'scheduled run failed', job: job.name, jobId: job.id, attempt: job.attemptsMade, error: error.message });
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.logger.error({ msg: 'worker error', error: error.message });
  }
}

export function configuredSchedulesProcessor(options: Partial<WorkerOptions>): typeof SchedulesProcessor {
  @Processor(QUEUES.schedules, options)
  class ConfiguredSchedulesProcessor extends SchedulesProcessor {}
  return ConfiguredSchedulesProcessor;
}
