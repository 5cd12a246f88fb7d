import { Module, type DynamicModule } from '@nestjs/common';
import { PrismaService, STORE_OPTIONS, type StoreOptions } from './prisma.service.js';
import { OrganizationRepository } from './organization.repository.js';
import { ScanRepository } from './scan.repository.js';
import { FindingRepository } from './finding.repository.js';
import { ScanFindingsReader } from './scan-findings.reader.js';
import { ScanReader } from './scan.reader.js';
import { SuppressionRepository } from './suppression.repository.js';
import { DatabaseHealth } from './health.repository.js';
import { ClusterRepository } from './cluster.repository.js';
import { ScheduleRepository } from './schedule.repository.js';
import { WebhookRepository } from './webhook.repository.js';
import { ScanInputRepository } from './scan-input.repository.js';
import { VerdictRepository } from './verdict.repository.js';
import { IdempotencyRepository } from './idempotency.repository.js';

const repositories = [
  OrganizationRepository,
  ScanRepository,
  FindingRepository,
  ScanFindingsReader,
  ScanReader,
  SuppressionRepository,
  ClusterRepository,
  ScheduleRepository,
  WebhookRepository,
  ScanInputRepository,
  VerdictRepository,
  IdempotencyRepository,
  DatabaseHealth,
];

@Module({})
export class StoreModule {
  static forRoot(options: StoreOptions): DynamicModule {
    return {
      module: StoreModule,
      global: true,
      providers: [
        { provide: STORE_OPTIONS, useValue: options },
        { provide: PrismaService, useFactory: (opts: StoreOptions) => new PrismaService(opts), inject: [STORE_OPTIONS] },
        ...repositories,
      ],
      exports: [PrismaService, ...repositories],
    };
  }
}
