import type { AdvisorOptions } from '#rollsafe/advisor';
import type { ScanReport } from './formatters/report.js';
import { judgeSnapshot } from './judge.js';

export interface ClusterTarget {
  kubeconfig: string;
  context?: string;
}

/** A cluster scan that could not run: a bad kubeconfig, an unreachable or refusing server. */
export class ClusterScanError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Scans a live cluster from the user's own kubeconfig: client-node loads it (exec plugins,
 * auth providers and file references are the user's own), the collector reads the cluster
 * with GETs only, and the advisor runs on the snapshot. The kube library is loaded only here,
 * so manifest scans do not pay for the Kubernetes client.
 */
export async function scanCluster(target: ClusterTarget, advisorOptions: AdvisorOptions, stderr: (text: string) => void): Promise<ScanReport> {
  const kube = await import('#rollsafe/kube');
  try {
    const credentials = await kube.loadLocalKubeconfig(target.kubeconfig, target.context);
    const collected = await kube.collectClusterSnapshot(credentials, { outbound: kube.OutboundPolicy.unrestricted() });
    for (const warning of collected.warnings) stderr(`rollsafe: warning: ${warning}\n`);
    const { snapshot } = collected;
    const { result, verdicts } = judgeSnapshot(snapshot, advisorOptions);
    for (const warning of snapshot.warnings) stderr(`rollsafe: warning: ${warning.message}\n`);
    return {
      result,
      verdicts,
      inputErrors: [],
      warnings: snapshot.warnings,
      fileCount: 0,
      resourceCount: collected.stats.objects,
      cluster: { context: credentials.contextName, server: credentials.server },
    };
  } catch (error) {
    if (error instanceof kube.KubeError) throw new ClusterScanError(error.code, error.message);
    throw error;
  }
}
