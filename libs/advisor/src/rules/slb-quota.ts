import type { Node } from '../model/k8s.js';
import type { Rule } from '../engine/rule.js';
import { externalTrafficPolicy, isLoadBalancer } from '../snapshot-index/snapshot-index.js';
import { nameOf, namespaceOf } from '../snapshot-index/workloads.js';
import { isPodDirectBackend } from '../util/annotations.js';
import { backendFilterOf, isEligibleBackendNode, passesBackendFilter, type BackendFilter } from './lb-backends.js';
import { readyEndpointsPerNode } from './placement.js';
import { decisionRemediation } from '../remediation/build.js';

const WARNING_RATIO = 0.8;
const LISTED_SERVICES = 20;

interface NodeLoad {
  attachments: number;
  services: string[];
  serviceCount: number;
}

/** Cluster-mode Services that share a backend filter share one set of nodes: they are counted once per node. */
interface ClusterModeGroup {
  filter: BackendFilter;
  ports: number;
  services: string[];
}

export const slbQuotaPerNode: Rule = {
  id: 'slb-quota-per-node',
  title: 'Node is near its load balancer attachment quota',
  category: 'service',
  requires: 'live',
  provider: 'alibaba',
  reads: ['nodes', 'services', 'endpointSlices', 'pods'],
  severity: 'warning / critical',
  description:
    'Each ECS instance can be attached to a limited number of backend server groups (slb_quota_backendserver_attached_num, 50 by default); the cloud controller makes one vServer group per Service port. Past the quota the controller cannot reconcile, and rollouts stop getting new backends.',
  check(context) {
    const quota = context.options.slbAttachmentQuota;
    const eligible = context.snapshot.nodes.filter(isEligibleBackendNode);
    const loads = new Map<Node, NodeLoad>();
    const load = (node: Node): NodeLoad => {
      let entry = loads.get(node);
      if (!entry) loads.set(node, (entry = { attachments: 0, services: [], serviceCount: 0 }));
      return entry;
    };
    const addService = (entry: NodeLoad, ports: number, names: string[]): void => {
      entry.attachments += ports;
      entry.serviceCount += names.length;
      for (const name of names) if (entry.services.length < LISTED_SERVICES) entry.services.push(name);
    };

    const groups = new Map<string, ClusterModeGroup>();
    for (const service of context.index.services) {
      if (!isLoadBalancer(service) || isPodDirectBackend(service)) continue;
      const ports = Math.max(1, service.spec?.ports?.length ?? 0);
      const label = `${namespaceOf(service)}/${nameOf(service)}`;
      const filter = backendFilterOf(service);
      if (externalTrafficPolicy(service) === 'Local') {
        for (const nodeName of readyEndpointsPerNode(context.index, service).keys()) {
          const node = context.index.node(nodeName);
          if (node && isEligibleBackendNode(node) && passesBackendFilter(node, filter)) addService(load(node), ports, [label]);
        }
        continue;
      }
      const key = JSON.stringify(filter);
      const group = groups.get(key) ?? { filter, ports: 0, services: [] };
      group.ports += ports;
      group.services.push(label);
      groups.set(key, group);
    }
    for (const group of groups.values()) {
      for (const node of eligible) if (passesBackendFilter(node, group.filter)) addService(load(node), group.ports, group.services);
    }

    for (const [node, entry] of loads) {
      if (entry.attachments < quota * WARNING_RATIO) continue;
      const over = entry.attachments >= quota;
      const name = nameOf(node);
      context.report({
        severity: over ? 'critical' : 'warning',
        subject: { kind: 'Node', namespace: '', name, object: node },
        message: over
          ? `Node ${name} is a backend of ${entry.attachments} vServer groups, at or over its quota of ${quota}: the cloud controller cannot attach it to more, and rollouts stop getting new backends.`
          : `Node ${name} is a backend of ${entry.attachments} vServer groups, ${Math.round((entry.attachments / quota) * 100)} % of its quota of ${quota}.`,
        evidence: {
          attachments: entry.attachments,
          quota,
          headroom: quota - entry.attachments,
          serviceCount: entry.serviceCount,
          services: entry.services,
        },
        remediation: decisionRemediation(
          'Take nodes out of the backend sets: ENI (pod) backends on Terway, externalTrafficPolicy: Local with in-place rollouts, or a backend-label on Services; or raise slb_quota_backendserver_attached_num with Alibaba Cloud and tell Rollsafe the new quota.',
          'which Services change their load balancer mode, or a quota increase, is a network and account choice',
          '# on the LoadBalancer Services that use this node:\nmetadata:\n  annotations:\n    service.beta.kubernetes.io/backend-type: eni',
        ),
      });
    }
  },
};
