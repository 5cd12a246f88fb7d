import type { EvidenceValue, Remediation, Severity } from '../model/finding.js';
import type { K8sObject } from '../model/k8s.js';
import type { Provider, Snapshot, SnapshotObjects } from '../model/snapshot.js';
import type { SnapshotIndex } from '../snapshot-index/snapshot-index.js';
import type { ResolvedOptions } from './options.js';

export type RuleCategory = 'lifecycle' | 'rollout' | 'placement' | 'service';

/** What a rule reports before the engine adds its id, docs link, location and fingerprint. */
export interface FindingDraft {
  severity: Severity;
  /** The object the finding is about; its kind, namespace and name identify the finding. */
  subject: { kind: string; namespace: string; name: string; object?: K8sObject };
  container?: string;
  /** Distinguishes findings of one rule on one resource beyond the container (e.g. a port). */
  subKey?: string;
  message: string;
  evidence: Record<string, EvidenceValue>;
  remediation: Remediation;
  /** Further objects whose `rollsafe.io/ignore` annotation silences this finding (e.g. its Service). */
  suppressibleBy?: K8sObject[];
}

export interface RuleContext {
  readonly snapshot: Snapshot;
  readonly index: SnapshotIndex;
  readonly options: ResolvedOptions;
  report(draft: FindingDraft): void;
}

export interface Rule {
  id: string;
  title: string;
  category: RuleCategory;
  /** `manifest` rules work on uploads; `live` rules need cluster state. */
  requires: 'manifest' | 'live';
  /** The severities RULES.md states, for the catalog and SARIF help. */
  severity: string;
  /** One paragraph: what goes wrong and what the rule checks. */
  description: string;
  /** Live object kinds the rule reads; if the collector could not list one, the rule is not evaluated. */
  reads?: Array<keyof SnapshotObjects>;
  /** A provider-specific rule runs only for its provider. */
  provider?: Provider;
  /** Judges provider settings (annotations): with no provider found it is not evaluated. */
  needsProvider?: boolean;
  check(context: RuleContext): void;
}
