import type {
  DaemonSet,
  Deployment,
  EndpointSlice,
  Endpoints,
  HorizontalPodAutoscaler,
  K8sObject,
  MutatingWebhookConfiguration,
  Namespace,
  Node,
  Pod,
  PodDisruptionBudget,
  ReplicaSet,
  Service,
  StatefulSet,
} from './k8s.js';

export type Provider = 'alibaba' | 'aws' | 'gcp' | 'azure' | 'tencent';
export const PROVIDERS: readonly Provider[] = ['alibaba', 'aws', 'gcp', 'azure', 'tencent'];

export interface SourceLocation {
  file: string;
  line: number;
}

export interface SnapshotFacts {
  source: 'manifests' | 'cluster';
  /** e.g. "1.30.2"; only known for live clusters. */
  kubernetesVersion?: string;
  /** Detected from nodes' providerID (live) or provider annotations (manifests). */
  detectedProvider?: Provider;
  /** e.g. "terway"; only known for live clusters. */
  cni?: string;
  /** Live resource kinds the collector could not list (RBAC): rules that need them are not evaluated. */
  unavailableKinds?: string[];
  /** Load balancer controllers found on a live cluster (CRDs, webhooks, config maps), with what showed them. */
  controllers?: Array<{ name: string; evidence: string }>;
  /** Azure cloud config `clusterServiceLoadBalancerHealthProbeMode`, when readable (not on AKS). */
  azureClusterProbeMode?: string;
}

/** A document the snapshot builder skipped, with where it was. */
export interface SnapshotWarning {
  message: string;
  location?: SourceLocation;
}

export interface SnapshotObjects {
  deployments: Deployment[];
  statefulSets: StatefulSet[];
  daemonSets: DaemonSet[];
  replicaSets: ReplicaSet[];
  pods: Pod[];
  services: Service[];
  endpointSlices: EndpointSlice[];
  endpoints: Endpoints[];
  podDisruptionBudgets: PodDisruptionBudget[];
  horizontalPodAutoscalers: HorizontalPodAutoscaler[];
  nodes: Node[];
}

/**
 * The pod template of an object that is not a workload in RULES.md (ReplicationController,
 * Job, CronJob, Argo Rollout, ...): not judged, but its pods can satisfy a Service selector.
 */
export interface OtherPodTemplate {
  kind: string;
  namespace: string;
  name: string;
  labels: Record<string, string>;
}

/** An object of a custom resource kind (an API group Kubernetes does not ship), e.g. a Prometheus. */
export interface CustomResourceRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

export interface Snapshot extends SnapshotObjects {
  facts: SnapshotFacts;
  otherPodTemplates: OtherPodTemplate[];
  /**
   * Custom resources of the upload (manifest snapshots): an operator may create pods from
   * them, which the upload does not hold (RULES.md, "Pods made by operators").
   */
  customResources?: CustomResourceRef[];
  /**
   * Namespace objects (uploaded, or listed on a live cluster). Absent: none were given, so
   * rules that read namespace labels are not evaluated.
   */
  namespaces?: Namespace[];
  /** MutatingWebhookConfigurations (live clusters, or uploaded). */
  mutatingWebhookConfigurations?: MutatingWebhookConfiguration[];
  /** Ingresses: an AWS ALB Ingress with `target-type: ip` makes its backend Services pod-direct. */
  ingresses?: Array<K8sObject & { spec?: Record<string, unknown> }>;
  /** GKE BackendConfig objects (cloud.google.com), for their connection draining. */
  backendConfigs?: Array<K8sObject & { spec?: { connectionDraining?: { drainingTimeoutSec?: number } } }>;
  /** Where each uploaded object came from (manifest snapshots only). */
  locations: Map<K8sObject, SourceLocation>;
  warnings: SnapshotWarning[];
}

export function emptySnapshot(facts: SnapshotFacts): Snapshot {
  return {
    facts,
    locations: new Map(),
    warnings: [],
    otherPodTemplates: [],
    deployments: [],
    statefulSets: [],
    daemonSets: [],
    replicaSets: [],
    pods: [],
    services: [],
    endpointSlices: [],
    endpoints: [],
    podDisruptionBudgets: [],
    horizontalPodAutoscalers: [],
    nodes: [],
  };
}

const KIND_TO_COLLECTION: Record<string, keyof SnapshotObjects> = {
  Deployment: 'deployments',
  StatefulSet: 'statefulSets',
  DaemonSet: 'daemonSets',
  ReplicaSet: 'replicaSets',
  Pod: 'pods',
  Service: 'services',
  EndpointSlice: 'endpointSlices',
  Endpoints: 'endpoints',
  PodDisruptionBudget: 'podDisruptionBudgets',
  HorizontalPodAutoscaler: 'horizontalPodAutoscalers',
  Node: 'nodes',
};

/** Cluster-scoped kinds some provider rules read, kept beside the core collections. */
const EXTRA_COLLECTIONS: Record<string, 'namespaces' | 'mutatingWebhookConfigurations' | 'backendConfigs' | 'ingresses'> = {
  Ingress: 'ingresses',
  Namespace: 'namespaces',
  MutatingWebhookConfiguration: 'mutatingWebhookConfigurations',
  BackendConfig: 'backendConfigs',
};

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);

/**
 * Adds one decoded object to the snapshot by its kind, whatever its apiVersion.
 * Unknown kinds are ignored (returns false); malformed known ones are skipped with a warning.
 */
export function addObject(snapshot: Snapshot, object: unknown, location?: SourceLocation): boolean {
  if (!isRecord(object)) {
    snapshot.warnings.push({ message: 'document is not a mapping: skipped', location });
    return false;
  }
  const kind = object['kind'];
  if (typeof kind !== 'string' || kind === '') {
    snapshot.warnings.push({ message: 'document has no kind: skipped', location });
    return false;
  }
  const collection = KIND_TO_COLLECTION[kind];
  const extra = EXTRA_COLLECTIONS[kind];
  if (!collection && extra && isRecord(object['metadata']) && typeof object['metadata']['name'] === 'string') {
    ((snapshot[extra] ??= []) as K8sObject[]).push(object as K8sObject);
    if (location) snapshot.locations.set(object as K8sObject, location);
    return true;
  }
  if (!collection) {
    recordOtherPodTemplate(snapshot, kind, object);
    recordCustomResource(snapshot, kind, object);
    return false;
  }
  const typed = object as K8sObject;
  const name = typed.metadata?.name;
  if (!isRecord(typed.metadata) || typeof name !== 'string' || name === '') {
    snapshot.warnings.push({ message: `${kind} has no metadata.name: skipped`, location });
    return false;
  }
  if (WORKLOAD_KINDS.has(kind)) {
    const template = (object['spec'] as Record<string, unknown> | undefined)?.['template'];
    if (!isRecord(template)) {
      snapshot.warnings.push({ message: `${kind} ${name} has no spec.template: skipped`, location });
      return false;
    }
  }
  if (kind === 'PodDisruptionBudget') {
    const spec = (object['spec'] ?? {}) as Record<string, unknown>;
    if (spec['minAvailable'] !== undefined && spec['maxUnavailable'] !== undefined) {
      snapshot.warnings.push({
        message: `PodDisruptionBudget ${name} sets both minAvailable and maxUnavailable (the API server rejects it): skipped`,
        location,
      });
      return false;
    }
  }
  (snapshot[collection] as K8sObject[]).push(typed);
  if (location) snapshot.locations.set(typed, location);
  return true;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** spec.template (ReplicationController, Rollout, DeploymentConfig) or spec.jobTemplate.spec.template (CronJob). */
function recordOtherPodTemplate(snapshot: Snapshot, kind: string, object: Record<string, unknown>): void {
  const spec = object['spec'];
  if (!isRecord(spec)) return;
  const jobTemplate = spec['jobTemplate'];
  const template = spec['template'] ?? (isRecord(jobTemplate) && isRecord(jobTemplate['spec']) ? jobTemplate['spec']['template'] : undefined);
  if (!isRecord(template) || !isRecord(template['metadata'])) return;
  const labels = template['metadata']['labels'];
  const metadata = isRecord(object['metadata']) ? object['metadata'] : {};
  if (!isRecord(labels)) return;
  snapshot.otherPodTemplates.push({
    kind,
    namespace: typeof metadata['namespace'] === 'string' && metadata['namespace'] ? metadata['namespace'] : 'default',
    name: typeof metadata['name'] === 'string' ? metadata['name'] : '',
    labels: labels as Record<string, string>,
  });
}

/** API groups Kubernetes itself serves; any other group is a custom resource's. */
const BUILT_IN_GROUPS = new Set([
  '',
  'apps',
  'batch',
  'policy',
  'autoscaling',
  'extensions',
  'networking.k8s.io',
  'rbac.authorization.k8s.io',
  'storage.k8s.io',
  'apiextensions.k8s.io',
  'admissionregistration.k8s.io',
  'apiregistration.k8s.io',
  'scheduling.k8s.io',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'certificates.k8s.io',
  'node.k8s.io',
  'flowcontrol.apiserver.k8s.io',
  'events.k8s.io',
  'resource.k8s.io',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'internal.apiserver.k8s.io',
  'storagemigration.k8s.io',
  'metrics.k8s.io',
]);

function recordCustomResource(snapshot: Snapshot, kind: string, object: Record<string, unknown>): void {
  const apiVersion = object['apiVersion'];
  if (typeof apiVersion !== 'string' || !apiVersion.includes('/')) return;
  const group = apiVersion.slice(0, apiVersion.lastIndexOf('/'));
  if (BUILT_IN_GROUPS.has(group) || kind.endsWith('List')) return;
  const metadata = isRecord(object['metadata']) ? object['metadata'] : {};
  (snapshot.customResources ??= []).push({
    apiVersion,
    kind,
    namespace: typeof metadata['namespace'] === 'string' && metadata['namespace'] ? metadata['namespace'] : 'default',
    name: typeof metadata['name'] === 'string' ? metadata['name'] : '',
  });
}
