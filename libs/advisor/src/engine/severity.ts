import type { Severity } from '../model/finding.js';
import type { SnapshotIndex } from '../snapshot-index/snapshot-index.js';
import type { Workload } from '../snapshot-index/workloads.js';

const ONE_STEP_DOWN: Record<Severity, Severity> = { critical: 'warning', warning: 'info', info: 'info' };

export const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

/**
 * Lifecycle, rollout and placement severities are for exposed workloads (LoadBalancer or
 * NodePort); for ClusterIP-only workloads they drop one step.
 */
export function forExposure(severity: Severity, index: SnapshotIndex, workload: Workload): Severity {
  return index.isExposed(workload) ? severity : ONE_STEP_DOWN[severity];
}

export function atLeast(severity: Severity, threshold: Severity): boolean {
  return SEVERITY_RANK[severity] <= SEVERITY_RANK[threshold];
}
