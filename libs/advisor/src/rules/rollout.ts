import type { DaemonSet, Deployment, PodDisruptionBudget } from '../model/k8s.js';
import type { Rule } from '../engine/rule.js';
import { forExposure } from '../engine/severity.js';
import type { SnapshotIndex } from '../snapshot-index/snapshot-index.js';
import { externalTrafficPolicy, isExposedService } from '../snapshot-index/snapshot-index.js';
import { nameOf, namespaceOf, type Workload } from '../snapshot-index/workloads.js';
import { isPodDirectBackend } from '../util/annotations.js';
import { asCount, isPercent, percentOf, scaleIntOrPercent } from '../util/numbers.js';
import { versionAtLeast } from '../engine/options.js';
import { lbPathOf, removalWindow, type LbPath } from '../profiles/backend.js';
import { providerForService } from '../util/provider.js';
import type { JsonObject, Remediation } from '../model/finding.js';
import { createRemediation, decisionRemediation, patchRemediation } from '../remediation/build.js';
import { describeWorkload, preStopDuration, quoteList, targetOf, workloadSubject } from './helpers.js';

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
        remediation: recreateRemediation(context.index, workload),
      });
    }
  },
};

function usesVolumeClaims(workload: Workload): boolean {
  return (workload.podSpec?.volumes ?? []).some((v) => v.persistentVolumeClaim !== undefined);
}

function recreateRemediation(index: SnapshotIndex, workload: Workload): Remediation {
  const summary = 'Roll pods one at a time, adding a new pod before removing an old one.';
  const patch: JsonObject = { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } } };
  if (usesVolumeClaims(workload)) {
    return decisionRemediation(
      summary,
      'the pods mount a PersistentVolumeClaim: a ReadWriteOnce volume cannot attach to the new pod while the old one holds it, so the strategy depends on the volume (ReadWriteMany, or a StatefulSet)',
      'spec:\n  strategy:\n    type: RollingUpdate\n    rollingUpdate:\n      maxSurge: 1\n      maxUnavailable: 0  # only with a volume two pods can share',
    );
  }
  if (index.holdsHostPorts(workload)) {
    return decisionRemediation(
      summary,
      'the pods hold host ports (hostPort or hostNetwork): a surge pod needs a spare node, so how many pods may go at once is a capacity choice',
      'spec:\n  strategy:\n    type: RollingUpdate\n    rollingUpdate:\n      maxSurge: 0\n      maxUnavailable: 1  # with a preStop sleep and a PodDisruptionBudget; surge needs spare nodes',
    );
  }
  return patchRemediation(summary, targetOf(workload), patch);
}

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
        remediation: decisionRemediation(
          hpa ? `Raise the HorizontalPodAutoscaler's minReplicas to 2.` : 'Run at least 2 replicas (and spread them over nodes, with a PodDisruptionBudget).',
          'the replica count is a capacity and cost choice, and some apps (leader-elected controllers, single-writer databases) cannot run two copies',
          hpa ? `# HorizontalPodAutoscaler ${nameOf(hpa)}\nspec:\n  minReplicas: 2` : 'spec:\n  replicas: 2',
        ),
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
      // Pods that hold host ports cannot surge on a node: maxSurge 0 is their right setting (RULES.md, "Host ports").
      const hostPorts = context.index.holdsHostPorts(workload);
      const noSurge = math.maxSurge === 0 && math.maxUnavailable >= 1 && !hostPorts;
      const halfDown = math.maxUnavailable * 2 >= replicas;
      if (!noSurge && !halfDown) continue;
      context.report({
        severity: forExposure('warning', context.index, workload),
        subject: workloadSubject(workload),
        message: noSurge
          ? `${describeWorkload(workload)} rolls out with maxSurge 0, removing up to ${math.maxUnavailable} of ${replicas} pods before their replacements are ready.`
          : `${describeWorkload(workload)} may take ${math.maxUnavailable} of its ${replicas} pods out of service at once during a rollout.`,
        evidence: { ...replicasEvidence(context.index, workload), maxSurge: math.maxSurge, maxUnavailable: math.maxUnavailable },
        remediation: hostPorts
          ? replicas >= 3
            ? patchRemediation('Replace one pod at a time: its pods hold host ports, so a surge pod would need a spare node.', targetOf(workload), {
                spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } } },
              })
            : decisionRemediation(
                'Run more replicas, or keep spare nodes for a surge: its pods hold host ports.',
                'with host ports and fewer than 3 replicas, any rollout takes half the capacity unless there are spare nodes: replicas and nodes are capacity choices',
                'spec:\n  replicas: 3\n  strategy:\n    rollingUpdate:\n      maxSurge: 0\n      maxUnavailable: 1',
              )
          : patchRemediation('Surge new pods first and keep every old pod until its replacement is ready.', targetOf(workload), {
              spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { ...(math.maxSurge === 0 ? { maxSurge: '25%' } : {}), maxUnavailable: 0 } } },
            }),
      });
    }
  },
};

function daemonSetMaxSurgeIsZero(daemonSet: DaemonSet): boolean {
  if ((daemonSet.spec?.updateStrategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return false;
  const surge = daemonSet.spec?.updateStrategy?.rollingUpdate?.maxSurge ?? 0;
  return isPercent(surge) ? percentOf(surge) === 0 : asCount(surge) === 0;
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
      // Below 1.26 kube-proxy drops a node's last, terminating endpoint at once (KEP-1669): preStop cannot help.
      const oldKubeProxy = !versionAtLeast(context.options, 1, 26);
      const critical = withoutPreStop.length > 0 || oldKubeProxy;
      if (withoutPreStop.length > 0) evidence['containersWithoutPreStop'] = withoutPreStop;
      evidence['kubernetesVersion'] = context.snapshot.facts.kubernetesVersion ?? context.options.kubernetesVersion.join('.');
      // How long the load balancer keeps sending to an emptied node: the profile's W_remove (PROVIDERS.md section 5).
      const windows = localServices
        .map((s) =>
          lbPathOf(
            s,
            providerForService(s, context.options.namedProvider, context.options.provider),
            context.options.profileOverrides,
            context.options.backendEnv,
          ),
        )
        .filter((p): p is LbPath => p !== undefined)
        .map((p) => ({ profile: p.profile.id, ...removalWindow(p.profile) }));
      if (windows.length > 0) {
        const worst = windows.reduce((a, b) => (b.seconds > a.seconds ? b : a));
        evidence['profile'] = worst.profile;
        evidence['emptiedNodeWindowSeconds'] = worst.seconds;
      }

      context.report({
        severity: critical ? 'critical' : 'warning',
        subject: workloadSubject(workload),
        subKey: localServices.map(nameOf).join(','),
        message: `${describeWorkload(workload)} is behind externalTrafficPolicy: Local Service ${quoteList(localServices.map(nameOf))} and rolls out with ${unsafeBecause}, so a node can lose its last ready pod while the load balancer still sends it traffic.`,
        evidence,
        suppressibleBy: localServices,
        remediation: localTrafficRemediation(context.index, workload),
      });
    }
  },
};

const LB_HEALTH_CHECK_SECONDS = 15;

function localTrafficRemediation(index: SnapshotIndex, workload: Workload): Remediation {
  const eni =
    '# or, on Alibaba Cloud, make pods the backends (Service metadata):\n# metadata:\n#   annotations:\n#     service.beta.kubernetes.io/backend-type: eni';
  const minReady = Math.max(LB_HEALTH_CHECK_SECONDS, (workload.object as Deployment).spec?.minReadySeconds ?? 0);
  const strategyKey = workload.kind === 'DaemonSet' ? 'updateStrategy' : 'strategy';
  if (index.holdsHostPorts(workload)) {
    return decisionRemediation(
      'Its pods hold host ports, so a new pod cannot start on a node before the old one stops: pair maxUnavailable 1 with a preStop sleep and a PodDisruptionBudget, keep spare nodes for a surge, or make pods the backends (ENI mode).',
      "with host ports the in-place update needs spare nodes or a pod-direct load balancer mode: node capacity and the load balancer mode are the team's choice",
      `spec:\n  minReadySeconds: ${minReady}\n  ${strategyKey}:\n    rollingUpdate:\n      maxSurge: 0\n      maxUnavailable: 1\n${eni}`,
    );
  }
  if (workload.kind === 'DaemonSet') {
    return patchRemediation(
      'Start the new pod on each node before stopping the old one (maxSurge 1, maxUnavailable 0), with minReadySeconds covering the load balancer health check; or use ENI (pod-direct) backends.',
      targetOf(workload),
      { spec: { minReadySeconds: minReady, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } } },
      eni,
    );
  }
  return patchRemediation(
    'Update in place: surge new pods and keep every old one until its replacement is ready, with minReadySeconds covering the load balancer health check (and more replicas than nodes); or use ENI (pod-direct) backends.',
    targetOf(workload),
    { spec: { minReadySeconds: minReady, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '50%', maxUnavailable: 0 } } } },
    eni,
  );
}

/** The selector a suggested PDB should use: the workload's own selector, else its pod labels. */
function pdbSelector(workload: Workload): JsonObject {
  const selector = (workload.object as { spec?: { selector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] } } }).spec?.selector;
  if (selector && (Object.keys(selector.matchLabels ?? {}).length > 0 || (selector.matchExpressions ?? []).length > 0)) {
    return JSON.parse(JSON.stringify(selector)) as JsonObject;
  }
  return { matchLabels: Object.fromEntries(Object.entries(workload.podLabels).map(([k, v]) => [k, String(v)])) };
}

export const pdbMissing: Rule = {
  id: 'pdb-missing',
  title: 'No PodDisruptionBudget protects the workload',
  category: 'rollout',
  requires: 'manifest',
  severity: 'warning (info for ClusterIP-only)',
  description: 'Without a PodDisruptionBudget, a node drain or cluster-autoscaler scale-down may evict every replica at once, even in the middle of a rollout.',
  check(context) {
    // The PDB names taken in each namespace, read once: the new PDB must not reuse one.
    const takenNames = new Set(context.snapshot.podDisruptionBudgets.map((p) => `${namespaceOf(p)}/${nameOf(p)}`));
    for (const workload of context.index.workloads) {
      if (!isReplicated(workload) || !context.index.isServiceBacked(workload)) continue;
      const replicas = context.index.replicas(workload);
      if (replicas < 2 || context.index.pdbsOf(workload).length > 0) continue;
      const pdbName = takenNames.has(`${workload.namespace}/${workload.name}`) ? `${workload.name}-pdb` : workload.name;
      context.report({
        severity: forExposure('warning', context.index, workload),
        subject: workloadSubject(workload),
        message: `${describeWorkload(workload)} runs ${replicas} replicas with no PodDisruptionBudget, so a node drain can evict all of them at once.`,
        evidence: replicasEvidence(context.index, workload),
        remediation: createRemediation('Add a PodDisruptionBudget that lets one pod go at a time.', targetOf(workload), {
          apiVersion: 'policy/v1',
          kind: 'PodDisruptionBudget',
          // A workload written without a namespace (applied with -n) gets a PDB without one.
          metadata: { name: pdbName, ...(workload.object.metadata?.namespace ? { namespace: workload.namespace } : {}) },
          // From 1.27 (on by default) an unready pod can be evicted whatever the budget: a
          // crash-looping replica then never blocks a node drain (KEP-3017, PROVIDERS.md section 4).
          spec: {
            maxUnavailable: 1,
            selector: pdbSelector(workload),
            ...(versionAtLeast(context.options, 1, 27) ? { unhealthyPodEvictionPolicy: 'AlwaysAllow' } : {}),
          },
        }),
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
        remediation: (() => {
          const summary = 'Allow one pod at a time to be evicted; drains then proceed pod by pod while the rest keep serving.';
          const patch: JsonObject = { spec: { ...(pdb.spec?.minAvailable !== undefined ? { minAvailable: null } : {}), maxUnavailable: 1 } };
          if (replicas !== undefined && replicas >= 2) return patchRemediation(summary, { kind: 'PodDisruptionBudget', namespace, name }, patch);
          return decisionRemediation(
            summary,
            replicas === undefined
              ? "the pods it protects are not in the upload (or are a DaemonSet's): allowing an eviction is only safe where 2 or more of them serve"
              : 'it protects a single pod: allowing its eviction drops the Service during a drain, so raise the replicas first',
            pdb.spec?.minAvailable !== undefined
              ? 'spec:\n  minAvailable: null  # remove it: both fields is invalid\n  maxUnavailable: 1'
              : 'spec:\n  maxUnavailable: 1',
          );
        })(),
      });
    }
  },
};
