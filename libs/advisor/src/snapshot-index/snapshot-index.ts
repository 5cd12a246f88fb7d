import type { Container, EndpointSliceEndpoint, HorizontalPodAutoscaler, Node, Pod, PodDisruptionBudget, Service, ServicePort } from '../model/k8s.js';
import type { OtherPodTemplate, Snapshot } from '../model/snapshot.js';
import { isEmptySelector } from '../util/selectors.js';
import { LabelIndex } from './label-index.js';
import { collectWorkloads, nameOf, namespaceOf, ownerKeyOfPod, replicaSetOwnerMap, workloadKey, type Workload } from './workloads.js';

/** One address behind a Service, from EndpointSlices (or the Endpoints fallback). */
export interface ServiceEndpoint {
  nodeName?: string;
  podName?: string;
  ready: boolean;
  terminating: boolean;
}

const EXPOSED_TYPES = new Set(['LoadBalancer', 'NodePort']);

export function serviceType(service: Service): string {
  return service.spec?.type ?? 'ClusterIP';
}

export function isLoadBalancer(service: Service): boolean {
  return serviceType(service) === 'LoadBalancer';
}

export function isExposedService(service: Service): boolean {
  return EXPOSED_TYPES.has(serviceType(service));
}

export function externalTrafficPolicy(service: Service): 'Local' | 'Cluster' {
  return service.spec?.externalTrafficPolicy === 'Local' ? 'Local' : 'Cluster';
}

/** The target port of a Service port: `targetPort`, defaulting to `port`. */
export function targetPortOf(port: ServicePort): number | string | undefined {
  return port.targetPort ?? port.port;
}

export function containerDeclaresPort(container: Container, target: number | string): boolean {
  return (container.ports ?? []).some((p) => (typeof target === 'number' || /^\d+$/.test(target) ? p.containerPort === Number(target) : p.name === target));
}

/**
 * Everything rules look up, built once per snapshot in time linear in its size: label
 * postings, Service -> workloads -> pods -> nodes, PDB/HPA -> workload, Service -> endpoints.
 */
export class SnapshotIndex {
  readonly workloads: Workload[];
  readonly services: Service[];
  private readonly workloadsByKey = new Map<string, Workload>();
  private readonly workloadLabels = new LabelIndex<Workload>((w) => w.podLabels);
  private readonly podLabels = new LabelIndex<Pod>((p) => p.metadata?.labels ?? {});
  private readonly servicesByWorkload = new Map<Workload, Service[]>();
  private readonly workloadsByService = new Map<Service, Workload[]>();
  private readonly podsByWorkload = new Map<Workload, Pod[]>();
  private readonly hpaByWorkload = new Map<Workload, HorizontalPodAutoscaler>();
  private readonly pdbsByWorkload = new Map<Workload, PodDisruptionBudget[]>();
  private readonly workloadsByPdb = new Map<PodDisruptionBudget, Workload[]>();
  private readonly endpointsByService = new Map<string, ServiceEndpoint[]>();
  private readonly nodesByName = new Map<string, Node>();
  private readonly servingByWorkload = new Map<Workload, Container[]>();
  private readonly otherTemplateLabels = new LabelIndex<OtherPodTemplate>((t) => t.labels);

  constructor(readonly snapshot: Snapshot) {
    this.workloads = collectWorkloads(snapshot);
    this.services = snapshot.services;
    for (const workload of this.workloads) {
      this.workloadsByKey.set(workloadKey(workload.kind, workload.namespace, workload.name), workload);
      this.workloadLabels.add(workload.namespace, workload);
    }
    this.indexServices();
    this.indexPods();
    this.indexAutoscalers();
    this.indexDisruptionBudgets();
    this.indexEndpoints();
    for (const node of snapshot.nodes) this.nodesByName.set(nameOf(node), node);
    for (const template of snapshot.otherPodTemplates) this.otherTemplateLabels.add(template.namespace, template);
  }

  private indexServices(): void {
    for (const service of this.services) {
      const selector = service.spec?.selector;
      const backing = isEmptySelector(selector) ? [] : this.workloadLabels.matchServiceSelector(namespaceOf(service), selector ?? {});
      this.workloadsByService.set(service, backing);
      for (const workload of backing) push(this.servicesByWorkload, workload, service);
    }
  }

  private indexPods(): void {
    const replicaSetOwners = replicaSetOwnerMap(this.snapshot);
    for (const pod of this.snapshot.pods) {
      this.podLabels.add(namespaceOf(pod), pod);
      const owner = this.workloadsByKey.get(ownerKeyOfPod(pod, replicaSetOwners));
      if (owner) push(this.podsByWorkload, owner, pod);
    }
  }

  private indexAutoscalers(): void {
    for (const hpa of this.snapshot.horizontalPodAutoscalers) {
      const target = hpa.spec?.scaleTargetRef;
      if (!target?.kind || !target.name) continue;
      const workload = this.workloadsByKey.get(workloadKey(target.kind, namespaceOf(hpa), target.name));
      if (workload) this.hpaByWorkload.set(workload, hpa);
    }
  }

  private indexDisruptionBudgets(): void {
    for (const pdb of this.snapshot.podDisruptionBudgets) {
      const selected = this.workloadLabels.matchLabelSelector(namespaceOf(pdb), pdb.spec?.selector);
      this.workloadsByPdb.set(pdb, selected);
      for (const workload of selected) push(this.pdbsByWorkload, workload, pdb);
    }
  }

  private indexEndpoints(): void {
    for (const slice of this.snapshot.endpointSlices) {
      const serviceName = slice.metadata?.labels?.['kubernetes.io/service-name'];
      if (!serviceName) continue;
      const key = serviceKey(namespaceOf(slice), serviceName);
      for (const endpoint of slice.endpoints ?? []) push(this.endpointsByService, key, fromSliceEndpoint(endpoint));
    }
    for (const endpoints of this.snapshot.endpoints) {
      const key = serviceKey(namespaceOf(endpoints), nameOf(endpoints));
      if (this.endpointsByService.has(key)) continue; // EndpointSlices win
      for (const subset of endpoints.subsets ?? []) {
        for (const address of subset.addresses ?? []) {
          push(this.endpointsByService, key, { nodeName: address.nodeName, podName: address.targetRef?.name, ready: true, terminating: false });
        }
        for (const address of subset.notReadyAddresses ?? []) {
          push(this.endpointsByService, key, { nodeName: address.nodeName, podName: address.targetRef?.name, ready: false, terminating: false });
        }
      }
    }
  }

  servicesOf(workload: Workload): Service[] {
    return this.servicesByWorkload.get(workload) ?? [];
  }

  workloadsOf(service: Service): Workload[] {
    return this.workloadsByService.get(service) ?? [];
  }

  isServiceBacked(workload: Workload): boolean {
    return this.servicesOf(workload).length > 0;
  }

  isExposed(workload: Workload): boolean {
    return this.servicesOf(workload).some(isExposedService);
  }

  /** Live pods whose labels match a Service's selector. */
  podsSelectedBy(service: Service): Pod[] {
    const selector = service.spec?.selector;
    if (isEmptySelector(selector)) return [];
    return this.podLabels.matchServiceSelector(namespaceOf(service), selector ?? {});
  }

  /** Workloads (any kind) in a namespace: used to tell a stale selector from a partial upload. */
  workloadsInNamespace(namespace: string): readonly Workload[] {
    return this.workloadLabels.inNamespace(namespace);
  }

  /** Pod templates of kinds the rules do not judge (ReplicationController, Job, ...) that a Service selects. */
  otherPodTemplatesSelectedBy(service: Service): OtherPodTemplate[] {
    const selector = service.spec?.selector;
    if (isEmptySelector(selector)) return [];
    return this.otherTemplateLabels.matchServiceSelector(namespaceOf(service), selector ?? {});
  }

  podsOf(workload: Workload): Pod[] {
    return this.podsByWorkload.get(workload) ?? [];
  }

  hpaOf(workload: Workload): HorizontalPodAutoscaler | undefined {
    return this.hpaByWorkload.get(workload);
  }

  pdbsOf(workload: Workload): PodDisruptionBudget[] {
    return this.pdbsByWorkload.get(workload) ?? [];
  }

  workloadsOfPdb(pdb: PodDisruptionBudget): Workload[] {
    return this.workloadsByPdb.get(pdb) ?? [];
  }

  /** Endpoints of a Service; undefined when the snapshot holds none for it. */
  endpointsOf(service: Service): ServiceEndpoint[] | undefined {
    return this.endpointsByService.get(serviceKey(namespaceOf(service), nameOf(service)));
  }

  node(name: string | undefined): Node | undefined {
    return name === undefined ? undefined : this.nodesByName.get(name);
  }

  /** Replicas per RULES.md: an HPA's minReplicas (default 1), else spec.replicas, else 1. */
  replicas(workload: Workload): number {
    const hpa = this.hpaOf(workload);
    if (hpa) return typeof hpa.spec?.minReplicas === 'number' ? hpa.spec.minReplicas : 1;
    return workload.specReplicas ?? 1;
  }

  /**
   * Containers that serve a Service's traffic: those whose ports include a backing Service's
   * targetPort (by number or name). Per Service, where no container declares its target
   * port, every container counts. Init containers never count.
   */
  servingContainers(workload: Workload): Container[] {
    let serving = this.servingByWorkload.get(workload);
    if (!serving) this.servingByWorkload.set(workload, (serving = this.computeServingContainers(workload)));
    return serving;
  }

  private computeServingContainers(workload: Workload): Container[] {
    const containers = workload.podSpec?.containers ?? [];
    if (containers.length === 0) return [];
    const serving = new Set<Container>();
    for (const service of this.servicesOf(workload)) {
      const targets = (service.spec?.ports ?? []).map(targetPortOf).filter((t) => t !== undefined);
      const declaring = containers.filter((c) => targets.some((t) => containerDeclaresPort(c, t)));
      for (const container of declaring.length > 0 ? declaring : containers) serving.add(container);
    }
    return containers.filter((c) => serving.has(c));
  }
}

export function serviceKey(namespace: string, name: string): string {
  return `${namespace}\u0000${name}`;
}

function fromSliceEndpoint(endpoint: EndpointSliceEndpoint): ServiceEndpoint {
  const conditions = endpoint.conditions ?? {};
  // EndpointSlice semantics: an unset `ready` means ready; terminating endpoints are never ready.
  const terminating = conditions.terminating === true;
  return {
    nodeName: endpoint.nodeName,
    podName: endpoint.targetRef?.kind === 'Pod' || !endpoint.targetRef?.kind ? endpoint.targetRef?.name : undefined,
    ready: conditions.ready !== false && !terminating,
    terminating,
  };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
