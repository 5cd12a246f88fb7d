import type { SourceLocation } from './snapshot.js';

export type Severity = 'critical' | 'warning' | 'info';
export const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info'];

export interface ResourceRef {
  kind: string;
  namespace: string;
  name: string;
}

export type EvidenceValue = string | number | boolean | null | EvidenceValue[] | { [key: string]: EvidenceValue };

export interface Remediation {
  /** What to change, in one or two sentences. */
  summary: string;
  /** A YAML snippet the user can paste into the resource. */
  yaml: string;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  resource: ResourceRef;
  container?: string;
  message: string;
  evidence: Record<string, EvidenceValue>;
  remediation: Remediation;
  docs: string;
  location?: SourceLocation;
  /** Stable across scans: sha256 of rule id, resource identity and sub-key (container, node...). */
  fingerprint: string;
}

export interface Summary {
  critical: number;
  warning: number;
  info: number;
  suppressed: number;
  notEvaluated: number;
}
