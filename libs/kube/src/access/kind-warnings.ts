import { RULES, type SnapshotObjects } from '#rollsafe/advisor';

/** Ids of the rules that read a live kind: they are not evaluated when it cannot be listed. */
export function rulesReading(kinds: ReadonlyArray<keyof SnapshotObjects>): string[] {
  return RULES.filter((rule) => (rule.reads ?? []).some((kind) => kinds.includes(kind))).map((rule) => rule.id);
}

/** One sentence for a resource the credentials cannot list. */
export function unlistableWarning(resource: string, kinds: ReadonlyArray<keyof SnapshotObjects>): string {
  const rules = rulesReading(kinds);
  return rules.length > 0
    ? `cannot list ${resource}: rules ${rules.join(', ')} will not be evaluated`
    : `cannot list ${resource}: findings that depend on them may be incomplete`;
}
