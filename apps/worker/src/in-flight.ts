// The jobs this worker process is running, so that an outage does not use up a job's
// attempts and a shutdown can hand back the jobs it cannot finish in time.
import { Injectable, Logger } from '@nestjs/common';
import { DelayedError, type Job } from 'bullmq';
import { isOutage } from '#rollsafe/runtime';

/** How long a job that met an outage of Postgres or Redis waits before it runs again. */
export const OUTAGE_DELAY_MS = 2000;

@Injectable()
export class InFlight {
  private readonly logger = new Logger('InFlight');
  private readonly jobs = new Map<Job, string | undefined>();

  get size(): number {
    return this.jobs.size;
  }

  /**
   * Runs a job's work. An outage (Postgres or Redis unreachable) does not count as an attempt:
   * the job goes back to the delayed set and runs again when the outage is likely over, as
   * many times as it takes. Anything else fails the attempt as usual.
   */
  async run(job: Job, token: string | undefined, work: () => Promise<void>): Promise<void> {
    this.jobs.set(job, token);
    try {
      await work();
    } catch (error) {
      if (!isOutage(error) || token === undefined) throw error;
      try {
        await job.moveToDelayed(Date.now() + OUTAGE_DELAY_MS, token);
      } catch {
        throw error; // Redis is down too: the lock lapses and the stalled check reruns it
      }
      this.logger.warn({ msg: 'job met an outage: it runs again shortly (not counted as an attempt)', job: job.name, jobId: job.id, error: String(error) });
      throw new DelayedError();
    } finally {
      this.jobs.delete(job);
    }
  }

  /** Shutdown: puts the jobs still running back in the wait list, for another worker. */
  async handBack(): Promise<number> {
    let handed = 0;
    for (const [job, token] of this.jobs) {
      try {
        await job.moveToWait(token);
        handed += 1;
        this.logger.warn({ msg: 'shutdown: job handed back to the queue', job: job.name, jobId: job.id });
      } catch (error) {
        this.logger.error({ msg: 'shutdown: could not hand a job back (it reruns once its lock lapses)', jobId: job.id, error: String(error) });
      }
    }
    return handed;
  }
}
