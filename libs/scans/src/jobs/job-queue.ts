import { Inject, Injectable } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { JOB_CATALOG, QUEUES, type JobName, type JobPayloads } from './catalog.js';
import { SCANS_CONFIG, type ScansConfig } from '../options.js';

/** How a job scheduler repeats: a cron pattern (in a time zone) or a fixed interval. */
export type RepeatSpec = { cron: string; timezone?: string } | { everySeconds: number };

/** Producer side of the job catalog: the one place that talks to BullMQ queues. */
@Injectable()
export class JobQueue {
  constructor(
    @InjectQueue(QUEUES.scans) private readonly scansQueue: Queue,
    @InjectQueue(QUEUES.notifications) private readonly notificationsQueue: Queue,
    @InjectQueue(QUEUES.schedules) private readonly schedulesQueue: Queue,
    @Inject(SCANS_CONFIG) private readonly options: ScansConfig,
  ) {}

  async enqueue<N extends JobName>(name: N, payload: JobPayloads[N], jobId: string): Promise<void> {
    const queue = this.queueFor(name);
    const attempts = name === 'notification.deliver' ? { attempts: this.options.notifyMaxAttempts } : {};
    await queue.add(name, payload, { ...JOB_CATALOG[name].options, ...attempts, jobId });
  }

  /**
   * Creates or replaces the job scheduler of a cluster (keyed by the cluster id, so that a
   * restart or a second call never makes a second one). Its jobs are `cluster.scheduled`.
   */
  async upsertSchedule(clusterId: string, spec: RepeatSpec): Promise<void> {
    const { options } = JOB_CATALOG['cluster.scheduled'];
    await this.schedulesQueue.upsertJobScheduler(
      clusterId,
      'everySeconds' in spec ? { every: spec.everySeconds * 1000 } : { pattern: spec.cron, ...(spec.timezone ? { tz: spec.timezone } : {}) },
      {
        name: 'cluster.scheduled',
        data: { clusterId } satisfies JobPayloads['cluster.scheduled'],
        opts: {
          ...(options.attempts !== undefined ? { attempts: options.attempts } : {}),
          ...(options.backoff !== undefined ? { backoff: options.backoff } : {}),
          ...(options.removeOnComplete !== undefined ? { removeOnComplete: options.removeOnComplete } : {}),
          ...(options.removeOnFail !== undefined ? { removeOnFail: options.removeOnFail } : {}),
        },
      },
    );
  }

  async removeSchedule(clusterId: string): Promise<void> {
    await this.schedulesQueue.removeJobScheduler(clusterId);
  }

  /** When the cluster's scheduler runs next; undefined when it has none. */
  async nextScheduledRun(clusterId: string): Promise<Date | undefined> {
    const scheduler = await this.schedulesQueue.getJobScheduler(clusterId);
    return scheduler?.next ? new Date(scheduler.next) : undefined;
  }

  /** The ids (cluster ids) of every job scheduler in Redis. */
  async scheduledClusterIds(): Promise<string[]> {
    const ids: string[] = [];
    const pageSize = 500;
    for (let start = 0; ; start += pageSize) {
      const page = await this.schedulesQueue.getJobSchedulers(start, start + pageSize - 1, true);
      ids.push(...page.map((scheduler) => scheduler.key));
      if (page.length < pageSize) break;
    }
    return ids;
  }

  /** Waiting, active, delayed and failed counts per queue (for /metrics). */
  async depth(): Promise<Array<{ queue: string; state: string; count: number }>> {
    const rows: Array<{ queue: string; state: string; count: number }> = [];
    for (const queue of [this.scansQueue, this.notificationsQueue, this.schedulesQueue]) {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized', 'waiting-children');
      rows.push(...Object.entries(counts).map(([state, count]) => ({ queue: queue.name, state, count })));
    }
    return rows;
  }

  private queueFor(name: JobName): Queue {
    switch (JOB_CATALOG[name].queue) {
      case QUEUES.scans:
        return this.scansQueue;
      case QUEUES.notifications:
        return this.notificationsQueue;
      case QUEUES.schedules:
        return this.schedulesQueue;
    }
  }
}
