import type { Container, EndpointSliceEndpoint, HorizontalPodAutoscaler, Labels, Node, Pod, PodDisruptionBudget, Service, ServicePort } from '../model/k8s.js';
import type { CustomResourceRef, OtherPodTemplate, Snapshot } from '../model/snapshot.js';
import { isEmptySelector } from '../util/selectors.js';
import { parseKubernetesVersion } from '../util/numbers.js';
import { DEFAULT_KUBERNETES_VERSION } from '../engine/options.js';
import { detectProvider, type DetectedProvider } from '../util/provider.js';
import { LabelIndex } from './label-index.js';
import { collectWorkloads, nameOf, namespaceOf, ownerKeyOfPod, replicaSetOwnerMap, workloadKey, type Workload } from './workloads.js';

type SnapshotIngress = NonNullable<Snapshot['ingresses']>[number];

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

/** Port names that carry scrapes, not user traffic (RULES.md, "Scrape-only Services"). */
const SCRAPE_PORT_NAMES = new Set(['metrics', 'http-metrics', 'https-metrics', 'profiling', 'pprof']);

/** Every port of the Service is named for metrics or profiling: it carries scrapes, not user traffic. */
export function isScrapeOnlyService(service: Service): boolean {
  const ports = service.spec?.ports ?? [];
  return ports.length > 0 && ports.every((p) => typeof p.name === 'string' && (SCRAPE_PORT_NAMES.has(p.name) || p.name.endsWith('-metrics')));
}

/** Labels the controller adds to the pods it creates (RULES.md, "Labels the controller adds"). */
const CONTROLLER_LABELS = new Set([
  'statefulset.kubernetes.io/pod-name',
  'apps.kubernetes.io/pod-index',
  'pod-template-hash',
  'controller-revision-hash',
  'batch.kubernetes.io/job-name',
  'job-name',
]);

function splitSelector(selector: Labels): { plain: Labels; controller: Labels } {
  const plain: Labels = {};
  const controller: Labels = {};
  for (const key in selector) (CONTROLLER_LABELS.has(key) ? controller : plain)[key] = selector[key] as string;
  return { plain, controller };
}

function ordinalBelow(value: string, prefix: string, replicas: number): boolean {
  if (!value.startsWith(prefix)) return false;
  const ordinal = value.slice(prefix.length);
  return /^(0|[1-9]\d*)$/.test(ordinal) && Number(ordinal) < replicas;
}

/** Whether a pod made from this template by its controller carries the label (explicit labels win). */
function controllerLabelMatches(kind: string, name: string, labels: Labels, replicas: number, key: string, value: string): boolean {
  if (Object.prototype.hasOwnProperty.call(labels, key)) return labels[key] === value;
  switch (key) {
    case 'statefulset.kubernetes.io/pod-name':
      return kind === 'StatefulSet' && ordinalBelow(value, `${name}-`, replicas);
    case 'apps.kubernetes.io/pod-index':
      return kind === 'StatefulSet' && ordinalBelow(value, '', replicas);
    case 'pod-template-hash':
      return kind === 'Deployment';
    case 'controller-revision-hash':
      return kind === 'StatefulSet' || kind === 'DaemonSet';
    case 'batch.kubernetes.io/job-name':
    case 'job-name':
      return (kind === 'Job' && value === name) || (kind === 'CronJob' && value.startsWith(`${name}-`));
    default:
      return false;
  }
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
  private readonly workloadsByService = new Map<Service, readonly Workload[]>();
  private readonly podsByWorkload = new Map<Workload, Pod[]>();
  private readonly hpaByWorkload = new Map<Workload, HorizontalPodAutoscaler>();
  private readonly pdbsByWorkload = new Map<Workload, PodDisruptionBudget[]>();
  private readonly workloadsByPdb = new Map<PodDisruptionBudget, Workload[]>();
  private readonly endpointsByService = new Map<string, ServiceEndpoint[]>();
  private readonly nodesByName = new Map<string, Node>();
  private readonly servingByWorkload = new Map<Workload, Container[]>();
  private readonly otherTemplateLabels = new LabelIndex<OtherPodTemplate>((t) => t.labels);
  private readonly customResourcesByNamespace = new Map<string, CustomResourceRef[]>();
  private readonly ingressesByNamespace = new Map<string, SnapshotIngress[]>();

  /** Native sidecars (init containers with `restartPolicy: Always`) serve traffic: Kubernetes 1.29 and later. */
  private readonly nativeSidecars: boolean;
  private detected: DetectedProvider | undefined;

  /**
   * `kubernetesVersion`: the version the rules judge for (a flag's); default the live
   * cluster's, else DEFAULT_KUBERNETES_VERSION. `detectedProvider`: the provider detected over a
   * larger snapshot this one is a part of (a namespace shard of a scan); default this snapshot's.
   */
  constructor(
    readonly snapshot: Snapshot,
    options: { kubernetesVersion?: string; detectedProvider?: DetectedProvider } = {},
  ) {
    this.detected = options.detectedProvider;
    const [major, minor] = parseKubernetesVersion(options.kubernetesVersion ?? snapshot.facts.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION) ?? [1, 30];
    this.nativeSidecars = major > 1 || minor >= 29;
    this.workloads = collectWorkloads(snapshot);
    this.services = snapshot.services;
    for (const workload of this.workloads) {
      this.workloadsByKey.set(workloadKey(workload.kind, workload.namespace, workload.name), workload);
      this.workloadLabels.add(workload.namespace, workload);
    }
    this.indexAutoscalers();
    for (const template of snapshot.otherPodTemplates) this.otherTemplateLabels.add(template.namespace, template);
    this.indexServices();
    this.indexPods();
    this.indexDisruptionBudgets();
    this.indexEndpoints();
    for (const node of snapshot.nodes) this.nodesByName.set(nameOf(node), node);
    for (const resource of snapshot.customResources ?? []) push(this.customResourcesByNamespace, resource.namespace, resource);
    for (const ingress of snapshot.ingresses ?? []) push(this.ingressesByNamespace, namespaceOf(ingress), ingress);
  }

  /** Workloads whose pods (with the labels their controller adds) a Service selector matches. */
  private matchWorkloads(namespace: string, selector: Labels): readonly Workload[] {
    const { plain, controller } = splitSelector(selector);
    const candidates = Object.keys(plain).length > 0 ? this.workloadLabels.matchServiceSelector(namespace, plain) : this.workloadLabels.inNamespace(namespace);
    if (Object.keys(controller).length === 0) return candidates;
    return candidates.filter((w) => {
      const hpa = this.hpaOf(w);
      const replicas = Math.max(this.replicas(w), typeof hpa?.spec?.maxReplicas === 'number' ? hpa.spec.maxReplicas : 0);
      return Object.entries(controller).every(([key, value]) => controllerLabelMatches(w.kind, w.name, w.podLabels, replicas, key, String(value)));
    });
  }

  private indexServices(): void {
    for (const service of this.services) {
      const selector = service.spec?.selector;
      const backing = isEmptySelector(selector) ? [] : this.matchWorkloads(namespaceOf(service), selector ?? {});
      this.workloadsByService.set(service, backing);
      // A scrape-only Service does not make a workload Service-backed (RULES.md).
      if (isScrapeOnlyService(service)) continue;
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

  /** The provider the snapshot's nodes, else its annotations, name: the rules and the simulator both ask. */
  get detectedProvider(): DetectedProvider {
    return (this.detected ??= detectProvider(this.snapshot));
  }

  servicesOf(workload: Workload): Service[] {
    return this.servicesByWorkload.get(workload) ?? [];
  }

  workloadsOf(service: Service): readonly Workload[] {
    return this.workloadsByService.get(service) ?? [];
  }

  isServiceBacked(workload: Workload): boolean {
    return this.servicesOf(workload).length > 0;
  }

  /**
   * Selected by a LoadBalancer or NodePort Service, or receiving traffic on the node directly:
   * a serving container declares a hostPort, or the pod uses hostNetwork (RULES.md, "Host ports").
   */
  isExposed(workload: Workload): boolean {
    return this.servicesOf(workload).some(isExposedService) || this.servesOnHostPorts(workload);
  }

  /** A serving container declares a hostPort, or the pod uses hostNetwork. */
  servesOnHostPorts(workload: Workload): boolean {
    if (workload.podSpec?.hostNetwork === true) return true;
    return this.servingContainers(workload).some((c) => (c.ports ?? []).some((p) => p.hostPort !== undefined && p.hostPort !== 0));
  }

  /** Any container declares a hostPort, or the pod uses hostNetwork: a second pod cannot start on the same node. */
  holdsHostPorts(workload: Workload): boolean {
    if (workload.podSpec?.hostNetwork === true) return true;
    return (workload.podSpec?.containers ?? []).some((c) => (c.ports ?? []).some((p) => p.hostPort !== undefined && p.hostPort !== 0));
  }

  /** Custom resources of the upload in a namespace (an operator may make pods from them). */
  customResourcesIn(namespace: string): readonly CustomResourceRef[] {
    return this.customResourcesByNamespace.get(namespace) ?? [];
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
    const { plain, controller } = splitSelector(selector ?? {});
    const namespace = namespaceOf(service);
    const candidates =
      Object.keys(plain).length > 0 ? this.otherTemplateLabels.matchServiceSelector(namespace, plain) : this.otherTemplateLabels.inNamespace(namespace);
    return candidates.filter((t) =>
      Object.entries(controller).every(([key, value]) => controllerLabelMatches(t.kind, t.name, t.labels, 1, key, String(value))),
    );
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

  /** The Ingresses of a namespace: an Ingress sends only to Services of its own namespace. */
  ingressesIn(namespace: string): readonly SnapshotIngress[] {
    return this.ingressesByNamespace.get(namespace) ?? [];
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
   * port, every container counts. From Kubernetes 1.29 a native sidecar (an init container
   * with `restartPolicy: Always`) that declares a target port counts too; other init
   * containers never do.
   */
  servingContainers(workload: Workload): Container[] {
    let serving = this.servingByWorkload.get(workload);
    if (!serving) this.servingByWorkload.set(workload, (serving = this.computeServingContainers(workload)));
    return serving;
  }

  private computeServingContainers(workload: Workload): Container[] {
    const containers = workload.podSpec?.containers ?? [];
    const sidecars = this.nativeSidecars ? (workload.podSpec?.initContainers ?? []).filter(isNativeSidecar) : [];
    if (containers.length === 0 && sidecars.length === 0) return [];
    const serving = new Set<Container>();
    for (const service of this.servicesOf(workload)) {
      const targets = (service.spec?.ports ?? []).map(targetPortOf).filter((t) => t !== undefined);
      const declares = (c: Container) => targets.some((t) => containerDeclaresPort(c, t));
      const declaring = [...containers, ...sidecars].filter(declares);
      for (const container of declaring.length > 0 ? declaring : containers) serving.add(container);
    }
    return [...containers, ...sidecars].filter((c) => serving.has(c));
  }

  /** Is this container one of the workload's native sidecars (a patch then goes under `initContainers`)? */
  isSidecar(workload: Workload, name: string | undefined): boolean {
    return (workload.podSpec?.initContainers ?? []).some((c) => c.name === name && isNativeSidecar(c));
  }
}

function isNativeSidecar(container: Container): boolean {
  return container.restartPolicy === 'Always';
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
