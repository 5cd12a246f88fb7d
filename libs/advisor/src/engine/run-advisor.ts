import type { Finding, Remediation, Summary } from '../model/finding.js';
import type { K8sObject } from '../model/k8s.js';
import type { Provider, Snapshot, SnapshotWarning } from '../model/snapshot.js';
import { SnapshotIndex } from '../snapshot-index/snapshot-index.js';
import { ignoredRules } from '../util/annotations.js';
import { RULES } from '../rules/catalog.js';
import { PROFILES_VERSION } from '../profiles/profiles.js';
import type { BackendEnv } from '../profiles/backend.js';
import { fingerprintOf } from './fingerprint.js';
import { flatString } from './flat-string.js';
import { resolveOptions, type AdvisorOptions, type ProviderSource, type Suppression } from './options.js';
import type { FindingDraft, Rule, RuleContext } from './rule.js';
import { SEVERITY_RANK } from './severity.js';

export interface AdvisorResult {
  findings: Finding[];
  /** Findings silenced by a `rollsafe.io/ignore` annotation or an organization suppression. */
  suppressed: Finding[];
  /** Ids of rules that could not run on this snapshot (live rules on manifests, RBAC gaps). */
  notEvaluated: string[];
  summary: Summary;
  warnings: SnapshotWarning[];
  /** The provider the provider-specific rules ran for, if any. */
  provider?: Provider;
  /** Where `provider` came from; absent with `provider` when none was found. */
  providerSource?: ProviderSource;
  /** Rules that did not run because no provider was found (also in `notEvaluated`). */
  providerSkipped: string[];
  /** The Kubernetes version the rules judged for ("1.30") and where it came from. */
  kubernetesVersion: { version: string; source: 'flag' | 'cluster' | 'default' };
  /** The provider profile table's version, and the overrides' source when the user set values. */
  profiles: { version: string; overrides?: string };
}

/** Runs every rule of the catalog over a snapshot. Pure: same snapshot and options, same result. */
export function runAdvisor(
  snapshot: Snapshot,
  options: AdvisorOptions = {},
  rules: readonly Rule[] = RULES,
  /** An index already built for this snapshot (the simulator's verdicts share it). */
  index: SnapshotIndex = new SnapshotIndex(snapshot, options.kubernetesVersion ? { kubernetesVersion: options.kubernetesVersion } : {}),
): AdvisorResult {
  const resolved = resolveOptions(options, index.detectedProvider, snapshot.facts.kubernetesVersion, backendEnvOf(snapshot));
  const findings: Finding[] = [];
  const suppressed: Finding[] = [];
  const notEvaluated: string[] = [];
  const providerSkipped: string[] = [];

  for (const rule of rules) {
    if (!canEvaluate(rule, snapshot)) {
      notEvaluated.push(rule.id);
      continue;
    }
    // RULES.md, "Provider": a rule that did not run for want of a provider is listed, never silently absent.
    if (!resolved.provider && (rule.provider || rule.needsProvider)) {
      notEvaluated.push(rule.id);
      providerSkipped.push(rule.id);
      continue;
    }
    if (rule.provider && rule.provider !== resolved.provider) continue;
    const docs = flatString(`${resolved.docsBaseUrl}/${rule.id}.md`); // one string for all the rule's findings
    const context: RuleContext = {
      snapshot,
      index,
      options: resolved,
      report: (draft) => {
        const finding = toFinding(rule.id, docs, draft, snapshot);
        (isSuppressed(finding, draft, resolved.suppressions) ? suppressed : findings).push(finding);
      },
    };
    rule.check(context);
  }

  sortFindings(findings);
  sortFindings(suppressed);
  return {
    findings,
    suppressed,
    notEvaluated,
    summary: summarize(findings, suppressed.length, notEvaluated.length),
    warnings: snapshot.warnings,
    ...(resolved.provider ? { provider: resolved.provider } : {}),
    ...(resolved.providerSource ? { providerSource: resolved.providerSource } : {}),
    providerSkipped,
    kubernetesVersion: { version: resolved.kubernetesVersion.join('.'), source: resolved.kubernetesVersionSource },
    profiles: { version: PROFILES_VERSION, ...(resolved.profileOverrides ? { overrides: resolved.profileOverrides.source ?? 'override' } : {}) },
  };
}

function canEvaluate(rule: Rule, snapshot: Snapshot): boolean {
  if (rule.requires === 'live' && snapshot.facts.source !== 'cluster') return false;
  const unavailable = snapshot.facts.unavailableKinds ?? [];
  return !(rule.reads ?? []).some((kind) => unavailable.includes(kind));
}

function toFinding(ruleId: string, docs: string, draft: FindingDraft, snapshot: Snapshot): Finding {
  const { kind, namespace, name, object } = draft.subject;
  const location = object ? snapshot.locations.get(object) : undefined;
  const { severity, container, evidence, remediation } = draft;
  const message = flatString(draft.message);
  flattenRemediation(remediation);
  const resource = { kind, namespace, name };
  const fingerprint = fingerprintOf(ruleId, kind, namespace, name, draft.subKey ?? container ?? '');
  // One literal per optional key present (the JSON output keeps this key order): spreading
  // `{ container }` or `{}` into the literal allocated two objects per finding.
  if (container !== undefined) {
    return location
      ? { ruleId, severity, resource, container, message, evidence, remediation, docs, location, fingerprint }
      : { ruleId, severity, resource, container, message, evidence, remediation, docs, fingerprint };
  }
  return location
    ? { ruleId, severity, resource, message, evidence, remediation, docs, location, fingerprint }
    : { ruleId, severity, resource, message, evidence, remediation, docs, fingerprint };
}

function flattenRemediation(remediation: Remediation): void {
  flatString(remediation.summary);
  flatString(remediation.yaml);
  if (remediation.needsDecision !== undefined) flatString(remediation.needsDecision);
}

function isSuppressed(finding: Finding, draft: FindingDraft, suppressions: Suppression[]): boolean {
  const annotated: Array<K8sObject | undefined> = [draft.subject.object, ...(draft.suppressibleBy ?? [])];
  for (const object of annotated) {
    const ids = ignoredRules(object);
    if (ids.includes(finding.ruleId) || ids.includes('*') || ids.includes('all')) return true;
  }
  return suppressions.some(
    (s) =>
      s.ruleId === finding.ruleId &&
      (s.namespace === undefined || s.namespace === finding.resource.namespace) &&
      (s.kind === undefined || s.kind === finding.resource.kind) &&
      (s.name === undefined || s.name === finding.resource.name),
  );
}

/**
 * Severity, then namespace, kind, name, rule, container: one precomputed key per finding
 * (NUL sorts below every character a Kubernetes name can hold), compared once per pair.
 */
function sortFindings(findings: Finding[]): void {
  const keyed = findings.map((finding) => ({ finding, key: findingSortKey(finding) }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  keyed.forEach((entry, index) => (findings[index] = entry.finding));
}

/** The key findings are sorted by (as strings, `<`): merging sorted lists by it keeps the order. */
export function findingSortKey(finding: Finding): string {
  return [
    SEVERITY_RANK[finding.severity],
    finding.resource.namespace,
    finding.resource.kind,
    finding.resource.name,
    finding.ruleId,
    finding.container ?? '',
    finding.fingerprint,
  ].join('\u0000');
}

function summarize(findings: Finding[], suppressed: number, notEvaluated: number): Summary {
  const summary: Summary = { critical: 0, warning: 0, info: 0, suppressed, notEvaluated };
  for (const finding of findings) summary[finding.severity]++;
  return summary;
}

/** Controllers a live cluster's collector found (facts.controllers); nothing is known on manifests. */
export function backendEnvOf(snapshot: Snapshot): BackendEnv {
  const controllers = snapshot.facts.controllers;
  if (!controllers) return {};
  return { awsLoadBalancerController: controllers.some((c) => c.name === 'aws-load-balancer-controller') };
}
