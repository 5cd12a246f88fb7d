export { StoreModule } from './store.module.js';
export { PrismaService, createPrismaClient, type StoreOptions } from './prisma.service.js';
export { OrganizationRepository, type ApiKeyOwner } from './organization.repository.js';
export {
  ScanRepository,
  type NewScan,
  type ScanCursor,
  type ListScansQuery,
  type ScanWithTarget,
  type FindingRow,
  type ScanOutcome,
  type StartedScan,
  type NewTargetScan,
  type ScheduledScan,
  type ScanWarning,
  type PriorStateRow,
  type StateChanges,
  type DiffStates,
  type DiffVerdicts,
  type VerdictKey,
  type VerdictRow,
  type VerdictChanges,
  type ServiceChange,
  type RuleCounts,
  type UnfinishedScan,
} from './scan.repository.js';
export { ScheduleRepository, type ScheduleRow, type ScheduleSpec } from './schedule.repository.js';
export {
  WebhookRepository,
  type WebhookRow,
  type SealedWebhook,
  type NewWebhook,
  type WebhookPatch,
  type NewDelivery,
  type DeliveryRow,
} from './webhook.repository.js';
export {
  ClusterRepository,
  type ClusterRow,
  type ClusterAccess,
  type ClusterPatch,
  type ClusterWrite,
  type NewCluster,
  type SealedCredentials,
} from './cluster.repository.js';
export {
  FindingRepository,
  type FindingFilter,
  type ListFindingsQuery,
  type StateFilter,
  type ListStatesQuery,
  type StateWithFinding,
  type StateCursor,
} from './finding.repository.js';
export { ScanFindingsReader, type ScanFindingsPage, type ScanCounts } from './scan-findings.reader.js';
export { RequestTiming, TRACE_SLOW_MS, currentTiming, runTimed, timed, poolQuery } from './request-timing.js';
export { ScanReader, type ScanViewRow } from './scan.reader.js';
export { ScanInputRepository } from './scan-input.repository.js';
export { VerdictRepository, type ListVerdictsQuery } from './verdict.repository.js';
export { SuppressionRepository, type NewSuppression } from './suppression.repository.js';
export { IdempotencyRepository, type AnswerToKeep, type IdempotencyClaim, type IdempotencyRecord } from './idempotency.repository.js';
export { DatabaseHealth } from './health.repository.js';
export type { Page } from './pagination.js';
export type { ServiceVerdict as StoredVerdict, Scan, Finding, FindingState, Suppression, Prisma } from './generated/prisma/client.js';
export { ScanStatus, ScanTrigger, Severity, FindingStatus, TargetKind, WebhookKind, DeliveryResult, ChangeKind, Verdict } from './generated/prisma/enums.js';
