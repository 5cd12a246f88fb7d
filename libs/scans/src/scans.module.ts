import { Module, type DynamicModule } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { QUEUES } from './jobs/catalog.js';
import { JobQueue } from './jobs/job-queue.js';
import { SCANS_CONFIG, type ScansConfig } from './options.js';
import { ScanEngine } from './scan-engine.js';
import { ScanRequestService } from './scan-request.service.js';
import { ScanQueryService } from './scan-query.service.js';
import { FixedManifestsService } from './fixed-manifests.service.js';
import { VerdictsService } from './verdicts.service.js';
import { SimulationService } from './simulation.service.js';
import { ScanPipeline } from './pipeline/scan-pipeline.js';
import { ManifestSource } from './pipeline/manifest-source.js';
import { ClusterSource } from './pipeline/cluster-source.js';
import { UploadParser } from './pipeline/upload-parser.js';
import { VerdictJudge } from './pipeline/verdict-judge.js';
import { OrganizationService } from './organization.service.js';
import { SuppressionService } from './suppression.service.js';
import { ProviderProfileService } from './provider-profile.service.js';
import { ScanJobs } from './jobs/scan-jobs.js';
import { ScanReconciler } from './jobs/reconciler.js';
import { CredentialCipher } from './clusters/credential-cipher.js';
import { ClusterConnector } from './clusters/cluster-connector.js';
import { ClusterService } from './clusters/cluster.service.js';
import { ScheduleService } from './schedules/schedule.service.js';
import { WebhookService } from './webhooks/webhook.service.js';
import { NotificationService } from './webhooks/notification.service.js';
import { NotificationDelivery } from './webhooks/notification-delivery.service.js';
import { NodeService } from './node.service.js';
import { IdempotencyService } from './idempotency.service.js';

const services = [
  JobQueue,
  ScanEngine,
  ScanRequestService,
  ScanQueryService,
  FixedManifestsService,
  VerdictsService,
  SimulationService,
  ScanPipeline,
  ManifestSource,
  ClusterSource,
  UploadParser,
  VerdictJudge,
  OrganizationService,
  SuppressionService,
  ProviderProfileService,
  ClusterConnector,
  ClusterService,
  ScheduleService,
  WebhookService,
  NotificationService,
  NotificationDelivery,
  ScanJobs,
  ScanReconciler,
  NodeService,
  IdempotencyService,
];

/**
 * The scan use cases shared by the api and the worker. Needs StoreModule.forRoot and
 * BullModule.forRoot (the Redis connection and key prefix) in the importing app.
 */
@Module({})
export class ScansModule {
  static forRoot(options: ScansConfig): DynamicModule {
    return {
      module: ScansModule,
      imports: [BullModule.registerQueue(...Object.values(QUEUES).map((name) => ({ name })))],
      providers: [
        { provide: SCANS_CONFIG, useValue: options },
        { provide: CredentialCipher, useFactory: () => new CredentialCipher(options.encryptionKey, options.oldEncryptionKeys) },
        ...services,
      ],
      exports: [...services, CredentialCipher, BullModule],
    };
  }
}
