import type { SnapshotObjects } from '#rollsafe/advisor';

// What the API server sends is much more than the advisor reads (managedFields alone is often
// half of an object). Each object is reduced, as its page arrives, to the fields of the
// advisor's model (libs/advisor/src/model/k8s.ts); nothing else is kept.

type Json = Record<string, unknown>;

function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The listed keys that are present, values shared (not copied). */
function pick(source: unknown, keys: readonly string[]): Json | undefined {
  if (!isJson(source)) return undefined;
  const out: Json = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out;
}

function mapList(source: unknown, slim: (item: unknown) => unknown): unknown[] | undefined {
  return Array.isArray(source) ? source.map(slim) : undefined;
}

function assign(target: Json, key: string, value: unknown): void {
  if (value !== undefined) target[key] = value;
}

/** Annotations kubectl writes that no rule reads and that can be as large as the object. */
const DROPPED_ANNOTATIONS = new Set(['kubectl.kubernetes.io/last-applied-configuration']);

function slimAnnotations(source: unknown): unknown {
  if (!isJson(source)) return undefined;
  let copy: Json | undefined;
  for (const key of DROPPED_ANNOTATIONS) {
    if (key in source) {
      copy ??= { ...source };
      delete copy[key];
    }
  }
  return copy ?? source;
}

export function slimMetadata(source: unknown): Json {
  const metadata = pick(source, ['name', 'namespace', 'labels', 'uid', 'deletionTimestamp']) ?? {};
  if (isJson(source)) {
    assign(metadata, 'annotations', slimAnnotations(source['annotations']));
    assign(
      metadata,
      'ownerReferences',
      mapList(source['ownerReferences'], (ref) => pick(ref, ['kind', 'name', 'uid', 'controller'])),
    );
  }
  return metadata;
}

const CONTAINER_KEYS = ['name', 'image', 'ports', 'readinessProbe', 'livenessProbe', 'startupProbe', 'lifecycle'];
const POD_SPEC_KEYS = ['terminationGracePeriodSeconds', 'affinity', 'topologySpreadConstraints', 'nodeName', 'nodeSelector', 'readinessGates'];

export function slimPodSpec(source: unknown): Json | undefined {
  const spec = pick(source, POD_SPEC_KEYS);
  if (!spec || !isJson(source)) return spec;
  assign(
    spec,
    'containers',
    mapList(source['containers'], (c) => pick(c, CONTAINER_KEYS)),
  );
  assign(
    spec,
    'initContainers',
    mapList(source['initContainers'], (c) => pick(c, CONTAINER_KEYS)),
  );
  return spec;
}

function slimTemplate(source: unknown): Json | undefined {
  if (!isJson(source)) return undefined;
  const template: Json = { metadata: slimMetadata(source['metadata']) };
  assign(template, 'spec', slimPodSpec(source['spec']));
  return template;
}

function slimContainerStatus(source: unknown): Json | undefined {
  const status = pick(source, ['name', 'ready', 'restartCount']);
  if (!status || !isJson(source)) return status;
  const terminated = isJson(source['lastState']) ? pick(source['lastState']['terminated'], ['exitCode', 'reason', 'finishedAt']) : undefined;
  if (terminated) status['lastState'] = { terminated };
  return status;
}

/**
 * Rules read the Ready condition (of pods and nodes) and, for the provider rules, the load
 * balancer readiness-gate conditions (types with a domain, e.g. cloud.google.com/load-balancer-neg-ready)
 * with their reason.
 */
function slimConditions(source: unknown): unknown[] | undefined {
  if (!Array.isArray(source)) return undefined;
  return source
    .filter((c) => isJson(c) && (c['type'] === 'Ready' || String(c['type']).includes('/')))
    .map((c) => (isJson(c) && c['type'] === 'Ready' ? pick(c, ['type', 'status']) : pick(c, ['type', 'status', 'reason'])));
}

function slimPodStatus(source: unknown): Json | undefined {
  const status = pick(source, ['phase', 'podIP']);
  if (!status || !isJson(source)) return status;
  assign(status, 'conditions', slimConditions(source['conditions']));
  assign(status, 'containerStatuses', mapList(source['containerStatuses'], slimContainerStatus));
  return status;
}

/** A workload's spec: its own fields plus the slimmed pod template. */
function workloadSpec(keys: readonly string[]) {
  return (source: unknown): Json | undefined => {
    const spec = pick(source, keys);
    if (spec && isJson(source)) assign(spec, 'template', slimTemplate(source['template']));
    return spec;
  };
}

function slimNodeStatus(source: unknown): Json | undefined {
  if (!isJson(source)) return undefined;
  const status: Json = {};
  assign(status, 'conditions', slimConditions(source['conditions']));
  assign(status, 'nodeInfo', pick(source['nodeInfo'], ['kubeletVersion']));
  return status;
}

function slimEndpointSliceEndpoint(source: unknown): Json | undefined {
  const endpoint = pick(source, ['addresses', 'nodeName']);
  if (!endpoint || !isJson(source)) return endpoint;
  assign(endpoint, 'conditions', pick(source['conditions'], ['ready', 'serving', 'terminating']));
  assign(endpoint, 'targetRef', pick(source['targetRef'], ['kind', 'name', 'namespace']));
  return endpoint;
}

function slimEndpointAddress(source: unknown): Json | undefined {
  const address = pick(source, ['ip', 'nodeName']);
  if (address && isJson(source)) assign(address, 'targetRef', pick(source['targetRef'], ['kind', 'name']));
  return address;
}

function slimSubset(source: unknown): Json | undefined {
  if (!isJson(source)) return undefined;
  const subset: Json = {};
  assign(subset, 'addresses', mapList(source['addresses'], slimEndpointAddress));
  assign(subset, 'notReadyAddresses', mapList(source['notReadyAddresses'], slimEndpointAddress));
  return subset;
}

type Slimmer = (item: Json) => Json;

function hasOwner(metadata: Json): boolean {
  return Array.isArray(metadata['ownerReferences']) && metadata['ownerReferences'].length > 0;
}

/**
 * A pod with an owner is judged through its workload's template: the advisor reads only its
 * node, labels, owners, readiness gates and status. A bare pod is a workload of its own and keeps its spec.
 */
function slimPod(item: Json): Json {
  const metadata = slimMetadata(item['metadata']);
  const out: Json = { metadata };
  assign(out, 'spec', hasOwner(metadata) ? pick(item['spec'], ['nodeName', 'readinessGates']) : slimPodSpec(item['spec']));
  assign(out, 'status', slimPodStatus(item['status']));
  return out;
}

/** A Deployment's ReplicaSet only maps pods to the Deployment; its template's labels are enough. */
function slimReplicaSet(item: Json): Json {
  const metadata = slimMetadata(item['metadata']);
  const owner =
    (metadata['ownerReferences'] as Json[] | undefined)?.find((ref) => ref['controller']) ?? (metadata['ownerReferences'] as Json[] | undefined)?.[0];
  if (owner?.['kind'] !== 'Deployment') return { metadata, ...optionalSpec(workloadSpec(['replicas', 'selector'])(item['spec'])) };
  const spec = pick(item['spec'], ['replicas', 'selector']) ?? {};
  const template = isJson(item['spec']) ? item['spec']['template'] : undefined;
  spec['template'] = { metadata: pick(isJson(template) ? template['metadata'] : undefined, ['labels']) ?? {} };
  return { metadata, spec };
}

function optionalSpec(spec: Json | undefined): { spec?: Json } {
  return spec ? { spec } : {};
}

/** Top-level fields besides metadata: each slimmed by its own function. */
function slimmer(fields: Record<string, (source: unknown) => unknown>): Slimmer {
  const entries = Object.entries(fields);
  return (item) => {
    const out: Json = { metadata: slimMetadata(item['metadata']) };
    for (const [key, slim] of entries) assign(out, key, slim(item[key]));
    return out;
  };
}

const SLIMMERS: Record<keyof SnapshotObjects, Slimmer> = {
  pods: slimPod,
  deployments: slimmer({ spec: workloadSpec(['replicas', 'selector', 'strategy', 'minReadySeconds']) }),
  statefulSets: slimmer({ spec: workloadSpec(['replicas', 'selector', 'updateStrategy', 'minReadySeconds']) }),
  daemonSets: slimmer({ spec: workloadSpec(['selector', 'updateStrategy', 'minReadySeconds']) }),
  replicaSets: slimReplicaSet,
  services: slimmer({ spec: (s) => pick(s, ['type', 'selector', 'ports', 'clusterIP', 'externalTrafficPolicy', 'loadBalancerClass']) }),
  endpointSlices: slimmer({
    addressType: (v) => v,
    endpoints: (v) => mapList(v, slimEndpointSliceEndpoint),
    ports: (v) => mapList(v, (p) => pick(p, ['name', 'port', 'protocol'])),
  }),
  endpoints: slimmer({ subsets: (v) => mapList(v, slimSubset) }),
  podDisruptionBudgets: slimmer({ spec: (s) => pick(s, ['minAvailable', 'maxUnavailable', 'selector']) }),
  horizontalPodAutoscalers: slimmer({ spec: (s) => pick(s, ['scaleTargetRef', 'minReplicas', 'maxReplicas']) }),
  nodes: slimmer({ spec: (s) => pick(s, ['providerID', 'unschedulable', 'taints']), status: slimNodeStatus }),
};

/**
 * One list item reduced to what the advisor reads, with the kind the list items lack.
 * Non-objects pass through unchanged so that addObject can warn about them.
 */
export function slimObject(collection: keyof SnapshotObjects, kind: string, apiVersion: string, item: unknown): unknown {
  if (!isJson(item)) return item;
  return { apiVersion, kind, ...SLIMMERS[collection](item) };
}
