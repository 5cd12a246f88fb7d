import { DEFAULT_DOCS_BASE_URL } from '#rollsafe/advisor';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  buildRequest,
  buildTestRequest,
  deliver,
  nextRetry,
  type ChangeSet,
  type NotifiedService,
  type DeliveryAttempt,
  type OutgoingRequest,
  type RetryPolicy,
  type WebhookTarget,
} from '#rollsafe/notify';
import { OrganizationRepository, ScanRepository, WebhookRepository, type DeliveryResult, type Finding } from '#rollsafe/store';
import { retryThroughOutage } from '#rollsafe/runtime';
import { CredentialsError } from '../clusters/credential-cipher.js';
import type { DeliveryView } from '../contracts/index.js';
import { SCANS_CONFIG, retryPolicyOf, type ScansConfig } from '../options.js';
import { toDeliveryView } from '../views.js';
import { WebhookService } from './webhook.service.js';
import { webhookAddressResolver } from './webhook-address.js';

/** What the queue does after one attempt of a `notification.deliver` job. */
export type DeliveryDecision =
  | { outcome: 'delivered' }
  | { outcome: 'nothing-to-send'; reason: string }
  | { outcome: 'retry'; attempt: DeliveryAttempt }
  | { outcome: 'gave-up'; error: string };

/** The delivery log's result and the queue's next step for one attempt: pure. */
export function decideAfterAttempt(
  attemptNumber: number,
  attempt: DeliveryAttempt,
  policy: RetryPolicy,
): { result: DeliveryResult; decision: DeliveryDecision } {
  if (attempt.ok) return { result: 'delivered', decision: { outcome: 'delivered' } };
  const retry = nextRetry(attemptNumber, attempt, policy);
  if (retry.retry) return { result: 'retrying', decision: { outcome: 'retry', attempt } };
  return { result: 'gave_up', decision: { outcome: 'gave-up', error: `${attempt.error ?? 'delivery failed'} (${retry.reason})` } };
}

/** How long a sent delivery's record waits for Postgres before the job fails (and sends again). */
const RECORD_OUTAGE_WAIT_MS = 60_000;
/** The pause between two tries of that record. */
const RECORD_RETRY_PAUSE_MS = 1000;

/**
 * Use case: send a webhook what a scan changed, or its test message, by one path: open the
 * sealed webhook, build the platform's native request (afresh per attempt: signatures carry a
 * timestamp), deliver it under the outbound policy, log the attempt, and decide the retry
 * with the configured policy (`retryPolicyOf`: the one place the attempt limit comes from).
 */
@Injectable()
export class NotificationDelivery {
  private readonly logger = new Logger(NotificationDelivery.name);
  private readonly resolveTarget: (host: string) => Promise<{ address: string; family: 4 | 6 }>;
  readonly policy: RetryPolicy;

  constructor(
    private readonly scans: ScanRepository,
    private readonly webhookRows: WebhookRepository,
    private readonly organizations: OrganizationRepository,
    private readonly webhooks: WebhookService,
    @Inject(SCANS_CONFIG) private readonly options: ScansConfig,
  ) {
    this.resolveTarget = webhookAddressResolver(options.outboundAllow ?? []);
    this.policy = retryPolicyOf(options);
  }

  /** One attempt (1 for the first) of telling a webhook what a scan changed. */
  async deliverChanges({ webhookId, scanId }: { webhookId: string; scanId: string }, attemptNumber: number): Promise<DeliveryDecision> {
    if (await this.webhookRows.deliveryFinished(webhookId, scanId)) {
      // A rerun of a job that already sent (its worker died before acknowledging it, or the
      // reconciler queued it again after Redis lost it): the receiver hears it once.
      this.logger.log({ msg: 'already delivered (or given up on): not sent again', webhookId, scanId });
      return { outcome: 'nothing-to-send', reason: 'already delivered' };
    }
    const prepared = await this.prepare(webhookId, scanId);
    if ('reason' in prepared) {
      this.logger.log({ msg: 'nothing to deliver', webhookId, scanId, reason: prepared.reason });
      return { outcome: 'nothing-to-send', reason: prepared.reason };
    }
    const request = buildRequest(prepared.webhook, prepared.changes);
    if (!request) {
      this.logger.log({ msg: 'no change at or above the webhook minimum severity: nothing sent', webhookId, scanId });
      return { outcome: 'nothing-to-send', reason: 'no change at or above the minimum severity' };
    }
    const { attempt, result, decision } = await this.send(request, { organizationId: prepared.organizationId, webhookId, scanId }, attemptNumber);
    const log = {
      webhookId,
      scanId,
      kind: request.kind,
      attempt: attemptNumber,
      result,
      status: attempt.status,
      error: attempt.error,
      durationMs: attempt.durationMs,
    };
    if (result === 'gave_up') this.logger.warn({ msg: 'notification failed: giving up', ...log });
    else this.logger.log({ msg: result === 'delivered' ? 'notification delivered' : 'notification failed: will retry', ...log });
    return decision;
  }

  /** `POST /webhooks/:id/test`: the sample message, sent once (no retry) and logged like any attempt. */
  async sendTest(organizationId: string, webhookId: string): Promise<DeliveryView> {
    const { webhook } = await this.webhooks.openOwned(organizationId, webhookId);
    const organization = (await this.organizations.find(organizationId)) ?? { id: organizationId, name: organizationId };
    const { row, attempt } = await this.send(buildTestRequest(webhook, organization), { organizationId, webhookId, scanId: null }, 1, { retries: false });
    // a test that fails is given up on at once, like a scan's last attempt: a warning
    const line = {
      msg: attempt.ok ? 'webhook test sent' : 'webhook test failed: giving up',
      webhookId,
      ok: attempt.ok,
      status: attempt.status,
      error: attempt.error,
    };
    if (attempt.ok) this.logger.log(line);
    else this.logger.warn(line);
    return toDeliveryView(row);
  }

  private async send(
    request: OutgoingRequest,
    delivery: { organizationId: string; webhookId: string; scanId: string | null },
    attemptNumber: number,
    { retries }: { retries: boolean } = { retries: true },
  ) {
    const attempt = await deliver(request, { resolveTarget: this.resolveTarget, timeoutMs: this.options.notifyTimeoutMs });
    const { result, decision } = decideAfterAttempt(attemptNumber, attempt, retries ? this.policy : { ...this.policy, maxAttempts: attemptNumber });
    // The request has left: its record waits out a Postgres outage rather than fail the job, whose
    // retry would send the message again (the receiver would hear it twice).
    const at = new Date();
    const record = () =>
      this.webhookRows.recordDelivery({
        organizationId: delivery.organizationId,
        webhookId: delivery.webhookId,
        scanId: delivery.scanId,
        event: delivery.scanId ? 'scan.changes' : 'test',
        attempt: attemptNumber,
        result,
        ...(attempt.status !== undefined ? { httpStatus: attempt.status } : {}),
        ...(attempt.code !== undefined ? { code: String(attempt.code) } : {}),
        ...(attempt.error ? { error: attempt.error } : {}),
        durationMs: attempt.durationMs,
        at,
      });
    const row = await retryThroughOutage(record, {
      waitMs: RECORD_OUTAGE_WAIT_MS,
      pauseMs: RECORD_RETRY_PAUSE_MS,
      onRetry: () =>
        this.logger.warn({
          msg: `Postgres unavailable: the delivery is recorded again in ${RECORD_RETRY_PAUSE_MS} ms`,
          webhookId: delivery.webhookId,
          scanId: delivery.scanId,
        }),
    });
    return { attempt, result, decision, row };
  }

  /** The stored verdict changes as the message shows them (none before a scan judged Services). */
  private verdictsOf(stored: unknown): Pick<ChangeSet, 'verdicts'> {
    if (typeof stored !== 'object' || stored === null) return {};
    const link = simulatorDocsUrl(this.options.docsBaseUrl);
    const services = (value: unknown): NotifiedService[] =>
      (Array.isArray(value) ? value : []).flatMap((item: unknown) => {
        const { namespace, name, verdict, droppedTrafficSeconds } = (item ?? {}) as Record<string, unknown>;
        if (typeof namespace !== 'string' || typeof name !== 'string' || typeof verdict !== 'string') return [];
        return [{ namespace, name, verdict, droppedTrafficSeconds: typeof droppedTrafficSeconds === 'number' ? droppedTrafficSeconds : 0, link }];
      });
    const { startedDropping, stoppedDropping } = stored as { startedDropping?: unknown; stoppedDropping?: unknown };
    return { verdicts: { startedDropping: services(startedDropping), stoppedDropping: services(stoppedDropping) } };
  }

  /** The webhook opened and the scan's change set as stored, or why there is nothing to send. */
  private async prepare(
    webhookId: string,
    scanId: string,
  ): Promise<{ organizationId: string; webhook: WebhookTarget; changes: ChangeSet } | { reason: string }> {
    let opened;
    try {
      opened = await this.webhooks.openForDelivery(webhookId);
    } catch (error) {
      if (error instanceof CredentialsError) return { reason: error.message };
      throw error;
    }
    if (!opened) return { reason: 'the webhook was deleted' };
    const scan = await this.scans.findWithContext(scanId);
    if (!scan || scan.organizationId !== opened.row.organizationId) return { reason: 'the scan is gone' };
    if (scan.status !== 'succeeded') return { reason: `the scan is ${scan.status}` };
    const changes = await this.scans.changesOf(scanId);
    return {
      organizationId: scan.organizationId,
      webhook: opened.webhook,
      changes: {
        organization: scan.organization,
        ...(scan.target.cluster ? { cluster: scan.target.cluster } : {}),
        scan: { id: scan.id, finishedAt: (scan.finishedAt ?? scan.createdAt).toISOString() },
        new: [...changes.opened, ...changes.reopened].sort((a, b) => a.seq - b.seq).map(notified),
        resolved: changes.resolved.map(notified),
        ...this.verdictsOf(scan.verdictChanges),
      },
    };
  }
}

/** Where a chat reader learns what a verdict means: the simulator's page beside the rule pages. */
export function simulatorDocsUrl(docsBaseUrl: string | undefined): string {
  return `${(docsBaseUrl ?? DEFAULT_DOCS_BASE_URL).replace(/\/+$/, '').replace(/\/rules$/, '')}/simulator.md`;
}

function notified(finding: Finding): ChangeSet['new'][number] {
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
