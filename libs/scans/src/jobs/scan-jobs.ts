import { Injectable } from '@nestjs/common';
import { ScanPipeline } from '../pipeline/scan-pipeline.js';
import { ScheduleService } from '../schedules/schedule.service.js';
import { QUEUES, type JobHandlers, type JobName } from './catalog.js';

/**
 * The handlers of the `scans` queue, one per job of the catalog: what the worker's processor
 * runs (and what tests run, so that they exercise the same dispatch). Each is safe to re-run.
 */
@Injectable()
export class ScanJobs {
  constructor(
    private readonly pipeline: ScanPipeline,
    private readonly schedules: ScheduleService,
  ) {}

  /** The handlers of the `schedules` queue: a scheduler's run, keyed by its job id. */
  scheduleHandlers(): JobHandlers<typeof QUEUES.schedules> {
    return {
      'cluster.scheduled': async ({ clusterId }, context) => {
        await this.schedules.runScheduled(clusterId, context.jobId ?? `run-${clusterId}-${Date.now()}`);
      },
    };
  }

  handlers(): JobHandlers<typeof QUEUES.scans> {
    return {
      'scan.run': async ({ scanId }, context) => {
        await this.pipeline.run(scanId, context);
      },
      'cluster.scan': async ({ scanId, clusterId }, context) => {
        await this.pipeline.run(scanId, context, clusterId);
      },
    };
  }

  /** A job used up its attempts: its scan keeps the last error. */
  async giveUp(name: JobName, data: unknown, message: string): Promise<void> {
    const scanId = (data as { scanId?: unknown } | null)?.scanId;
    if ((name === 'scan.run' || name === 'cluster.scan') && typeof scanId === 'string') await this.pipeline.giveUp(scanId, message);
  }
}
