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
} from './scan.repository.js';
export { FindingRepository, type FindingFilter, type ListFindingsQuery } from './finding.repository.js';
export { SuppressionRepository, type NewSuppression } from './suppression.repository.js';
export { DatabaseHealth } from './health.repository.js';
export type { Page } from './pagination.js';
export type { Scan, Finding, Suppression, Prisma } from './generated/prisma/client.js';
export { ScanStatus, ScanTrigger, Severity, FindingStatus, TargetKind } from './generated/prisma/enums.js';
