import type { AdvisorResult, SnapshotWarning } from '#rollsafe/advisor';
import type { ManifestError, ManifestInput } from '#rollsafe/manifests';
import type { ServiceVerdicts } from '#rollsafe/simulator';

/** Everything a formatter prints: the advisor's result plus what happened to the inputs. */
export interface ScanReport {
  result: AdvisorResult;
  inputErrors: ManifestError[];
  warnings: SnapshotWarning[];
  fileCount: number;
  resourceCount: number;
  /** Per-Service rollout verdicts (the simulator), printed before the findings. */
  verdicts?: ServiceVerdicts;
  /** The manifest files read (not for a cluster scan): SARIF `fixes` are computed against them. */
  inputs?: ManifestInput[];
  /** Set for a live-cluster scan (--kubeconfig): the context and server read. */
  cluster?: { context: string; server: string };
}
