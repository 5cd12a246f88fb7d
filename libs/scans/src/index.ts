export { ScansModule } from './scans.module.js';
export { DomainError, notFound, type DomainErrorCode, type ErrorDetails } from './errors.js';
export {
  QUEUES,
  JOB_CATALOG,
  jobsOfQueue,
  parsePayload,
  type QueueName,
  type JobName,
  type JobPayloads,
  type JobHandlers,
  type JobContext,
} from './jobs/catalog.js';
export { JobQueue, type RepeatSpec } from './jobs/job-queue.js';
export { assertHandlesAll, dispatch } from './jobs/dispatch.js';
export { ScheduleService, type ScheduleInput } from './schedules/schedule.service.js';
export { WebhookService, WEBHOOK_KINDS, type WebhookInput } from './webhooks/webhook.service.js';
export { NotificationService, notificationJobId } from './webhooks/notification.service.js';
export { NotificationDelivery, decideAfterAttempt, type DeliveryDecision } from './webhooks/notification-delivery.service.js';
export { webhookAddressResolver } from './webhooks/webhook-address.js';
export { displayUrl } from './webhooks/webhook-url.js';
export { ScanJobs } from './jobs/scan-jobs.js';
export { ScanBudgetError, runBudgeted, INLINE_OBJECTS } from './scan-engine.js';
export { ScanReconciler, type ReconcileReport } from './jobs/reconciler.js';
export { ClusterService, rulesNeeding, type ClusterInput, type ClusterFindingArgs } from './clusters/cluster.service.js';
export { ClusterConnector } from './clusters/cluster-connector.js';
export { CredentialCipher, CredentialsError, encryptionKeyId, type SealPurpose } from './clusters/credential-cipher.js';
export { ScanEngine, PROVIDERS, PROVIDER_CHOICES, providerChoice, MAX_UPLOAD_BYTES, engineOptions, type EngineOptions } from './scan-engine.js';
export { ScanPipeline, type RunOutcome } from './pipeline/scan-pipeline.js';
export { ScanFailure, ScanRetry, type ScanSource, type SourcedSnapshot } from './pipeline/scan-source.js';
export { diffFindings, type FindingDiff, type PriorState } from './pipeline/finding-diff.js';
export { UploadParser } from './pipeline/upload-parser.js';
export { encodeSnapshot, decodeSnapshot } from './pipeline/snapshot-codec.js';
export { ScanRequestService, type ScanRequest } from './scan-request.service.js';
export { ScanQueryService, SCAN_STATUSES, SEVERITIES, SCAN_TRIGGERS, type ScanListArgs, type FindingListArgs } from './scan-query.service.js';
export { OrganizationService, hashApiKey } from './organization.service.js';
export { SuppressionService, type SuppressionInput } from './suppression.service.js';
export {
  IdempotencyService,
  IDEMPOTENCY_HEADER,
  IDEMPOTENCY_RETENTION_MS,
  IDEMPOTENCY_ABANDONED_MS,
  idempotencyKeyFrom,
  requestHashOf,
  type KeyedRequest,
  type KeptAnswer,
} from './idempotency.service.js';
export type { AnswerShape } from './idempotency-scope.js';
export { NodeService, NODE_TYPES, type NodeType, type FoundNode } from './node.service.js';
export * from './contracts/index.js';
export { REDACTED_URL_SUFFIX } from './views.js';
export { retryPolicyOf, type ScansConfig } from './options.js';
export { listPage, pageSize, MAX_PAGE_SIZE, type PageArgs } from './paging.js';
export { FixedManifestsService, type FixedManifestsDownload } from './fixed-manifests.service.js';
export { VerdictsService, toVerdictView, type VerdictListArgs } from './verdicts.service.js';
export { diffVerdicts } from './pipeline/verdict-diff.js';
export { SimulationService, MAX_SIMULATION_BYTES, type SimulationRequest } from './simulation.service.js';
export { ProviderProfileService, organizationProfileOverrides, type ProviderProfileView } from './provider-profile.service.js';
