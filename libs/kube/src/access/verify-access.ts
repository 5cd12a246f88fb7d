import type { SnapshotObjects } from '#rollsafe/advisor';
import { KubeError } from '../errors.js';
import { ApiClient } from '../http/api-client.js';
import { openConnection, type ClusterClientOptions } from '../http/connection.js';
import { DEFAULT_RETRY_POLICY } from '../http/retry.js';
import type { ClusterCredentials } from '../kubeconfig/credentials.js';
import { fetchKubernetesVersion } from '../collect/cluster-facts.js';
import { forEachLimited } from '../collect/limit.js';
import { ENDPOINT_SLICES, ENDPOINTS, SCANNED_RESOURCES } from '../collect/resources.js';
import { unlistableWarning } from './kind-warnings.js';
import { describeAccess, PROBED_WRITE_VERBS, reviewAccess, reviewRules, WRITE_PROBES, writesGranted } from './reviews.js';

export interface AccessReport {
  /** e.g. 'v1.30.2' */
  kubernetesVersion: string;
  /** Kinds a scan needs but RBAC does not let it list. */
  unlistableKinds: Array<keyof SnapshotObjects>;
  /** One sentence each, e.g. "cannot list pods: rules container-restart-loop, ... will not be evaluated". */
  warnings: string[];
}

const REVIEW_CONCURRENCY = 4;

/** SelfSubjectAccessReviews for create/update/patch/delete on pods, deployments, services, secrets, in all namespaces. */
async function probedWrites(client: ApiClient): Promise<string[]> {
  const probes = WRITE_PROBES.flatMap((probe) => PROBED_WRITE_VERBS.map((verb) => ({ verb, ...probe })));
  const allowed: string[] = [];
  await forEachLimited(probes, REVIEW_CONCURRENCY, async (probe) => {
    if (await reviewAccess(client, probe)) allowed.push(describeAccess(probe.verb, probe.group, probe.resource));
  });
  return allowed;
}

async function refuseWriters(client: ApiClient, namespace: string): Promise<void> {
  const writes = [...new Set([...writesGranted(await reviewRules(client, namespace)), ...(await probedWrites(client))])].sort();
  if (writes.length > 0) {
    throw new KubeError(
      'KUBECONFIG_NOT_READ_ONLY',
      `these credentials can change the cluster (${writes.slice(0, 5).join(', ')}${writes.length > 5 ? ', ...' : ''}); register a read-only ServiceAccount (deploy/rbac/rollsafe-reader.yaml)`,
      { writeVerbs: writes },
    );
  }
}

/** Which scanned resources the credentials cannot list cluster-wide, with the warnings to show. */
async function listAccess(client: ApiClient): Promise<Pick<AccessReport, 'unlistableKinds' | 'warnings'>> {
  const denied = new Set<string>();
  await forEachLimited([...SCANNED_RESOURCES, ENDPOINTS], REVIEW_CONCURRENCY, async (resource) => {
    if (!(await reviewAccess(client, { verb: 'list', group: resource.group, resource: resource.resource }))) denied.add(resource.resource);
  });
  const unlistableKinds: Array<keyof SnapshotObjects> = [];
  const warnings: string[] = [];
  for (const resource of SCANNED_RESOURCES) {
    if (!denied.has(resource.resource)) continue;
    if (resource === ENDPOINT_SLICES) {
      if (!denied.has(ENDPOINTS.resource)) continue; // Endpoints serve the same rules
      unlistableKinds.push('endpointSlices', 'endpoints');
      warnings.push(unlistableWarning('endpointslices or endpoints', ['endpointSlices', 'endpoints']));
      continue;
    }
    unlistableKinds.push(resource.collection);
    warnings.push(unlistableWarning(resource.resource, [resource.collection]));
  }
  return { unlistableKinds, warnings };
}

/**
 * At registration: is the server reachable (GET /version), are the credentials accepted, and
 * are they read-only (a SelfSubjectRulesReview plus SelfSubjectAccessReviews for writes)?
 * Writers are refused (KUBECONFIG_NOT_READ_ONLY); a missing list is a warning.
 */
export async function verifyClusterAccess(credentials: ClusterCredentials, options: ClusterClientOptions): Promise<AccessReport> {
  const connection = await openConnection(credentials, options, REVIEW_CONCURRENCY);
  const client = new ApiClient(connection, { ...DEFAULT_RETRY_POLICY, maxRetries: 1 });
  try {
    const kubernetesVersion = await fetchKubernetesVersion(client);
    await refuseWriters(client, credentials.namespace ?? 'default');
    return { kubernetesVersion, ...(await listAccess(client)) };
  } finally {
    connection.close();
  }
}
