import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { UnrecoverableError, type Job, type WorkerOptions } from 'bullmq';
import { DEFAULT_RETRY_POLICY, DeliveryFailedError, buildRequest, deliver, nextRetry, notificationBackoff, type RetryPolicy } from '#rollsafe/notify';
import { NotificationService, QUEUES, webhookAddressResolver, type JobContext, type JobHandlers, type JobPayloads } from '#rollsafe/scans';
import { assertHandlesAll, dispatch } from './job-handlers.js';

export interface NotifySettings {
  /** ROLLSAFE_OUTBOUND_ALLOW: where webhooks may be (checked at every attempt, and the connection pinned to the checked address). */
  outboundAllow: string[];
  policy: RetryPolicy;
  timeoutMs: number;
}

export const NOTIFY_SETTINGS = Symbol('NOTIFY_SETTINGS');

export function retryPolicy(overrides: Partial<Pick<RetryPolicy, 'maxAttempts' | 'baseDelayMs' | 'maxDelayMs'>>): RetryPolicy {
  return { ...DEFAULT_RETRY_POLICY, ...overrides };
}

/**
 * Processes the `notifications` queue: one `notification.deliver` job per webhook and scan.
 * Each attempt prepares the change set from the finding states (libs/scans), builds the
 * platform's native request afresh (signatures carry a timestamp), delivers it under the
 * outbound policy, and stores the attempt. A failure the policy retries throws
 * DeliveryFailedError, which the custom backoff reads (Retry-After included); one it does not
 * (4xx, refused address, attempts exhausted) throws UnrecoverableError.
 */
@Injectable()
export class NotificationsProcessor extends WorkerHost implements OnModuleInit {
  private readonly logger = new Logger('NotificationsProcessor');
  private readonly resolveTarget: (host: string) => Promise<{ address: string; family: 4 | 6 }>;

  constructor(
    private readonly notifications: NotificationService,
    @Inject(NOTIFY_SETTINGS) private readonly settings: NotifySettings,
  ) {
    super();
    this.resolveTarget = webhookAddressResolver(settings.outboundAllow);
  }

  protected handlers(): JobHandlers<typeof QUEUES.notifications> {
    return { 'notification.deliver': (payload, context) => this.deliver(payload, context) };
  }

  onModuleInit(): void {
    assertHandlesAll(QUEUES.notifications, this.handlers());
  }

  async process(job: Job): Promise<void> {
    await dispatch(this.handlers(), job);
  }

  async deliver({ webhookId, scanId }: JobPayloads['notification.deliver'], context: JobContext): Promise<void> {
    const prepared = await this.notifications.prepare(webhookId, scanId);
    if (!prepared.ready) {
      this.logger.log({ msg: 'nothing to deliver', webhookId, scanId, reason: prepared.reason });
      return;
    }
    const request = buildRequest(prepared.webhook, prepared.changes);
    if (!request) {
      this.logger.log({ msg: 'no change at or above the webhook minimum severity: nothing sent', webhookId, scanId });
      return;
    }
    const attempt = await deliver(request, { resolveTarget: this.resolveTarget, timeoutMs: this.settings.timeoutMs });
    const policy = { ...this.settings.policy, maxAttempts: context.maxAttempts };
    const decision = nextRetry(context.attempt, attempt, policy);
    const result = attempt.ok ? 'delivered' : decision.retry ? 'retrying' : 'gave_up';
    await this.notifications.record(prepared, context.attempt, attempt, result);
    this.logger.log({
      msg: attempt.ok ? 'notification delivered' : decision.retry ? 'notification failed: will retry' : 'notification failed: giving up',
      webhookId,
      scanId,
      kind: request.kind,
      attempt: context.attempt,
      status: attempt.status,
      error: attempt.error,
      durationMs: attempt.durationMs,
    });
    if (attempt.ok) return;
    if (!decision.retry) throw new UnrecoverableError(`${attempt.error ?? 'delivery failed'} (${decision.reason})`);
    throw new DeliveryFailedError(attempt);
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.logger.error({ msg: 'worker error', error: error.message });
  }
}

/** The processor with the notification backoff as the worker's custom strategy. */
export function configuredNotificationsProcessor(options: Partial<WorkerOptions>, policy: RetryPolicy): typeof NotificationsProcessor {
  @Processor(QUEUES.notifications, { ...options, settings: { backoffStrategy: notificationBackoff(policy) } })
  class ConfiguredNotificationsProcessor extends NotificationsProcessor {}
  return ConfiguredNotificationsProcessor;
}
