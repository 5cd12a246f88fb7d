// The reconciler: Postgres is the source of truth, Redis only carries the work. A scan row
// that is queued or running with no live job in Redis (Redis restarted empty, a POST that
// could not reach Redis, a job that gave up while Postgres was down and could not record it)
// is queued again; deliveries promised by a finished scan that Redis lost are queued again;
// uploaded manifests past their retention are deleted, and so are expired Idempotency-Keys.
// Every step is idempotent (job ids are scan ids; a delivery already made is not sent twice),
// so several workers may run it at once.
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ScanRepository } from '#rollsafe/store';
import { SCANS_CONFIG, type ScansConfig } from '../options.js';
import { NotificationService } from '../webhooks/notification.service.js';
import { IdempotencyService } from '../idempotency.service.js';
import { JobQueue } from './job-queue.js';

/** Job states in which a job will still run (or is running under a lock the stalled check watches). */
const LIVE_STATES = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

/** Finished scans whose notifications the reconciler re-offers: the last hour. */
const NOTIFY_WINDOW_MS = 3600_000;
const BATCH = 500;

export interface ReconcileReport {
  requeued: string[];
  notificationsQueued: number;
  inputsDeleted: number;
  idempotencyKeysPurged: number;
}

@Injectable()
export class ScanReconciler {
  private readonly logger = new Logger(ScanReconciler.name);

  constructor(
    private readonly scans: ScanRepository,
    private readonly jobs: JobQueue,
    private readonly notifications: NotificationService,
    private readonly idempotency: IdempotencyService,
    @Inject(SCANS_CONFIG) private readonly options: ScansConfig,
  ) {}

  /**
   * One pass. `graceMs`: a scan younger than this is left alone (its POST may still be
   * queueing it); the reconcile interval by default.
   */
  async reconcile(now = new Date(), graceMs = this.options.reconcileIntervalMs): Promise<ReconcileReport> {
    const requeued: string[] = [];
    for (const scan of await this.scans.unfinishedBefore(new Date(now.getTime() - graceMs), BATCH)) {
      const name = scan.clusterId ? ('cluster.scan' as const) : ('scan.run' as const);
      const state = await this.jobs.jobState(name, scan.id);
      if (LIVE_STATES.has(state)) continue;
      // Missing, or finished in Redis while the row says otherwise (its end was never
      // recorded): run it again; the pipeline writes a result once.
      await this.jobs.removeFinished(name, scan.id);
      if (name === 'cluster.scan') await this.jobs.enqueue(name, { scanId: scan.id, clusterId: scan.clusterId as string }, scan.id);
      else await this.jobs.enqueue(name, { scanId: scan.id }, scan.id);
      requeued.push(scan.id);
      this.logger.warn({ msg: 'scan had no live job: queued again', scanId: scan.id, status: scan.status, jobState: state });
    }
    let notificationsQueued = 0;
    for (const scanId of await this.scans.succeededSince(new Date(now.getTime() - NOTIFY_WINDOW_MS), BATCH * 4)) {
      notificationsQueued += await this.notifications.reoffer(scanId);
    }
    if (notificationsQueued > 0) this.logger.warn({ msg: 'promised notifications had no job: queued again', count: notificationsQueued });
    const retentionMs = this.options.uploadRetentionDays * 24 * 3600_000;
    const inputsDeleted = await this.scans.deleteInputsFinishedBefore(new Date(now.getTime() - retentionMs));
    if (inputsDeleted > 0)
      this.logger.log({ msg: 'uploaded manifests past their retention deleted', count: inputsDeleted, days: this.options.uploadRetentionDays });
    const idempotencyKeysPurged = await this.idempotency.purgeExpired(now);
    return { requeued, notificationsQueued, inputsDeleted, idempotencyKeysPurged };
  }
}
