import type { DaemonSet, Deployment, PodDisruptionBudget } from '../model/k8s.js';
import type { Rule } from '../engine/rule.js';
import { forExposure } from '../engine/severity.js';
import type { SnapshotIndex } from '../snapshot-index/snapshot-index.js';
import { externalTrafficPolicy, isExposedService } from '../snapshot-index/snapshot-index.js';
import { nameOf, namespaceOf, type Workload } from '../snapshot-index/workloads.js';
import { isPodDirectBackend } from '../util/annotations.js';
import { asCount, isPercent, parseKubernetesVersion, percentOf, scaleIntOrPercent } from '../util/numbers.js';
import { describeWorkload, indent, preStopDuration, quoteList, workloadSubject } from './helpers.js';

export interface RollingUpdateMath {
  maxSurge: number;
  maxUnavailable: number;
}

/** A Deployment's rolling update resolved as Kubernetes does: 25 % defaults, surge up, unavailable down. */
export function resolveDeploymentRollout(deployment: Deployment, replicas: number): RollingUpdateMath {
  const rollingUpdate = deployment.spec?.strategy?.rollingUpdate ?? {};
  const maxSurge = scaleIntOrPercent(rollingUpdate.maxSurge ?? '25%', replicas, true) ?? 0;
  let maxUnavailable = scaleIntOrPercent(rollingUpdate.maxUnavailable ?? '25%', replicas, false) ?? 0;
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

function isRecreate(deployment: Deployment): boolean {
  return deployment.spec?.strategy?.type === 'Recreate';
}

/** Deployments, StatefulSets and ownerless ReplicaSets: what rollout and placement rules judge by replicas. */
export function isReplicated(workload: Workload): boolean {
  return workload.kind === 'Deployment' || workload.kind === 'StatefulSet' || workload.kind === 'ReplicaSet';
}

function replicasEvidence(index: SnapshotIndex, workload: Workload): Record<string, number | string | null> {
  const hpa = index.hpaOf(workload);
  return {
    replicas: index.replicas(workload),
    replicasFrom: hpa ? `HorizontalPodAutoscaler ${nameOf(hpa)} minReplicas` : workload.specReplicas === undefined ? 'default (1)' : 'spec.replicas',
  };
}

export const recreateStrategy: Rule = {
  id: 'recreate-strategy',
  title: 'Deployment uses the Recreate strategy',
  category: 'rollout',
  requires: 'manifest',
  severity: 'critical (warning for ClusterIP-only)',
  description:
    'Recreate deletes every old pod before it starts a new one: the Service has no endpoint for the whole rollout and every request in that window fails.',
  check(context) {
    for (const workload of context.index.workloads) {
      if (workload.kind !== 'Deployment' || !context.index.isServiceBacked(workload)) continue;
      if (!isRecreate(workload.object as Deployment)) continue;
      context.report({
        severity: forExposure('critical', context.index, workload),
        subject: workloadSubject(workload),
        message: `${describeWorkload(workload)} uses strategy Recreate, so every rollout leaves its Services without a single pod to serve.`,
        evidence: { strategy: 'Recreate', services: context.index.servicesOf(workload).map(nameOf) },
        remediation: {
          summary: 'Roll pods one at a time, adding a new pod before removing an old one.',
          yaml: 'spec:\n  strategy:\n    type: RollingUpdate\n    rollingUpdate:\n      maxSurge: 1\n      maxUnavailable: 0',
        },
      });
    }
  },
};

export const singleReplica: Rule = {
  id: 'single-replica',
  title: 'Service-backed workload runs a single replica',
  category: 'rollout',
  requires: 'manifest',
  severity: 'warning (info for ClusterIP-only)',
  description:
    'With one replica, a node drain, eviction or crash leaves the Service without a ready pod, and a rollout has no second pod to absorb traffic while the new one warms up.',
  check(context) {
    for (const workload of context.index.workloads) {
      if (!isReplicated(workload) || !context.index.isServiceBacked(workload)) continue;
      if (context.index.replicas(workload) !== 1) continue;
      const hpa = context.index.hpaOf(workload);
      context.report({
        severity: forExposure('warning', context.index, workload),
        subject: workloadSubject(workload),
        message: `${describeWorkload(workload)} runs 1 replica, so a node drain or crash leaves Service ${quoteList(context.index.servicesOf(workload).map(nameOf))} with no pod to serve.`,
        evidence: replicasEvidence(context.index, workload),
        remediation: {
          summary: hpa ? `Raise the HorizontalPodAutoscaler's minReplicas to 2.` : 'Run at least 2 replicas (and spread them over nodes).',
          yaml: hpa ? 'spec:\n  minReplicas: 2' : 'spec:\n  replicas: 2',
        },
      });
    }
  },
};

export const rolloutCapacityDip: Rule = {
  id: 'rollout-capacity-dip',
  title: 'Rolling update removes serving capacity',
  category: 'rollout',
  requires: 'manifest',
  severity: 'warning (info for ClusterIP-only)',
  description:
    'A rolling update with maxSurge 0 takes pods away before replacements are ready; one whose maxUnavailable is half the replicas or more halves capacity mid-rollout. Under load, the remaining pods overflow.',
  check(context) {
    for (const workload of context.index.workloads) {
      if (workload.kind !== 'Deployment' || !context.index.isServiceBacked(workload)) continue;
      const deployment = workload.object as Deployment;
      if (isRecreate(deployment)) continue;
      const replicas = context.index.replicas(workload);
      if (replicas < 1) continue;
      const math = resolveDeploymentRollout(deployment, replicas);
      const noSurge = math.maxSurge === 0 && math.maxUnavailable >= 1;
      const halfDown = math.maxUnavailable * 2 >= replicas;
      if (!noSurge && !halfDown) continue;
      context.report({
        severity: forExposure('warning', context.index, workload),
        subject: workloadSubject(workload),
        message: noSurge
          ? `${describeWorkload(workload)} rolls out with maxSurge 0, removing up to ${math.maxUnavailable} of ${replicas} pods before their replacements are ready.`
          : `${describeWorkload(workload)} may take ${math.maxUnavailable} of its ${replicas} pods out of service at once during a rollout.`,
        evidence: { ...replicasEvidence(context.index, workload), maxSurge: math.maxSurge, maxUnavailable: math.maxUnavailable },
        remediation: {
          summary: 'Surge new pods first and keep every old pod until its replacement is ready.',
          yaml: 'spec:\n  strategy:\n    type: RollingUpdate\n    rollingUpdate:\n      maxSurge: 25%\n      maxUnavailable: 0',
        },
      });
    }
  },
};

function daemonSetMaxSurgeIsZero(daemonSet: DaemonSet): boolean {
  if ((daemonSet.spec?.updateStrategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return false;
  const surge = daemonSet.spec?.updateStrategy?.rollingUpdate?.maxSurge ?? 0;
  return isPercent(surge) ? percentOf(surge) === 0 : asCount(surge) === 0;
}

function clusterOlderThan(version: string | undefined, major: number, minor: number): boolean {
  const parsed = parseKubernetesVersion(version);
  return parsed !== undefined && (parsed[0] < major || (parsed[0] === major && parsed[1] < minor));
}

export const localTrafficRolloutUnsafe: Rule = {
  id: 'local-traffic-rollout-unsafe',
  title: 'Rolling update can empty a node behind an externalTrafficPolicy: Local Service',
  category: 'rollout',
  requires: 'manifest',
  severity: 'critical / warning',
  description:
    'With externalTrafficPolicy: Local the load balancer sends a node traffic only for its own pods. A rollout that deletes a pod before its replacement is ready (maxUnavailable > 0, maxSurge 0, or a DaemonSet with maxSurge 0) can leave a node with no ready pod while the load balancer still routes to it.',
  check(context) {
    for (const workload of context.index.workloads) {
      if (workload.kind !== 'Deployment' && workload.kind !== 'DaemonSet') continue;
      const localServices = context.index
        .servicesOf(workload)
        .filter((s) => isExposedService(s) && externalTrafficPolicy(s) === 'Local' && !isPodDirectBackend(s));
      if (localServices.length === 0) continue;

      let unsafeBecause: string;
      const evidence: Record<string, number | string | string[]> = { services: localServices.map(nameOf) };
      if (workload.kind === 'Deployment') {
        const deployment = workload.object as Deployment;
        if (isRecreate(deployment)) continue; // recreate-strategy reports it
        const math = resolveDeploymentRollout(deployment, context.index.replicas(workload));
        if (math.maxUnavailable === 0 && math.maxSurge > 0) continue;
        unsafeBecause = math.maxSurge === 0 ? 'maxSurge 0' : `maxUnavailable ${math.maxUnavailable}`;
        Object.assign(evidence, { maxSurge: math.maxSurge, maxUnavailable: math.maxUnavailable });
      } else {
        if (!daemonSetMaxSurgeIsZero(workload.object as DaemonSet)) continue;
        unsafeBecause = "maxSurge 0 (each node's only pod is deleted before its replacement is ready)";
        evidence['maxSurge'] = 0;
      }

      const withoutPreStop = context.index
        .servingContainers(workload)
        .filter((c) => !preStopDuration(c).present)
        .map((c) => c.name ?? '');
      const oldKubeProxy = clusterOlderThan(context.snapshot.facts.kubernetesVersion, 1, 26);
      const critical = withoutPreStop.length > 0 || oldKubeProxy;
      if (withoutPreStop.length > 0) evidence['containersWithoutPreStop'] = withoutPreStop;
      if (context.snapshot.facts.kubernetesVersion) evidence['kubernetesVersion'] = context.snapshot.facts.kubernetesVersion;

      context.report({
        severity: critical ? 'critical' : 'warning',
        subject: workloadSubject(workload),
        subKey: localServices.map(nameOf).join(','),
        message: `${describeWorkload(workload)} is behind externalTrafficPolicy: Local Service ${quoteList(localServices.map(nameOf))} and rolls out with ${unsafeBecause}, so a node can lose its last ready pod while the load balancer still sends it traffic.`,
        evidence,
        suppressibleBy: localServices,
        remediation: {
          summary:
            workload.kind === 'DaemonSet'
              ? 'Start the new pod on each node before stopping the old one (maxSurge 1, maxUnavailable 0), with minReadySeconds covering the load balancer health check; or use ENI (pod-direct) backends.'
              : 'Update in place: surge new pods and keep every old one until its replacement is ready, with minReadySeconds covering the load balancer health check and more replicas than nodes; or use ENI (pod-direct) backends.',
          yaml:
            workload.kind === 'DaemonSet'
              ? 'spec:\n  minReadySeconds: 15\n  updateStrategy:\n    type: RollingUpdate\n    rollingUpdate:\n      maxSurge: 1\n      maxUnavailable: 0'
              : 'spec:\n  minReadySeconds: 15\n  strategy:\n    type: RollingUpdate\n    rollingUpdate:\n      maxSurge: 50%\n      maxUnavailable: 0\n' +
                '# or, on Alibaba Cloud, make pods the backends (Service metadata):\n' +
                '# metadata:\n#   annotations:\n#     service.beta.kubernetes.io/backend-type: eni',
        },
      });
    }
  },
};

/** The labels a suggested PDB should select: the workload's own selector, else its pod labels. */
function selectorLabels(workload: Workload): Record<string, string> {
  const spec = (workload.object as { spec?: { selector?: { matchLabels?: Record<string, string> } } }).spec;
  const matchLabels = spec?.selector?.matchLabels;
  return matchLabels && Object.keys(matchLabels).length > 0 ? matchLabels : workload.podLabels;
}

export const pdbMissing: Rule = {
  id: 'pdb-missing',
  title: 'No PodDisruptionBudget protects the workload',
  category: 'rollout',
  requires: 'manifest',
  severity: 'warning (info for ClusterIP-only)',
  description: 'Without a PodDisruptionBudget, a node drain or cluster-autoscaler scale-down may evict every replica at once, even in the middle of a rollout.',
  check(context) {
    for (const workload of context.index.workloads) {
      if (!isReplicated(workload) || !context.index.isServiceBacked(workload)) continue;
      const replicas = context.index.replicas(workload);
      if (replicas < 2 || context.index.pdbsOf(workload).length > 0) continue;
      const labels = selectorLabels(workload);
      const matchLabels = Object.entries(labels)
        .map(([k, v]) => `${k}: ${JSON.stringify(String(v))}`)
        .join('\n');
      context.report({
        severity: forExposure('warning', context.index, workload),
        subject: workloadSubject(workload),
        message: `${describeWorkload(workload)} runs ${replicas} replicas with no PodDisruptionBudget, so a node drain can evict all of them at once.`,
        evidence: replicasEvidence(context.index, workload),
        remediation: {
          summary: 'Add a PodDisruptionBudget that lets one pod go at a time.',
          yaml:
            `apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: ${workload.name}\n  namespace: ${workload.namespace}\n` +
            `spec:\n  maxUnavailable: 1\n  selector:\n    matchLabels:\n${indent(matchLabels, 6)}`,
        },
      });
    }
  },
};

interface DisruptionVerdict {
  blocks: boolean;
  reason: string;
}

function judgeDisruptionBudget(pdb: PodDisruptionBudget, selectedReplicas: number | undefined): DisruptionVerdict {
  const { minAvailable, maxUnavailable } = pdb.spec ?? {};
  if (maxUnavailable !== undefined) {
    const zero = isPercent(maxUnavailable) ? percentOf(maxUnavailable) === 0 : asCount(maxUnavailable) === 0;
    return { blocks: zero, reason: `maxUnavailable is ${String(maxUnavailable)}` };
  }
  if (minAvailable === undefined) return { blocks: false, reason: '' };
  if (isPercent(minAvailable) && percentOf(minAvailable) >= 100) {
    return { blocks: true, reason: `minAvailable is ${minAvailable}` };
  }
  if (selectedReplicas === undefined || selectedReplicas === 0) return { blocks: false, reason: '' };
  const required = scaleIntOrPercent(minAvailable, selectedReplicas, true);
  if (required === undefined || required < selectedReplicas) return { blocks: false, reason: '' };
  return {
    blocks: true,
    reason: `minAvailable ${String(minAvailable)} requires ${required} of the ${selectedReplicas} selected replicas to stay up`,
  };
}

export const pdbBlocksEviction: Rule = {
  id: 'pdb-blocks-eviction',
  title: 'PodDisruptionBudget never allows a disruption',
  category: 'rollout',
  requires: 'manifest',
  severity: 'warning',
  description:
    'A PodDisruptionBudget that can never allow a disruption (maxUnavailable 0, minAvailable 100 %, or minAvailable at or above the replicas) makes node drains and autoscaler scale-downs hang, which blocks node upgrades.',
  check(context) {
    for (const pdb of context.snapshot.podDisruptionBudgets) {
      const selected = context.index.workloadsOfPdb(pdb);
      // A DaemonSet's pod count depends on the nodes: the replica comparison cannot be made.
      const countable = selected.length > 0 && selected.every(isReplicated);
      const replicas = countable ? selected.reduce((sum, w) => sum + context.index.replicas(w), 0) : undefined;
      const verdict = judgeDisruptionBudget(pdb, replicas);
      if (!verdict.blocks) continue;
      const namespace = namespaceOf(pdb);
      const name = nameOf(pdb);
      context.report({
        severity: 'warning',
        subject: { kind: 'PodDisruptionBudget', namespace, name, object: pdb },
        message: `PodDisruptionBudget ${namespace}/${name} never allows a pod to be evicted (${verdict.reason}), so node drains and scale-downs hang.`,
        evidence: {
          reason: verdict.reason,
          selectedWorkloads: selected.map((w) => `${w.kind}/${w.name}`),
          ...(replicas !== undefined ? { selectedReplicas: replicas } : {}),
        },
        suppressibleBy: selected.map((w) => w.object),
        remediation: {
          summary: 'Allow one pod at a time to be evicted; drains then proceed pod by pod while the rest keep serving.',
          yaml: 'spec:\n  maxUnavailable: 1',
        },
      });
    }
  },
};
