import type { Node, Service } from '../model/k8s.js';
import { alibabaAnnotation } from '../util/annotations.js';
import { matchesServiceSelector, parseLabelList } from '../util/selectors.js';

const EXCLUDE_LABELS = [
  'node.kubernetes.io/exclude-from-external-load-balancers',
  'alpha.service-controller.kubernetes.io/exclude-balancer',
  'service.alibabacloud.com/exclude-node',
  'service.beta.kubernetes.io/exclude-node',
];
const MASTER_LABELS = ['node-role.kubernetes.io/master', 'node-role.kubernetes.io/control-plane'];

/** Whether the cloud controller would attach a node to any load balancer: Ready, not a master, not excluded. */
export function isEligibleBackendNode(node: Node): boolean {
  const labels = node.metadata?.labels ?? {};
  if (MASTER_LABELS.some((l) => l in labels) || EXCLUDE_LABELS.some((l) => l in labels)) return false;
  return (node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** What decides, beyond eligibility, whether a node is a backend of one Service (Alibaba CCM annotations). */
export interface BackendFilter {
  backendLabels: Record<string, string> | undefined;
  removeUnscheduled: boolean;
}

export function backendFilterOf(service: Service): BackendFilter {
  const backendLabel = alibabaAnnotation(service, 'backend-label');
  return {
    backendLabels: backendLabel ? parseLabelList(backendLabel) : undefined,
    removeUnscheduled: alibabaAnnotation(service, 'remove-unscheduled-backend')?.toLowerCase() === 'on',
  };
}

export function passesBackendFilter(node: Node, filter: BackendFilter): boolean {
  if (filter.removeUnscheduled && node.spec?.unschedulable) return false;
  return !filter.backendLabels || matchesServiceSelector(filter.backendLabels, node.metadata?.labels);
}

/** A node a Service's load balancer would use, when the node is known. Unknown nodes get the benefit of the doubt. */
export function isBackendOf(node: Node | undefined, filter: BackendFilter): boolean {
  return node === undefined || (isEligibleBackendNode(node) && passesBackendFilter(node, filter));
}
