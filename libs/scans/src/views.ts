// Rows to the API's contracts (libs/scans/src/contracts): what the use cases return.
import type {
  ClusterFindingView,
  ClusterView,
  DeliveryView,
  EvidenceJson,
  FindingFields,
  FindingView,
  RemediationView,
  ScanView,
  ScanWarningView,
  ServiceChangeView,
  VerdictChangesView,
  VerdictSummaryView,
  ScheduleView,
  WebhookView,
} from './contracts/index.js';
import { verdictHeadline } from '#rollsafe/simulator';
import type { ClusterRow, DeliveryRow, Finding, ScanViewRow, ScheduleRow, StateWithFinding, WebhookRow } from '#rollsafe/store';

export function toScanView(scan: ScanViewRow): ScanView {
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
    warnings: warningsOf(scan.warnings),
    verdictSummary: verdictSummaryOf(scan),
    ...(changesOf(scan.verdictChanges) ? { verdictChanges: changesOf(scan.verdictChanges) } : {}),
    documentCount: scan.documentCount,
    attempts: scan.attempts,
    ...(scan.error ? { error: scan.error } : {}),
    createdAt: scan.createdAt.toISOString(),
    ...(scan.startedAt ? { startedAt: scan.startedAt.toISOString() } : {}),
    ...(scan.finishedAt ? { finishedAt: scan.finishedAt.toISOString() } : {}),
    ...(scan.durationMs !== null ? { durationMs: scan.durationMs } : {}),
  };
}

function verdictSummaryOf(scan: { servicesJudged: number; servicesDropping: number; servicesUnknown: number }): VerdictSummaryView {
  const summary = {
    services: scan.servicesJudged,
    drops: scan.servicesDropping,
    unknown: scan.servicesUnknown,
    safe: scan.servicesJudged - scan.servicesDropping - scan.servicesUnknown,
  };
  return { ...summary, headline: verdictHeadline(summary) };
}

/** The stored verdict changes, read back defensively: it is JSON. */
function changesOf(stored: unknown): VerdictChangesView | undefined {
  if (typeof stored !== 'object' || stored === null) return undefined;
  const { startedDropping, stoppedDropping } = stored as { startedDropping?: unknown; stoppedDropping?: unknown };
  const list = (value: unknown): ServiceChangeView[] =>
    Array.isArray(value)
      ? value.filter((item): item is ServiceChangeView => typeof item === 'object' && item !== null && typeof (item as { name?: unknown }).name === 'string')
      : [];
  return { startedDropping: list(startedDropping), stoppedDropping: list(stoppedDropping) };
}

/** The stored warnings column, read back defensively: it is JSON. */
function warningsOf(stored: unknown): ScanWarningView[] {
  if (!Array.isArray(stored)) return [];
  return stored.flatMap((item: unknown) => {
    if (typeof item !== 'object' || item === null) return [];
    const { message, location } = item as { message?: unknown; location?: { file?: unknown; line?: unknown } };
    if (typeof message !== 'string') return [];
    const located = location && typeof location.file === 'string' && typeof location.line === 'number';
    return [{ message, ...(located ? { location: { file: location.file as string, line: location.line as number } } : {}) }];
  });
}

/** The stored remediation column, read back defensively: it is JSON. */
function remediationOf(stored: unknown): RemediationView {
  const value = (typeof stored === 'object' && stored !== null && !Array.isArray(stored) ? stored : {}) as Record<string, unknown>;
  const target = value['target'] as { kind?: unknown; namespace?: unknown; name?: unknown } | undefined;
  const patch = value['patch'];
  const patchType = textOf(value, 'patchType');
  const needsDecision = textOf(value, 'needsDecision');
  // One shape, the keys in the JSON's order; those it lacks undefined (JSON leaves them out).
  return {
    summary: textOf(value, 'summary') ?? '',
    yaml: textOf(value, 'yaml') ?? '',
    target:
      target && typeof target.kind === 'string' && typeof target.namespace === 'string' && typeof target.name === 'string'
        ? { kind: target.kind, namespace: target.namespace, name: target.name }
        : undefined,
    patchType: patchType === 'strategic-merge' || patchType === 'create' ? patchType : undefined,
    patch: typeof patch === 'object' && patch !== null && !Array.isArray(patch) ? (patch as Record<string, EvidenceJson>) : undefined,
    needsDecision: needsDecision ? needsDecision : undefined,
  };
}

function textOf(value: Record<string, unknown>, key: string): string | undefined {
  const text = value[key];
  return typeof text === 'string' ? text : undefined;
}

/**
 * What a finding reported, as a finding state's view shows it (empty when there is no finding).
 * toFindingView writes the same fields into its own literal: it runs for every row of every page.
 */
function reported(finding: Finding | undefined): Pick<FindingFields, 'container' | 'message' | 'evidence' | 'remediation' | 'docs'> {
  const remediation = remediationOf(finding?.remediation);
  return {
    ...(finding?.container ? { container: finding.container } : {}),
    message: finding?.message ?? '',
    evidence: (finding?.evidence ?? {}) as Record<string, EvidenceJson>,
    remediation,
    docs: finding?.docs ?? '',
  };
}

/**
 * A finding as the API shows it: one object literal of one shape, the keys in the order the
 * JSON has them, those a finding lacks (`container`, `location`) undefined, which JSON leaves
 * out as it left out the keys that were not spread in. The spreads of each optional part
 * allocated about 700 bytes a finding (bench/load: 35 KB of a REST page's 270 KB).
 */
export function toFindingView(finding: Finding): FindingView {
  return {
    id: finding.id,
    ruleId: finding.ruleId,
    severity: finding.severity,
    resource: { kind: finding.kind, namespace: finding.namespace, name: finding.name },
    container: finding.container ? finding.container : undefined,
    message: finding.message,
    evidence: (finding.evidence ?? {}) as Record<string, EvidenceJson>,
    remediation: remediationOf(finding.remediation),
    docs: finding.docs,
    location: finding.locationFile && finding.locationLine !== null ? { file: finding.locationFile, line: finding.locationLine } : undefined,
    fingerprint: finding.fingerprint,
  };
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
