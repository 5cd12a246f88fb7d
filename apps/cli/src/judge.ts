import { runAdvisor, SnapshotIndex, RULES, type AdvisorOptions, type AdvisorResult, type DetectedProvider, type Snapshot } from '#rollsafe/advisor';
import { serviceVerdicts, type ServiceVerdicts } from '#rollsafe/simulator';

/**
 * The rules and the per-Service verdicts over one snapshot, with one index for both: a manifest
 * scan's, a cluster scan's, or a namespace shard's (whose provider was detected over every shard).
 */
export function judgeSnapshot(
  snapshot: Snapshot,
  advisorOptions: AdvisorOptions,
  detectedProvider?: DetectedProvider,
): { result: AdvisorResult; verdicts: ServiceVerdicts } {
  const index = new SnapshotIndex(snapshot, {
    ...(advisorOptions.kubernetesVersion ? { kubernetesVersion: advisorOptions.kubernetesVersion } : {}),
    ...(detectedProvider ? { detectedProvider } : {}),
  });
  const result = runAdvisor(snapshot, advisorOptions, RULES, index);
  const verdicts = serviceVerdicts(snapshot, { ...(advisorOptions.provider ? { provider: advisorOptions.provider } : {}), findings: result.findings, index });
  return { result, verdicts };
}
