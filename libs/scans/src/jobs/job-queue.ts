import { Injectable } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { JOB_CATALOG, QUEUES, type JobName, type JobPayloads } from './catalog.js';

/** Producer side of the job catalog: the one place that talks to BullMQ queues. */
@Injectable()
export class JobQueue {
  constructor(@InjectQueue(QUEUES.scans) private readonly scansQueue: Queue) {}

  async enqueue<N extends JobName>(name: N, payload: JobPayloads[N], jobId: string): Promise<void> {
    const queue = this.queueFor(name);
    await queue.add(name, payload, { ...JOB_CATALOG[name].options, jobId });
  }

  /** Waiting, active, delayed and failed counts per queue (for /metrics). */
  async depth(): Promise<Array<{ queue: string; state: string; count: number }>> {
    const counts = await this.scansQueue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized', 'waiting-children');
    return Object.entries(counts).map(([state, count]) => ({ queue: this.scansQueue.name, state, count }));
  }

  private queueFor(name: JobName): Queue {
    switch (JOB_CATALOG[name].queue) {
      case QUEUES.scans:
        return this.scansQueue;
    }
  }
}
