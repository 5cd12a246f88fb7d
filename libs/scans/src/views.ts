// What the transports return, shared by REST and GraphQL.
import type { Finding, ScanWithTarget } from '#rollsafe/store';

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
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  trigger: 'upload' | 'manual' | 'schedule';
  target: string;
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

export interface FindingView {
  id: string;
  ruleId: string;
  severity: 'critical' | 'warning' | 'info';
  resource: { kind: string; namespace: string; name: string };
  container?: string;
  message: string;
  evidence: Record<string, EvidenceJson>;
  remediation: { summary: string; yaml: string };
  docs: string;
  location?: { file: string; line: number };
  fingerprint: string;
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
    target: scan.target.name,
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

export function toFindingView(finding: Finding): FindingView {
  const remediation = (finding.remediation ?? {}) as { summary?: string; yaml?: string };
  return {
    id: finding.id,
    ruleId: finding.ruleId,
    severity: finding.severity,
    resource: { kind: finding.kind, namespace: finding.namespace, name: finding.name },
    ...(finding.container ? { container: finding.container } : {}),
    message: finding.message,
    evidence: (finding.evidence ?? {}) as Record<string, EvidenceJson>,
    remediation: { summary: remediation.summary ?? '', yaml: remediation.yaml ?? '' },
    docs: finding.docs,
    ...(finding.locationFile && finding.locationLine !== null ? { location: { file: finding.locationFile, line: finding.locationLine } } : {}),
    fingerprint: finding.fingerprint,
  };
}
