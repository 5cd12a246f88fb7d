import type { SnapshotObjects } from '#rollsafe/advisor';

/** One resource type a scan lists, cluster-wide. */
export interface ListedResource {
  collection: keyof SnapshotObjects;
  /** The object kind (list items come without one). */
  kind: string;
  /** API group, '' for core. */
  group: string;
  /** Plural resource name, as RBAC and SelfSubjectAccessReview name it. */
  resource: string;
  path: string;
}

function resource(collection: keyof SnapshotObjects, kind: string, group: string, version: string, plural: string): ListedResource {
  const path = group === '' ? `/api/${version}/${plural}` : `/apis/${group}/${version}/${plural}`;
  return { collection, kind, group, resource: plural, path };
}

/** Pods first: the biggest list sets the scan's length, so it starts at once. */
export const POD_RESOURCE = resource('pods', 'Pod', '', 'v1', 'pods');
export const ENDPOINT_SLICES = resource('endpointSlices', 'EndpointSlice', 'discovery.k8s.io', 'v1', 'endpointslices');
/** Listed only when EndpointSlices cannot be. */
export const ENDPOINTS = resource('endpoints', 'Endpoints', '', 'v1', 'endpoints');

export const SCANNED_RESOURCES: readonly ListedResource[] = [
  POD_RESOURCE,
  resource('replicaSets', 'ReplicaSet', 'apps', 'v1', 'replicasets'),
  ENDPOINT_SLICES,
  resource('nodes', 'Node', '', 'v1', 'nodes'),
  resource('services', 'Service', '', 'v1', 'services'),
  resource('deployments', 'Deployment', 'apps', 'v1', 'deployments'),
  resource('statefulSets', 'StatefulSet', 'apps', 'v1', 'statefulsets'),
  resource('daemonSets', 'DaemonSet', 'apps', 'v1', 'daemonsets'),
  resource('podDisruptionBudgets', 'PodDisruptionBudget', 'policy', 'v1', 'poddisruptionbudgets'),
  resource('horizontalPodAutoscalers', 'HorizontalPodAutoscaler', 'autoscaling', 'v2', 'horizontalpodautoscalers'),
];

/**
 * Read for the provider rules (docs/providers.md): namespace labels (AWS readiness-gate
 * injection) and the AWS Load Balancer Controller's pod webhook. Optional: a cluster that
 * refuses them is scanned without those rules' findings (no warning).
 */
export interface ProviderResource {
  collection: 'namespaces' | 'mutatingWebhookConfigurations';
  kind: string;
  group: string;
  resource: string;
  path: string;
}
export const PROVIDER_RESOURCES: readonly ProviderResource[] = [
  { collection: 'namespaces', kind: 'Namespace', group: '', resource: 'namespaces', path: '/api/v1/namespaces' },
  {
    collection: 'mutatingWebhookConfigurations',
    kind: 'MutatingWebhookConfiguration',
    group: 'admissionregistration.k8s.io',
    resource: 'mutatingwebhookconfigurations',
    path: '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations',
  },
];

/** Everything a scan may read, the Endpoints fallback included (the reader ClusterRole grants these). */
export const READABLE_RESOURCES: ReadonlyArray<Pick<ListedResource, 'resource' | 'group' | 'path' | 'kind'>> = [
  ...SCANNED_RESOURCES,
  ENDPOINTS,
  ...PROVIDER_RESOURCES,
];
