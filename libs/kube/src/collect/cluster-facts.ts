import { providerFromProviderId, type Provider, type Snapshot } from '#rollsafe/advisor';
import { KubeError } from '../errors.js';
import type { ApiClient } from '../http/api-client.js';

export interface VersionInfo {
  gitVersion?: string;
  major?: string;
  minor?: string;
}

/** GET /version: the server's gitVersion, e.g. "v1.30.2" (or vMAJOR.MINOR when gitVersion is missing). */
export async function fetchKubernetesVersion(client: ApiClient): Promise<string> {
  const info = await client.json<VersionInfo>({ method: 'GET', path: '/version' });
  if (typeof info.gitVersion === 'string' && info.gitVersion) return info.gitVersion;
  if (info.major && info.minor) return `v${info.major}.${info.minor.replace(/\D+$/, '')}`;
  throw new KubeError('CLUSTER_ERROR', '/version did not name a Kubernetes version');
}

/** The provider most nodes' spec.providerID names. */
export function providerOfNodes(snapshot: Snapshot): Provider | undefined {
  const counts = new Map<Provider, number>();
  for (const node of snapshot.nodes) {
    const provider = providerFromProviderId(node.spec?.providerID);
    if (provider) counts.set(provider, (counts.get(provider) ?? 0) + 1);
  }
  let best: Provider | undefined;
  for (const [provider, count] of counts) if (best === undefined || count > (counts.get(best) ?? 0)) best = provider;
  return best;
}

const isTerway = (object: { metadata?: { name?: string; namespace?: string } }): boolean =>
  object.metadata?.namespace === 'kube-system' && (object.metadata.name ?? '').startsWith('terway');

/** Terway runs as a kube-system DaemonSet (terway, terway-eniip, terway-eni...) and its pods. */
export function cniOf(snapshot: Snapshot): string | undefined {
  return snapshot.daemonSets.some(isTerway) || snapshot.pods.some(isTerway) ? 'terway' : undefined;
}
