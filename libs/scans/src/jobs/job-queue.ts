import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { JOB_CATALOG, QUEUES, type JobName, type JobPayloads } from './catalog.js';
import { OutageError, withDeadline } from '#rollsafe/runtime';
import { SCANS_CONFIG, type ScansConfig } from '../options.js';

/** The longest a producer waits on Redis to queue a job (then OutageError: the caller decides). */
export const ENQUEUE_DEADLINE_MS = 2000;

/** How a job scheduler repeats: a cron pattern (in a time zone) or a fixed interval. */
export type RepeatSpec = { cron: string; timezone?: string } | { everySeconds: number };

/** Producer side of the job catalog: the one place that talks to BullMQ queues. */
@Injectable()
export class JobQueue {
  private readonly logger = new Logger(JobQueue.name);
  private lastErrorLog = 0;

  constructor(
    @InjectQueue(QUEUES.scans) private readonly scansQueue: Queue,
    @InjectQueue(QUEUES.notifications) private readonly notificationsQueue: Queue,
    @InjectQueue(QUEUES.schedules) private readonly schedulesQueue: Queue,
    @Inject(SCANS_CONFIG) private readonly options: ScansConfig,
  ) {
    // While Redis is down each connection reports every reconnect attempt: one line per 10 s.
    for (const queue of [scansQueue, notificationsQueue, schedulesQueue]) {
      queue.on('error', (error: Error) => {
        if (Date.now() - this.lastErrorLog < 10_000) return;
        this.lastErrorLog = Date.now();
        this.logger.warn({ msg: 'queue connection error (Redis unreachable?): retrying', queue: queue.name, error: error.message });
      });
    }
  }

  /**
   * Queues a job (idempotent: the job id decides). Waits at most ENQUEUE_DEADLINE_MS on Redis;
   * a job whose add is still pending past it may yet be queued when Redis answers, which is
   * harmless for the same reason. A connection already known to be down (Redis went away after
   * it connected) fails at once: the add would only sit in its offline queue until the deadline.
   */
  async enqueue<N extends JobName>(name: N, payload: JobPayloads[N], jobId: string): Promise<void> {
    const queue = this.queueFor(name);
    const client = await withDeadline(queue.getBackend().client, ENQUEUE_DEADLINE_MS, 'redis', `queue ${name}`);
    if (client.status !== 'ready') throw new OutageError('redis', `redis is not connected (${client.status}): queue ${name}`);
    const attempts = name === 'notification.deliver' ? { attempts: this.options.notifyMaxAttempts } : {};
    await withDeadline(queue.add(name, payload, { ...JOB_CATALOG[name].options, ...attempts, jobId }), ENQUEUE_DEADLINE_MS, 'redis', `queue ${name}`);
  }

  /**
   * Where a job stands in Redis: its state, or `missing` when Redis has no job by that id
   * (never queued, removed, or lost with a Redis that restarted empty).
   */
  async jobState(name: JobName, jobId: string): Promise<string> {
    const job = await this.queueFor(name).getJob(jobId);
    if (!job) return 'missing';
    return job.getState();
  }

  /** Removes a finished (completed or failed) job so that its id can be queued again. */
  async removeFinished(name: JobName, jobId: string): Promise<void> {
    const job = await this.queueFor(name).getJob(jobId);
    if (!job) return;
    const state = await job.getState();
    if (state === 'completed' || state === 'failed') await job.remove();
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
