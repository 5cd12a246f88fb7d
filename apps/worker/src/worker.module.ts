import { Module, type DynamicModule } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import type { WorkerOptions } from 'bullmq';
import { StoreModule } from '#rollsafe/store';
import { ScansModule, scansOptionsFrom } from '#rollsafe/scans';
import { redisOptionsFromUrl } from '#rollsafe/runtime';
import { ScansProcessor, configuredScansProcessor } from './scans.processor.js';
import { SchedulesProcessor, configuredSchedulesProcessor } from './schedules.processor.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '#rollsafe/notify';
import { NotificationsProcessor, configuredNotificationsProcessor } from './notifications.processor.js';

export interface WorkerModuleOptions {
  databaseUrl: string;
  redisUrl: string;
  queuePrefix: string;
  concurrency: number;
  docsBaseUrl?: string;
  /** Cluster scans: the credentials' keys, the outbound policy, the operator's TLS setting. */
  encryptionKey?: Uint8Array;
  oldEncryptionKeys?: Uint8Array[];
  outboundAllow?: string[];
  allowInsecureKubeconfig?: boolean;
  /** How long a job's lock lives without renewal: a dead worker's job reruns after about this. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** ROLLSAFE_MIN_SCHEDULE_SECONDS. */
  minScheduleSeconds?: number;
  /** Webhook deliveries: ROLLSAFE_NOTIFY_MAX_ATTEMPTS, _BACKOFF_MS, _MAX_BACKOFF_MS, _TIMEOUT_MS. */
  notify?: { maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number; timeoutMs?: number };
}

@Module({})
export class WorkerModule {
  static forRoot(options: WorkerModuleOptions): DynamicModule {
    const workerOptions: Partial<WorkerOptions> = {
      concurrency: options.concurrency,
      lockDuration: options.lockDurationMs ?? 30_000,
      stalledInterval: options.stalledIntervalMs ?? 30_000,
      maxStalledCount: 2,
    };
    const notify = options.notify ?? {};
    const policy: RetryPolicy = {
      ...DEFAULT_RETRY_POLICY,
      ...(notify.maxAttempts !== undefined ? { maxAttempts: notify.maxAttempts } : {}),
      ...(notify.baseDelayMs !== undefined ? { baseDelayMs: notify.baseDelayMs } : {}),
      ...(notify.maxDelayMs !== undefined ? { maxDelayMs: notify.maxDelayMs } : {}),
    };
    return {
      module: WorkerModule,
      imports: [
        StoreModule.forRoot({ databaseUrl: options.databaseUrl, poolSize: options.concurrency * 2 + 4 }),
        BullModule.forRoot({ connection: redisOptionsFromUrl(options.redisUrl), prefix: options.queuePrefix }),
        ScansModule.forRoot({
          ...scansOptionsFrom(options),
          notifyRetry: policy,
          ...(notify.timeoutMs !== undefined ? { notifyTimeoutMs: notify.timeoutMs } : {}),
        }),
      ],
      providers: [
        { provide: ScansProcessor, useClass: configuredScansProcessor(workerOptions) },
        { provide: SchedulesProcessor, useClass: configuredSchedulesProcessor({ ...workerOptions, concurrency: 1 }) },
        {
          provide: NotificationsProcessor,
          useClass: configuredNotificationsProcessor({ ...workerOptions, concurrency: Math.max(2, options.concurrency) }, policy),
        },
      ],
    };
  }
}
