import type { SourceLocation } from './snapshot.js';

export type Severity = 'critical' | 'warning' | 'info';
export const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info'];

export interface ResourceRef {
  kind: string;
  namespace: string;
  name: string;
}

export type EvidenceValue = string | number | boolean | null | EvidenceValue[] | { [key: string]: EvidenceValue };

export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/**
 * What to change. Where no human decision is needed, `patch` is the change as data: a
 * strategic merge patch of `target` (`null` deletes a key; containers merge by name), or,
 * with `patchType: 'create'`, a whole new object to add next to `target`. Applied, it
 * clears the finding and raises no other (RULES.md, "Remediations are safe to paste").
 * Where only the team can choose (replicas, a load balancer mode, a port the app listens
 * on), `patch` is absent and `needsDecision` says why; `yaml` is then a suggestion.
 */
export interface Remediation {
  /** What to change, in one or two sentences. */
  summary: string;
  /** A YAML snippet the user can paste into the resource (the patch, when there is one). */
  yaml: string;
  /** The resource the patch applies to (for `create`: the resource the new object belongs with). */
  target?: ResourceRef;
  /** `strategic-merge` (default) patches `target`; `create` adds `patch` as a new object. */
  patchType?: 'strategic-merge' | 'create';
  patch?: JsonObject;
  /** Why this remediation is left to a human (no `patch` then). */
  needsDecision?: string;
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
