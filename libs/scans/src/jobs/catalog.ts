// The job catalog: every queue, job name and payload in one place. Producers (the API) and
// the worker both type-check against it, and the worker refuses to start unless it has a
// handler for every job listed here. A payload carries ids only: the row holds the state.
import type { JobsOptions } from 'bullmq';

export const QUEUES = {
  scans: 'scans',
  /** Webhook deliveries: retried with the notification backoff (libs/notify's policy). */
  notifications: 'notifications',
  /** Runs of the clusters' job schedulers (keyed by cluster id). */
  schedules: 'schedules',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export interface JobPayloads {
  /** Run a queued scan. The job id is the scan id, so enqueueing twice queues it once. */
  'scan.run': { scanId: string };
  /** Scan a registered cluster for a queued scan of its target. The job id is the scan id. */
  'cluster.scan': { scanId: string; clusterId: string };
  /** Send one webhook what one scan changed. The job id is `notify-<webhookId>-<scanId>`. */
  'notification.deliver': { webhookId: string; scanId: string };
  /** A scheduled run of a cluster (made by the job scheduler keyed by the cluster id). */
  'cluster.scheduled': { clusterId: string };
}
export type JobName = keyof JobPayloads;

/** Each job's queue, as literal types (so that JobHandlers can pick a queue's jobs). */
interface JobQueues {
  'scan.run': typeof QUEUES.scans;
  'cluster.scan': typeof QUEUES.scans;
  'notification.deliver': typeof QUEUES.notifications;
  'cluster.scheduled': typeof QUEUES.schedules;
}

export const JOB_CATALOG: { readonly [N in JobName]: { queue: JobQueues[N]; options: JobsOptions } } = {
  'scan.run': {
    queue: QUEUES.scans,
    options: {
      attempts: 3,
      backoff: { type: 'exponential', delay: 2000 },
      removeOnComplete: { age: 24 * 3600, count: 1000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  },
  'cluster.scan': {
    queue: QUEUES.scans,
    options: {
      // An unreachable API server may come back: retry, then record why it failed.
      attempts: 3,
      backoff: { type: 'exponential', delay: 5000 },
      removeOnComplete: { age: 24 * 3600, count: 1000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  },
  'notification.deliver': {
    queue: QUEUES.notifications,
    options: {
      // The retry policy is libs/notify's: the worker's custom backoff strategy reads each
      // failed attempt, and JobQueue sets `attempts` to the policy's maxAttempts.
      backoff: { type: 'notification' },
      removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  },
  'cluster.scheduled': {
    queue: QUEUES.schedules,
    options: {
      attempts: 3,
      backoff: { type: 'exponential', delay: 2000 },
      removeOnComplete: { age: 24 * 3600, count: 1000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  },
};

export function jobsOfQueue(queue: QueueName): JobName[] {
  return (Object.keys(JOB_CATALOG) as JobName[]).filter((name) => JOB_CATALOG[name].queue === queue);
}

/** A handler for every job of a queue: what a worker processor must provide. */
export type JobHandlers<Q extends QueueName> = {
  [N in JobName as JobQueues[N] extends Q ? N : never]: (payload: JobPayloads[N], context: JobContext) => Promise<void>;
};

export interface JobContext {
  jobId: string | undefined;
  attempt: number;
  maxAttempts: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Checks a payload read back from Redis before a handler sees it. */
export function parsePayload<N extends JobName>(name: N, data: unknown): JobPayloads[N] {
  switch (name) {
    case 'scan.run': {
      const scanId = (data as { scanId?: unknown } | null)?.scanId;
      if (typeof scanId !== 'string' || !UUID.test(scanId)) throw new Error(`job ${name}: payload needs a scanId uuid`);
      return { scanId } as JobPayloads[N];
    }
    case 'cluster.scan': {
      const { scanId, clusterId } = (data ?? {}) as { scanId?: unknown; clusterId?: unknown };
      if (typeof scanId !== 'string' || !UUID.test(scanId) || typeof clusterId !== 'string' || !UUID.test(clusterId)) {
        throw new Error(`job ${name}: payload needs scanId and clusterId uuids`);
      }
      return { scanId, clusterId } as JobPayloads[N];
    }
    case 'notification.deliver': {
      const { webhookId, scanId } = (data ?? {}) as { webhookId?: unknown; scanId?: unknown };
      if (typeof webhookId !== 'string' || !UUID.test(webhookId) || typeof scanId !== 'string' || !UUID.test(scanId)) {
        throw new Error(`job ${name}: payload needs webhookId and scanId uuids`);
      }
      return { webhookId, scanId } as JobPayloads[N];
    }
    case 'cluster.scheduled': {
      const clusterId = (data as { clusterId?: unknown } | null)?.clusterId;
      if (typeof clusterId !== 'string' || !UUID.test(clusterId)) throw new Error(`job ${name}: payload needs a clusterId uuid`);
      return { clusterId } as JobPayloads[N];
    }
    default:
      throw new Error(`unknown job ${String(name)}`);
  }
}
