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
export { JobQueue } from './jobs/job-queue.js';
export { ScanJobs } from './jobs/scan-jobs.js';
export { ClusterService, rulesNeeding, type ClusterInput, type ClusterFindingArgs } from './clusters/cluster.service.js';
export { ClusterScanRunner, ClusterScanRetry } from './clusters/cluster-scan-runner.service.js';
export { ClusterConnector } from './clusters/cluster-connector.js';
export { CredentialCipher, CredentialsError, encryptionKeyId } from './clusters/credential-cipher.js';
export { ScanEngine, PROVIDERS, MAX_UPLOAD_BYTES, type EngineOptions, type EngineRun } from './scan-engine.js';
export { ScanRequestService, type ScanRequest } from './scan-request.service.js';
export {
  ScanQueryService,
  SCAN_STATUSES,
  SEVERITIES,
  SCAN_TRIGGERS,
  MAX_PAGE_SIZE,
  type ScanListArgs,
  type FindingListArgs,
} from './scan-query.service.js';
export { ScanRunner, type RunOutcome } from './scan-runner.service.js';
export { OrganizationService, hashApiKey } from './organization.service.js';
export { SuppressionService, type SuppressionView, type SuppressionInput } from './suppression.service.js';
export type { ScanView, FindingView, SummaryView, ListView, EvidenceJson, ClusterView, ClusterFindingView } from './views.js';
export type { ScansOptions } from './options.js';
