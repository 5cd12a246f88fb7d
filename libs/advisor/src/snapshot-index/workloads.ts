import type { K8sObject, Labels, PodSpec, PodTemplateSpec } from '../model/k8s.js';
import type { Snapshot } from '../model/snapshot.js';

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'ReplicaSet' | 'Pod';

/** A Deployment, StatefulSet, DaemonSet, ownerless ReplicaSet or bare Pod, flattened for rules. */
export interface Workload {
  kind: WorkloadKind;
  namespace: string;
  name: string;
  object: K8sObject;
  /** Pod template labels (a bare Pod: its own labels). */
  podLabels: Labels;
  podSpec: PodSpec | undefined;
  /** `spec.replicas` as written; undefined when absent (Kubernetes defaults it to 1). */
  specReplicas: number | undefined;
}

export const DEFAULT_NAMESPACE = 'default';

export function namespaceOf(object: K8sObject): string {
  return object.metadata?.namespace || DEFAULT_NAMESPACE;
}

export function nameOf(object: K8sObject): string {
  return object.metadata?.name ?? '';
}

function controllerOwner(object: K8sObject): { kind?: string; name?: string } | undefined {
  const owners = object.metadata?.ownerReferences ?? [];
  return owners.find((owner) => owner.controller) ?? owners[0];
}

function templated(kind: WorkloadKind, object: K8sObject & { spec?: { template?: PodTemplateSpec; replicas?: number } }): Workload {
  const replicas = object.spec?.replicas;
  return {
    kind,
    namespace: namespaceOf(object),
    name: nameOf(object),
    object,
    podLabels: object.spec?.template?.metadata?.labels ?? {},
    podSpec: object.spec?.template?.spec,
    specReplicas: typeof replicas === 'number' ? replicas : undefined,
  };
}

/**
 * The workloads of a snapshot, per RULES.md: ReplicaSets a Deployment owns and Pods a
 * controller owns are judged through their owner.
 */
export function collectWorkloads(snapshot: Snapshot): Workload[] {
  const workloads: Workload[] = [];
  for (const object of snapshot.deployments) workloads.push(templated('Deployment', object));
  for (const object of snapshot.statefulSets) workloads.push(templated('StatefulSet', object));
  for (const object of snapshot.daemonSets) workloads.push(templated('DaemonSet', object));
  for (const object of snapshot.replicaSets) {
    if (controllerOwner(object)?.kind === 'Deployment') continue;
    workloads.push(templated('ReplicaSet', object));
  }
  for (const pod of snapshot.pods) {
    if (controllerOwner(pod)) continue;
    workloads.push({
      kind: 'Pod',
      namespace: namespaceOf(pod),
      name: nameOf(pod),
      object: pod,
      podLabels: pod.metadata?.labels ?? {},
      podSpec: pod.spec,
      specReplicas: 1,
    });
  }
  return workloads;
}

export function workloadKey(kind: string, namespace: string, name: string): string {
  return `${kind}\u0000${namespace}\u0000${name}`;
}

/** Maps a live Pod to the workload that owns it: Pod -> ReplicaSet -> Deployment, or a direct owner. */
export function ownerKeyOfPod(pod: K8sObject, replicaSetOwners: Map<string, string>): string {
  const namespace = namespaceOf(pod);
  const owner = controllerOwner(pod);
  if (!owner?.kind || !owner.name) return workloadKey('Pod', namespace, nameOf(pod));
  if (owner.kind === 'ReplicaSet') {
    const deployment = replicaSetOwners.get(`${namespace}\u0000${owner.name}`);
    if (deployment) return workloadKey('Deployment', namespace, deployment);
    // ReplicaSets not collected: a Deployment's ReplicaSet is named <deployment>-<pod-template-hash>.
    const hash = pod.metadata?.labels?.['pod-template-hash'];
    if (hash && owner.name.endsWith(`-${hash}`)) {
      return workloadKey('Deployment', namespace, owner.name.slice(0, -hash.length - 1));
    }
  }
  return workloadKey(owner.kind, namespace, owner.name);
}

/** ReplicaSet (namespace, name) -> owning Deployment name. */
export function replicaSetOwnerMap(snapshot: Snapshot): Map<string, string> {
  const owners = new Map<string, string>();
  for (const replicaSet of snapshot.replicaSets) {
    const owner = controllerOwner(replicaSet);
    if (owner?.kind === 'Deployment' && owner.name) {
      owners.set(`${namespaceOf(replicaSet)}\u0000${nameOf(replicaSet)}`, owner.name);
    }
  }
  return owners;
}
