import { Injectable, Logger } from '@nestjs/common';
import { FindingRepository, ScanRepository, WebhookRepository, type DeliveryResult, type Finding } from '#rollsafe/store';
import { CredentialsError } from '../clusters/credential-cipher.js';
import { JobQueue } from '../jobs/job-queue.js';
import { WebhookService } from './webhook.service.js';
import type { AttemptRecord, OpenWebhook, SeverityName } from './webhook-transport.js';

/** A finding as a notification shows it (libs/notify's NotifiedFinding). */
export interface ChangedFinding {
  ruleId: string;
  severity: SeverityName;
  resource: { kind: string; namespace: string; name: string };
  container?: string;
  message: string;
  docs: string;
  fingerprint: string;
}

/** What one scan changed (libs/notify's ChangeSet). */
export interface ScanChanges {
  organization: { id: string; name: string };
  cluster?: { id: string; name: string };
  scan: { id: string; finishedAt: string };
  new: ChangedFinding[];
  resolved: ChangedFinding[];
}

export type PreparedDelivery =
  { ready: true; organizationId: string; webhookId: string; scanId: string; webhook: OpenWebhook; changes: ScanChanges } | { ready: false; reason: string };

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
    private readonly findingRows: FindingRepository,
    private readonly webhookRows: WebhookRepository,
    private readonly webhooks: WebhookService,
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

  /** Everything one delivery attempt needs, or why there is nothing to send. */
  async prepare(webhookId: string, scanId: string): Promise<PreparedDelivery> {
    let opened;
    try {
      opened = await this.webhooks.openForDelivery(webhookId);
    } catch (error) {
      if (error instanceof CredentialsError) return { ready: false, reason: error.message };
      throw error;
    }
    if (!opened) return { ready: false, reason: 'the webhook was deleted' };
    const scan = await this.scans.findWithContext(scanId);
    if (!scan || scan.organizationId !== opened.row.organizationId) return { ready: false, reason: 'the scan is gone' };
    if (scan.status !== 'succeeded') return { ready: false, reason: `the scan is ${scan.status}` };
    const changes = await this.scans.changesOf(scanId);
    return {
      ready: true,
      organizationId: scan.organizationId,
      webhookId,
      scanId,
      webhook: opened.webhook,
      changes: {
        organization: scan.organization,
        ...(scan.target.cluster ? { cluster: scan.target.cluster } : {}),
        scan: { id: scan.id, finishedAt: (scan.finishedAt ?? scan.createdAt).toISOString() },
        new: [...changes.opened, ...changes.reopened].sort((a, b) => a.seq - b.seq).map(changed),
        resolved: changes.resolved.map(changed),
      },
    };
  }

  /** Logs one attempt (never the URL or the secret: the attempt record holds neither). */
  async record(
    delivery: { organizationId: string; webhookId: string; scanId: string },
    attempt: number,
    record: AttemptRecord,
    result: DeliveryResult,
  ): Promise<void> {
    await this.webhookRows.recordDelivery({
      organizationId: delivery.organizationId,
      webhookId: delivery.webhookId,
      scanId: delivery.scanId,
      event: 'scan.changes',
      attempt,
      result,
      ...(record.status !== undefined ? { httpStatus: record.status } : {}),
      ...(record.code !== undefined ? { code: String(record.code) } : {}),
      ...(record.error ? { error: record.error } : {}),
      durationMs: record.durationMs,
      at: new Date(),
    });
  }
}

function changed(finding: Finding): ChangedFinding {
  return {
    ruleId: finding.ruleId,
    severity: finding.severity,
    resource: { kind: finding.kind, namespace: finding.namespace, name: finding.name },
    ...(finding.container ? { container: finding.container } : {}),
    message: finding.message,
    docs: finding.docs,
    fingerprint: finding.fingerprint,
  };
}
