import { Module, type DynamicModule } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { QUEUES } from './jobs/catalog.js';
import { JobQueue } from './jobs/job-queue.js';
import { SCANS_OPTIONS, type ScansOptions } from './options.js';
import { ScanEngine } from './scan-engine.js';
import { ScanRequestService } from './scan-request.service.js';
import { ScanQueryService } from './scan-query.service.js';
import { ScanRunner } from './scan-runner.service.js';
import { OrganizationService } from './organization.service.js';
import { SuppressionService } from './suppression.service.js';

const services = [JobQueue, ScanEngine, ScanRequestService, ScanQueryService, ScanRunner, OrganizationService, SuppressionService];

/**
 * The scan use cases shared by the api and the worker. Needs StoreModule.forRoot and
 * BullModule.forRoot (the Redis connection and key prefix) in the importing app.
 */
@Module({})
export class ScansModule {
  static forRoot(options: ScansOptions = {}): DynamicModule {
    return {
      module: ScansModule,
      imports: [BullModule.registerQueue(...Object.values(QUEUES).map((name) => ({ name })))],
      providers: [{ provide: SCANS_OPTIONS, useValue: options }, ...services],
      exports: [...services, BullModule],
    };
  }
}
