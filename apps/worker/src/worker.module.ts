import { Module, type DynamicModule } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import type { WorkerOptions } from 'bullmq';
import { StoreModule } from '#rollsafe/store';
import { ScansModule, retryPolicyOf, type ScansConfig } from '#rollsafe/scans';
import { redisOptionsFromUrl, type AppConfig } from '#rollsafe/runtime';
import { ScansProcessor, configuredScansProcessor } from './scans.processor.js';
import { SchedulesProcessor, configuredSchedulesProcessor } from './schedules.processor.js';
import { NotificationsProcessor, configuredNotificationsProcessor } from './notifications.processor.js';
import { InFlight } from './in-flight.js';
import { RECONCILE_CONFIG, ReconcileRunner } from './reconcile.runner.js';

/** What the worker reads from the validated configuration (libs/runtime's AppConfig). */
export type WorkerConfig = Pick<
  AppConfig,
  'databaseUrl' | 'redisUrl' | 'queuePrefix' | 'workerConcurrency' | 'workerLockDurationMs' | 'workerStalledIntervalMs' | 'reconcileIntervalMs'
> &
  ScansConfig;

@Module({})
export class WorkerModule {
  static forRoot(config: WorkerConfig): DynamicModule {
    const workerOptions: Partial<WorkerOptions> = {
      concurrency: config.workerConcurrency,
      lockDuration: config.workerLockDurationMs,
      stalledInterval: config.workerStalledIntervalMs,
      maxStalledCount: 2,
    };
    return {
      module: WorkerModule,
      imports: [
        StoreModule.forRoot({ databaseUrl: config.databaseUrl, poolSize: config.workerConcurrency * 2 + 4 }),
        BullModule.forRoot({ connection: redisOptionsFromUrl(config.redisUrl), prefix: config.queuePrefix }),
        ScansModule.forRoot(config),
      ],
      providers: [
        InFlight,
        { provide: RECONCILE_CONFIG, useValue: { redisUrl: config.redisUrl, reconcileIntervalMs: config.reconcileIntervalMs } },
        ReconcileRunner,
        { provide: ScansProcessor, useClass: configuredScansProcessor(workerOptions) },
        { provide: SchedulesProcessor, useClass: configuredSchedulesProcessor({ ...workerOptions, concurrency: 1 }) },
        {
          provide: NotificationsProcessor,
          useClass: configuredNotificationsProcessor({ ...workerOptions, concurrency: Math.max(2, config.workerConcurrency) }, retryPolicyOf(config)),
        },
      ],
    };
  }
}
