import { SEVERITIES, type ChangeSet, type NotifiedFinding, type Severity } from './model.js';

/** 0 for critical, 1 for warning, 2 for info. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export function atOrAbove(severity: Severity, minSeverity: Severity): boolean {
  return severityRank(severity) <= severityRank(minSeverity);
}

/** Most severe first, then by resource, rule and container, so messages are stable. */
export function compareFindings(a: NotifiedFinding, b: NotifiedFinding): number {
  return (
    severityRank(a.severity) - severityRank(b.severity) ||
    a.resource.kind.localeCompare(b.resource.kind) ||
    a.resource.namespace.localeCompare(b.resource.namespace) ||
    a.resource.name.localeCompare(b.resource.name) ||
    a.ruleId.localeCompare(b.ruleId) ||
    (a.container ?? '').localeCompare(b.container ?? '') ||
    a.fingerprint.localeCompare(b.fingerprint)
  );
}

/**
 * What one webhook hears about: the new findings at or above its minimum severity and the
 * resolved ones at or above it too (a resolved info finding is noise for a `warning` hook).
 * Verdict changes are always kept. Returns null when nothing is left: an unchanged rescan
 * sends nothing.
 */
export function selectChanges(changeSet: ChangeSet, minSeverity: Severity): ChangeSet | null {
  const keep = (findings: readonly NotifiedFinding[]) => findings.filter((finding) => atOrAbove(finding.severity, minSeverity)).sort(compareFindings);
  const added = keep(changeSet.new);
  const resolved = keep(changeSet.resolved);
  // A Service that starts or stops dropping traffic is news at any minimum severity.
  const verdictChanges = (changeSet.verdicts?.startedDropping.length ?? 0) + (changeSet.verdicts?.stoppedDropping.length ?? 0);
  if (added.length === 0 && resolved.length === 0 && verdictChanges === 0) return null;
  return { ...changeSet, new: added, resolved };
}
