import { Injectable, Logger } from '@nestjs/common';
import { ScanRepository, WebhookRepository } from '#rollsafe/store';
import { JobQueue } from '../jobs/job-queue.js';

export function notificationJobId(webhookId: string, scanId: string): string {
  return `notify-${webhookId}-${scanId}`;
}

/**
 * Use case: chat notifications of what a scan changed. After a scan writes its finding states
 * it queues one `notification.deliver` job per matching webhook (ids only); the job's handler
 * prepares the change set from the states (new: first reported by this scan; resolved: found
 * gone by this scan), sends it with libs/notify (in the worker) and records every attempt.
 */
@Injectable()
export class NotificationService {
  private readonly logger = new Logger(NotificationService.name);

  constructor(
    private readonly scans: ScanRepository,
    private readonly webhookRows: WebhookRepository,
    private readonly jobs: JobQueue,
  ) {}

  /**
   * Queues a delivery per webhook that hears about this scan (its cluster in the webhook's
   * clusterIds, or no filter). Safe to call again: the job id is webhook + scan.
   */
  async afterScan(scanId: string): Promise<number> {
    const scan = await this.scans.findWithContext(scanId);
    if (!scan || scan.status !== 'succeeded') return 0;
    const webhookIds = await this.webhookRows.matching(scan.organizationId, scan.target.cluster?.id);
    let queued = 0;
    for (const webhookId of webhookIds) {
      try {
        await this.jobs.enqueue('notification.deliver', { webhookId, scanId }, notificationJobId(webhookId, scanId));
        queued += 1;
      } catch (error) {
        this.logger.error({ msg: 'could not queue a notification', webhookId, scanId, error: String(error) });
      }
    }
    if (queued > 0) this.logger.log({ msg: 'notifications queued', scanId, webhooks: queued });
    return queued;
  }

  /**
   * The reconciler's side: queues again the deliveries of a finished scan that have no final
   * outcome in the log and no job in Redis (lost with a Redis that restarted empty). Returns
   * how many it queued.
   */
  async reoffer(scanId: string): Promise<number> {
    const scan = await this.scans.findWithContext(scanId);
    if (!scan || scan.status !== 'succeeded') return 0;
    let queued = 0;
    for (const webhookId of await this.webhookRows.matching(scan.organizationId, scan.target.cluster?.id)) {
      if (await this.webhookRows.deliveryFinished(webhookId, scanId)) continue;
      const jobId = notificationJobId(webhookId, scanId);
      if ((await this.jobs.jobState('notification.deliver', jobId)) !== 'missing') continue;
      await this.jobs.enqueue('notification.deliver', { webhookId, scanId }, jobId);
      queued += 1;
    }
    return queued;
  }
}
