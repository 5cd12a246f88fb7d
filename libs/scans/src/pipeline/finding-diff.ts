/** A finding state of the target before this scan: what the diff needs of it. */
export interface PriorState {
  fingerprint: string;
  status: 'open' | 'resolved';
  /** The last scan that reported it: where a resolved finding's details are read from. */
  lastScanId: string;
}

/** What one scan changes on its target, by fingerprint. */
export interface FindingDiff {
  /** Reported for the first time on this target. */
  opened: string[];
  /** Resolved before, reported again (a regression). */
  reopened: string[];
  /** Open before and reported again: nothing to tell anyone. */
  stillOpen: string[];
  /** Open before and not reported by this scan. */
  resolved: Array<{ fingerprint: string; lastScanId: string }>;
}

/**
 * The new/reopened/resolved diff of a scan against its target's states. Pure and linear:
 * one pass over each side. Fingerprints reported twice by the scan count once.
 */
export function diffFindings(prior: Iterable<PriorState>, reported: Iterable<string>): FindingDiff {
  const before = new Map<string, PriorState>();
  for (const state of prior) before.set(state.fingerprint, state);
  const diff: FindingDiff = { opened: [], reopened: [], stillOpen: [], resolved: [] };
  const seen = new Set<string>();
  for (const fingerprint of reported) {
    if (seen.has(fingerprint)) continue;
    seen.add(fingerprint);
    const state = before.get(fingerprint);
    if (!state) diff.opened.push(fingerprint);
    else if (state.status === 'resolved') diff.reopened.push(fingerprint);
    else diff.stillOpen.push(fingerprint);
  }
  for (const state of before.values()) {
    if (state.status === 'open' && !seen.has(state.fingerprint)) diff.resolved.push({ fingerprint: state.fingerprint, lastScanId: state.lastScanId });
  }
  return diff;
}
