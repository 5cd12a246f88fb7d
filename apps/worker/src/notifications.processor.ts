import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { UnrecoverableError, type Job, type WorkerOptions } from 'bullmq';
import { DeliveryFailedError, notificationBackoff, type RetryPolicy } from '#rollsafe/notify';
import { assertHandlesAll, dispatch, NotificationDelivery, QUEUES, type JobContext, type JobHandlers, type JobPayloads } from '#rollsafe/scans';
import { InFlight } from './in-flight.js';

/**
 * Processes the `notifications` queue: one `notification.deliver` job per webhook and scan.
 * The delivery use case (libs/scans' NotificationDelivery) does the attempt; this maps its
 * decision onto the queue: a retry throws DeliveryFailedError, which the custom backoff reads
 * (Retry-After included); a give-up throws UnrecoverableError.
 */
@Injectable()
export class NotificationsProcessor extends WorkerHost implements OnModuleInit {
  private readonly logger = new Logger('NotificationsProcessor');

  constructor(
    private readonly delivery: NotificationDelivery,
    private readonly inFlight: InFlight,
  ) {
    super();
  }

  protected handlers(): JobHandlers<typeof QUEUES.notifications> {
    return { 'notification.deliver': (payload, context) => this.deliver(payload, context) };
  }

  onModuleInit(): void {
    assertHandlesAll(QUEUES.notifications, this.handlers());
  }

  async process(job: Job, token?: string): Promise<void> {
    await this.inFlight.run(job, token, () => dispatch(this.handlers(), job));
  }

  async deliver(payload: JobPayloads['notification.deliver'], context: JobContext): Promise<void> {
    const decision = await this.delivery.deliverChanges(payload, context.attempt);
    if (decision.outcome === 'retry') throw new DeliveryFailedError(decision.attempt);
    if (decision.outcome === 'gave-up') throw new UnrecoverableError(decision.error);
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
