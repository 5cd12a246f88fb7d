import type { LabelSelector, Pod, PodAffinityTerm, Service } from '../model/k8s.js';
import type { Rule } from '../engine/rule.js';
import { forExposure } from '../engine/severity.js';
import type { SnapshotIndex } from '../snapshot-index/snapshot-index.js';
import { externalTrafficPolicy, isLoadBalancer } from '../snapshot-index/snapshot-index.js';
import { nameOf, namespaceOf, type Workload } from '../snapshot-index/workloads.js';
import { isPodDirectBackend } from '../util/annotations.js';
import { matchesLabelSelector } from '../util/selectors.js';
import type { JsonObject, Remediation } from '../model/finding.js';
import { decisionRemediation, patchRemediation, podPatch } from '../remediation/build.js';
import { describeWorkload, targetOf, workloadSubject } from './helpers.js';
import { backendFilterOf, isBackendOf } from './lb-backends.js';
import { isReplicated } from './rollout.js';

const SPREAD_TOPOLOGY_KEYS = new Set(['kubernetes.io/hostname', 'topology.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/zone']);

interface SpreadTerm {
  topologyKey?: string;
  labelSelector?: LabelSelector;
  namespaces?: string[];
  namespaceSelector?: LabelSelector;
}

function termCovers(term: SpreadTerm, workload: Workload): boolean {
  if (!term.topologyKey || !SPREAD_TOPOLOGY_KEYS.has(term.topologyKey)) return false;
  if (!matchesLabelSelector(term.labelSelector, workload.podLabels)) return false;
  // A namespaceSelector cannot be judged without namespace labels: it is given the benefit of the doubt.
  if (term.namespaceSelector) return true;
  return !term.namespaces || term.namespaces.length === 0 || term.namespaces.includes(workload.namespace);
}

/** The workload has pod anti-affinity or a topology spread constraint over nodes or zones that selects its own pods. */
export function hasSpread(workload: Workload): boolean {
  const spec = workload.podSpec;
  const antiAffinity = spec?.affinity?.podAntiAffinity;
  const terms: Array<PodAffinityTerm | undefined> = [
    ...(antiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
    ...(antiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((p) => p.podAffinityTerm),
  ];
  if (terms.some((term) => term && termCovers(term, workload))) return true;
  return (spec?.topologySpreadConstraints ?? []).some((constraint) => termCovers(constraint, workload));
}

/** The labels that identify the workload's pods: its own selector's matchLabels, else its pod labels. */
function ownPodLabels(workload: Workload): JsonObject {
  const matchLabels = (workload.object as { spec?: { selector?: { matchLabels?: Record<string, string> } } }).spec?.selector?.matchLabels;
  const labels = matchLabels && Object.keys(matchLabels).length > 0 ? matchLabels : workload.podLabels;
  return Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, String(v)]));
}

/** A soft spread over nodes (ScheduleAnyway never blocks scheduling). */
function spreadPatch(workload: Workload): JsonObject {
  return podPatch(workload, {
    topologySpreadConstraints: [
      { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: ownPodLabels(workload) } },
    ],
  });
}

function spreadRemediation(workload: Workload): Remediation {
  const summary = 'Spread the replicas over nodes (and zones where you have them); ScheduleAnyway prefers other nodes without ever blocking a pod.';
  const existing = (workload.podSpec?.topologySpreadConstraints ?? []).some((c) => c.topologyKey === 'kubernetes.io/hostname');
  if (existing || Object.keys(ownPodLabels(workload)).length === 0) {
    return decisionRemediation(
      summary,
      existing
        ? "a hostname spread constraint exists but does not select the pods: which selector it should have is the team's call"
        : 'the pods carry no labels a spread constraint could select',
      '# spec.template.spec.topologySpreadConstraints: [{maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: <the pod labels>}}]',
    );
  }
  return patchRemediation(summary, targetOf(workload), spreadPatch(workload));
}

export const replicasNotSpread: Rule = {
  id: 'replicas-not-spread',
  title: 'Replicas are not spread over nodes or zones',
  category: 'placement',
  requires: 'manifest',
  severity: 'warning (info for ClusterIP-only)',
  description:
    'Without pod anti-affinity or a topology spread constraint, the scheduler may put every replica on one node: one node drain or failure takes the whole Service down.',
  check(context) {
    for (const workload of context.index.workloads) {
      if (!isReplicated(workload) || !context.index.isServiceBacked(workload)) continue;
      const replicas = context.index.replicas(workload);
      if (replicas < 2 || hasSpread(workload)) continue;
      context.report({
        severity: forExposure('warning', context.index, workload),
        subject: workloadSubject(workload),
        message: `${describeWorkload(workload)} runs ${replicas} replicas with no pod anti-affinity or topology spread constraint, so they may all land on one node.`,
        evidence: { replicas, podAntiAffinity: null, topologySpreadConstraints: null },
        remediation: spreadRemediation(workload),
      });
    }
  },
};

function isReadyPod(pod: Pod): boolean {
  if (pod.metadata?.deletionTimestamp) return false;
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

export const replicasOnSingleNode: Rule = {
  id: 'replicas-on-single-node',
  title: 'All ready replicas run on one node',
  category: 'placement',
  requires: 'live',
  reads: ['pods'],
  severity: 'critical (warning for ClusterIP-only)',
  description: 'Every ready pod of the workload runs on the same node: draining or losing that node drops all its traffic at once.',
  check(context) {
    for (const workload of context.index.workloads) {
      if (!isReplicated(workload) || !context.index.isServiceBacked(workload)) continue;
      if (context.index.replicas(workload) < 2) continue;
      const ready = context.index.podsOf(workload).filter(isReadyPod);
      if (ready.length === 0) continue; // no ready pod at all: endpoints-not-ready's business
      const nodes = new Set(ready.map((p) => p.spec?.nodeName ?? ''));
      if (nodes.size !== 1) continue;
      const [node] = [...nodes];
      context.report({
        severity: forExposure('critical', context.index, workload),
        subject: workloadSubject(workload),
        message: `${describeWorkload(workload)}: all ${ready.length} ready pod(s) run on node "${node}", so draining or losing it drops all of its traffic.`,
        evidence: { node: node ?? '', readyPods: ready.map(nameOf) },
        remediation: decisionRemediation(
          'Spread the replicas over nodes; pods are rescheduled on their next rollout.',
          'where the pods run is cluster state: they move only when the team rolls the workload out again (or drains the node)',
          spreadRemediation(workload).yaml,
        ),
      });
    }
  },
};

/** Ready endpoints per node for a Service: from EndpointSlices, else from the pods it selects. */
export function readyEndpointsPerNode(index: SnapshotIndex, service: Service): Map<string, number> {
  const perNode = new Map<string, number>();
  const endpoints = index.endpointsOf(service);
  const nodes = endpoints
    ? endpoints.filter((e) => e.ready && !e.terminating).map((e) => e.nodeName)
    : index
        .podsSelectedBy(service)
        .filter(isReadyPod)
        .map((p) => p.spec?.nodeName);
  for (const node of nodes) if (node) perNode.set(node, (perNode.get(node) ?? 0) + 1);
  return perNode;
}

export const localTrafficNodeSinglePod: Rule = {
  id: 'local-traffic-node-single-pod',
  title: 'Load balancer backend nodes hold a single ready pod',
  category: 'placement',
  requires: 'live',
  reads: ['pods', 'endpointSlices'],
  severity: 'warning',
  description:
    'With externalTrafficPolicy: Local, a node that is a load balancer backend with exactly one ready pod drops the traffic the load balancer still sends it as soon as that pod terminates.',
  check(context) {
    for (const service of context.index.services) {
      if (!isLoadBalancer(service) || externalTrafficPolicy(service) !== 'Local' || isPodDirectBackend(service)) continue;
      const filter = backendFilterOf(service);
      const single = [...readyEndpointsPerNode(context.index, service)]
        .filter(([node, count]) => count === 1 && isBackendOf(context.index.node(node), filter))
        .map(([node]) => node);
      if (single.length === 0) continue;
      single.sort();
      const namespace = namespaceOf(service);
      const name = nameOf(service);
      context.report({
        severity: 'warning',
        subject: { kind: 'Service', namespace, name, object: service },
        message: `Service ${namespace}/${name} (externalTrafficPolicy: Local) has ${single.length} backend node(s) holding a single ready pod, which drop their load balancer traffic when that pod terminates.`,
        evidence: { nodes: single.slice(0, 50), nodeCount: single.length },
        remediation: decisionRemediation(
          'Run more replicas than backend nodes and pin them to a labelled node set, roll out with maxSurge and maxUnavailable 0, or make pods the backends (ENI mode).',
          'replicas, node placement and the load balancer mode are capacity and network choices only the team can make',
          'metadata:\n  annotations:\n    service.beta.kubernetes.io/backend-type: eni  # Alibaba Cloud with Terway',
        ),
      });
    }
  },
};
