// What the transports return, shared by REST and GraphQL.
import type { ClusterRow, DeliveryRow, Finding, ScanWithTarget, ScheduleRow, StateWithFinding, WebhookRow } from '#rollsafe/store';

export type EvidenceJson = string | number | boolean | null | EvidenceJson[] | { [key: string]: EvidenceJson };

export interface SummaryView {
  critical: number;
  warning: number;
  info: number;
  suppressed: number;
  notEvaluated: number;
}

export interface ScanView {
  id: string;
  /** `skipped`: a scheduled run that found a scan of its cluster still queued or running. */
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'skipped';
  trigger: 'upload' | 'manual' | 'schedule';
  /** The target's name; for a cluster scan, the cluster's name. */
  target: string;
  /** Set for a scan of a registered cluster. */
  clusterId?: string;
  provider?: string;
  summary: SummaryView;
  notEvaluated: string[];
  documentCount: number;
  attempts: number;
  error?: string;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
}

/** What both finding views show: the rule, the resource, and what the finding reported. */
export interface FindingFields {
  id: string;
  fingerprint: string;
  ruleId: string;
  severity: 'critical' | 'warning' | 'info';
  resource: { kind: string; namespace: string; name: string };
  container?: string;
  message: string;
  evidence: Record<string, EvidenceJson>;
  remediation: { summary: string; yaml: string };
  docs: string;
}

export interface FindingView extends FindingFields {
  location?: { file: string; line: number };
}

export interface ListView<T> {
  items: T[];
  nextCursor?: string;
  totalCount?: number;
}

export function toScanView(scan: ScanWithTarget): ScanView {
  return {
    id: scan.id,
    status: scan.status,
    trigger: scan.trigger,
    target: scan.target.cluster?.name ?? scan.target.name,
    ...(scan.target.cluster ? { clusterId: scan.target.cluster.id } : {}),
    ...(scan.provider ? { provider: scan.provider } : {}),
    summary: {
      critical: scan.critical,
      warning: scan.warning,
      info: scan.info,
      suppressed: scan.suppressed,
      notEvaluated: scan.notEvaluated.length,
    },
    notEvaluated: scan.notEvaluated,
    documentCount: scan.documentCount,
    attempts: scan.attempts,
    ...(scan.error ? { error: scan.error } : {}),
    createdAt: scan.createdAt.toISOString(),
    ...(scan.startedAt ? { startedAt: scan.startedAt.toISOString() } : {}),
    ...(scan.finishedAt ? { finishedAt: scan.finishedAt.toISOString() } : {}),
    ...(scan.durationMs !== null ? { durationMs: scan.durationMs } : {}),
  };
}

/** What a finding reported, as both finding views show it (empty when there is no finding). */
function reported(finding: Finding | undefined): Pick<FindingFields, 'container' | 'message' | 'evidence' | 'remediation' | 'docs'> {
  const remediation = (finding?.remediation ?? {}) as { summary?: string; yaml?: string };
  return {
    ...(finding?.container ? { container: finding.container } : {}),
    message: finding?.message ?? '',
    evidence: (finding?.evidence ?? {}) as Record<string, EvidenceJson>,
    remediation: { summary: remediation.summary ?? '', yaml: remediation.yaml ?? '' },
    docs: finding?.docs ?? '',
  };
}

export function toFindingView(finding: Finding): FindingView {
  return {
    id: finding.id,
    ruleId: finding.ruleId,
    severity: finding.severity,
    resource: { kind: finding.kind, namespace: finding.namespace, name: finding.name },
    ...reported(finding),
    ...(finding.locationFile && finding.locationLine !== null ? { location: { file: finding.locationFile, line: finding.locationLine } } : {}),
    fingerprint: finding.fingerprint,
  };
}

/** A registered cluster, as every endpoint returns it: never with its credentials. */
export interface ClusterView {
  id: string;
  name: string;
  /** The API server URL. */
  server: string;
  contextName: string;
  provider?: string;
  /** Load-balancer backend attachments allowed per node (Alibaba quota); default 50. */
  slbAttachmentQuota: number;
  kubernetesVersion?: string;
  /** From registration: what the credentials cannot list, and what that means. */
  warnings: string[];
  unlistableKinds: string[];
  /** Rules that will be reported as not evaluated, for want of those kinds. */
  notEvaluated: string[];
  verifiedAt: string;
  createdAt: string;
  updatedAt: string;
}

/** A finding's life on one cluster: its state and the finding as last reported. */
export interface ClusterFindingView extends FindingFields {
  status: 'open' | 'resolved';
  firstSeenAt: string;
  lastSeenAt: string;
  resolvedAt?: string;
  /** The last scan that reported it. */
  lastScanId: string;
}

export function toClusterView(cluster: ClusterRow, notEvaluated: string[], defaultQuota: number): ClusterView {
  return {
    id: cluster.id,
    name: cluster.name,
    server: cluster.server,
    contextName: cluster.contextName,
    ...(cluster.provider ? { provider: cluster.provider } : {}),
    slbAttachmentQuota: cluster.slbAttachmentQuota ?? defaultQuota,
    ...(cluster.kubernetesVersion ? { kubernetesVersion: cluster.kubernetesVersion } : {}),
    warnings: cluster.accessWarnings,
    unlistableKinds: cluster.unlistableKinds,
    notEvaluated,
    verifiedAt: cluster.verifiedAt.toISOString(),
    createdAt: cluster.createdAt.toISOString(),
    updatedAt: cluster.updatedAt.toISOString(),
  };
}

export function toClusterFindingView({ state, finding }: StateWithFinding): ClusterFindingView {
  return {
    id: state.id,
    fingerprint: state.fingerprint,
    ruleId: state.ruleId,
    severity: state.severity,
    status: state.status,
    resource: { kind: state.kind, namespace: state.namespace, name: state.name },
    ...reported(finding),
    firstSeenAt: state.firstSeenAt.toISOString(),
    lastSeenAt: state.lastSeenAt.toISOString(),
    ...(state.resolvedAt ? { resolvedAt: state.resolvedAt.toISOString() } : {}),
    lastScanId: state.lastScanId,
  };
}

/** A cluster's schedule: exactly one of `cron` and `everySeconds`. */
export interface ScheduleView {
  clusterId: string;
  cron?: string;
  /** IANA time zone of the cron expression (UTC when absent). */
  timezone?: string;
  everySeconds?: number;
  /** When the queue runs it next (absent while the scheduler is not in Redis yet). */
  nextRunAt?: string;
  createdAt: string;
  updatedAt: string;
}

export function toScheduleView(row: ScheduleRow, nextRunAt: Date | undefined): ScheduleView {
  return {
    clusterId: row.clusterId,
    ...(row.cron !== null ? { cron: row.cron } : {}),
    ...(row.timezone !== null ? { timezone: row.timezone } : {}),
    ...(row.everySeconds !== null ? { everySeconds: row.everySeconds } : {}),
    ...(nextRunAt ? { nextRunAt: nextRunAt.toISOString() } : {}),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** A webhook as every endpoint returns it: never its secret, never a token-bearing URL in full. */
export interface WebhookView {
  id: string;
  kind: 'slack' | 'dingtalk' | 'feishu' | 'wecom' | 'teams' | 'generic';
  /** The full URL when it holds no token; else its scheme and host only ("https://hooks.slack.com/…"). */
  url: string;
  /** True when `url` is shortened because the URL itself holds a token. */
  urlRedacted: boolean;
  hasSecret: boolean;
  minSeverity: 'critical' | 'warning' | 'info';
  /** Only scans of these clusters; empty: every scan. */
  clusterIds: string[];
  createdAt: string;
  updatedAt: string;
}

export const REDACTED_URL_SUFFIX = '/…';

export function toWebhookView(row: WebhookRow): WebhookView {
  return {
    id: row.id,
    kind: row.kind,
    url: row.urlDisplay,
    urlRedacted: row.urlDisplay.endsWith(REDACTED_URL_SUFFIX),
    hasSecret: row.hasSecret,
    minSeverity: row.minSeverity,
    clusterIds: row.clusterIds,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** One delivery attempt. */
export interface DeliveryView {
  id: string;
  /** `scan.changes` or `test`. */
  event: string;
  scanId?: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** `delivered`, `retrying` (another attempt follows) or `gave_up`. */
  result: 'delivered' | 'retrying' | 'gave_up';
  /** HTTP status of the answer, when one came. */
  status?: number;
  /** The platform's result code (DingTalk/WeCom errcode, Feishu code, Slack error). */
  code?: string;
  error?: string;
  durationMs: number;
  at: string;
}

export function toDeliveryView(row: DeliveryRow): DeliveryView {
  return {
    id: row.id,
    event: row.event,
    ...(row.scanId ? { scanId: row.scanId } : {}),
    attempt: row.attempt,
    result: row.result,
    ...(row.httpStatus !== null ? { status: row.httpStatus } : {}),
    ...(row.code !== null ? { code: row.code } : {}),
    ...(row.error !== null ? { error: row.error } : {}),
    durationMs: row.durationMs,
    at: row.at.toISOString(),
  };
}
