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
export { ScanEngine, PROVIDERS, MAX_UPLOAD_BYTES, type EngineOptions, type EngineRun } from './scan-engine.js';
export { ScanRequestService, type ScanRequest } from './scan-request.service.js';
export {
  ScanQueryService,
  SCAN_STATUSES,
  SEVERITIES,
  MAX_PAGE_SIZE,
  type ScanListArgs,
  type FindingListArgs,
} from './scan-query.service.js';
export { ScanRunner, type RunOutcome } from './scan-runner.service.js';
export { OrganizationService, hashApiKey } from './organization.service.js';
export { SuppressionService, type SuppressionView, type SuppressionInput } from './suppression.service.js';
export type { ScanView, FindingView, SummaryView, ListView, EvidenceJson } from './views.js';
export type { ScansOptions } from './options.js';
