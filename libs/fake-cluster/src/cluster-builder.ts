// Builds small, fully materialised clusters: nodes, workloads with their ReplicaSets and pods,
// Services with EndpointSlices and Endpoints, PDBs, HPAs. Deterministic for a seed.
import {
  endpointSliceObject,
  endpointsObject,
  hpaObject,
  nodeObject,
  ownerRef,
  pdbObject,
  podObject,
  serviceObject,
  workloadObject,
  type ContainerSpec,
  type ContainerState,
  type EndpointInput,
  type Meta,
  type PodTemplateInput,
  type ServicePort,
} from './objects.js';
import { hash32, nameSuffix, seededRandom, timestamp, uidFrom } from './random.js';
import { ALL_RESOURCES, ArrayStore, EMPTY_STORE } from './store.js';
import type { KubeObject, KubeObjectStore, KubeResourceName, KubeScenario, KubeScenarioExpectations, KubeVersionInfo } from './types.js';

export function versionInfo(gitVersion: string): KubeVersionInfo {
  const [major = '1', minor = '30'] = gitVersion.replace(/^v/, '').split('.');
  return {
    major,
    minor,
    gitVersion,
    gitCommit: '39683505b630ff2121012f3c5b16215a1449d5ed',
    gitTreeState: 'clean',
    buildDate: '2024-06-11T20:21:00Z',
    goVersion: 'go1.22.4',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

export interface NodeSpec {
  ip: string;
  zone: string;
  ready?: boolean;
  unschedulable?: boolean;
  labels?: Record<string, string>;
  instanceType?: string;
}

export interface BuiltNode {
  name: string;
  ip: string;
  zone: string;
}

export interface ServiceSpec {
  name?: string;
  type: 'ClusterIP' | 'LoadBalancer' | 'NodePort';
  externalTrafficPolicy?: 'Local' | 'Cluster';
  annotations?: Record<string, string>;
  ports?: ServicePort[];
  headless?: boolean;
}

export interface AppSpec {
  namespace: string;
  name: string;
  kind?: 'Deployment' | 'StatefulSet';
  replicas: number;
  containers: ContainerSpec[];
  /** Node names the pods run on, in turn. */
  placement: string[];
  /** Container states per pod index (default: all ready, no restarts). */
  podState?: (podIndex: number) => ContainerState[];
  service?: ServiceSpec;
  pdb?: { minAvailable?: number | string; maxUnavailable?: number | string };
  hpa?: { min: number; max: number };
  spread?: boolean;
  labels?: Record<string, string>;
  strategy?: Record<string, unknown>;
  terminationGracePeriodSeconds?: number;
}

export interface DaemonSetSpec {
  namespace: string;
  name: string;
  containers: ContainerSpec[];
  labels: Record<string, string>;
  hostNetwork?: boolean;
  priorityClassName?: string;
}

export class ClusterBuilder {
  private readonly random: () => number;
  private readonly seed: number;
  private rv = 1_000;
  private clock = 0;
  private podIp = 0;
  private clusterIp = 0;
  private lbIp = 0;
  private readonly objects = new Map<KubeResourceName, KubeObject[]>();
  readonly nodes: BuiltNode[] = [];

  constructor(
    seed: number,
    readonly region = 'cn-hangzhou',
    readonly kubeletVersion = 'v1.30.1-aliyun.1',
  ) {
    this.seed = seed;
    this.random = seededRandom(seed);
  }

  private add(resource: KubeResourceName, object: KubeObject): void {
    const list = this.objects.get(resource) ?? [];
    list.push(object);
    this.objects.set(resource, list);
  }

  private uid(): string {
    const r = (): number => Math.floor(this.random() * 4294967296);
    return uidFrom(r(), r(), r(), r());
  }

  private suffix(length: number): string {
    return nameSuffix(Math.floor(this.random() * 4294967296), length);
  }

  private meta(name: string, namespace: string | undefined, extra: Partial<Meta> = {}): Meta {
    this.rv += 1 + Math.floor(this.random() * 50);
    this.clock += 60 + Math.floor(this.random() * 600);
    return {
      name,
      ...(namespace !== undefined ? { namespace } : {}),
      uid: this.uid(),
      resourceVersion: String(this.rv),
      creationTimestamp: timestamp(this.clock),
      ...extra,
    };
  }

  nodeIp(name: string): string {
    return this.nodes.find((n) => n.name === name)?.ip ?? '192.168.0.1';
  }

  private zoneOf(name: string): string {
    return this.nodes.find((n) => n.name === name)?.zone ?? `${this.region}-h`;
  }

  addNode(spec: NodeSpec): BuiltNode {
    const name = `${this.region}.${spec.ip}`;
    const instanceId = `i-bp1${nameSuffix(hash32(this.seed, spec.ip), 17).replace(/[^a-z0-9]/g, 'a')}`;
    const meta = this.meta(name, undefined);
    this.add(
      'nodes',
      nodeObject({
        meta,
        ip: spec.ip,
        instanceId,
        region: this.region,
        zone: spec.zone,
        instanceType: spec.instanceType ?? 'ecs.g7.xlarge',
        nodePool: 'np4c0a3e9b1f6d42e0a5b3c2d1e0f9a8b7',
        ready: spec.ready ?? true,
        unschedulable: spec.unschedulable ?? false,
        kubeletVersion: this.kubeletVersion,
        extraLabels: spec.labels ?? {},
      }),
    );
    const node = { name, ip: spec.ip, zone: spec.zone };
    this.nodes.push(node);
    return node;
  }

  private nextPodIp(): string {
    this.podIp++;
    return `192.168.${100 + (this.podIp >> 8)}.${this.podIp & 255}`;
  }

  private nextClusterIp(): string {
    this.clusterIp++;
    return `172.21.${(this.clusterIp >> 8) & 15}.${this.clusterIp & 255 || 1}`;
  }

  addDaemonSet(spec: DaemonSetSpec): void {
    const template: PodTemplateInput = {
      labels: spec.labels,
      containers: spec.containers,
      hostNetwork: spec.hostNetwork ?? true,
      tolerateEverything: true,
      serviceAccountName: spec.name,
      terminationGracePeriodSeconds: 30,
      ...(spec.priorityClassName ? { priorityClassName: spec.priorityClassName } : {}),
    };
    const revision = this.suffix(10);
    const meta = this.meta(spec.name, spec.namespace, { generation: 1, labels: spec.labels, annotations: { 'deprecated.daemonset.template.generation': '1' } });
    const count = this.nodes.length;
    this.add(
      'daemonsets',
      workloadObject({
        kind: 'DaemonSet',
        meta,
        selector: spec.labels,
        template,
        readyReplicas: count,
        replicas: count,
        updatedAt: meta.creationTimestamp,
        lastApplied: true,
      }),
    );
    for (const node of this.nodes) {
      const name = `${spec.name}-${this.suffix(5)}`;
      const podMeta = this.meta(name, spec.namespace, {
        generateName: `${spec.name}-`,
        labels: { ...spec.labels, 'controller-revision-hash': revision, 'pod-template-generation': '1' },
        ownerReferences: [ownerRef('apps/v1', 'DaemonSet', spec.name, meta.uid)],
      });
      this.add(
        'pods',
        podObject({
          meta: podMeta,
          template,
          nodeName: node.name,
          hostIP: node.ip,
          podIP: spec.hostNetwork === false ? this.nextPodIp() : node.ip,
          containers: spec.containers.map(() => ({ ready: true, restartCount: 0 })),
          startedAt: podMeta.creationTimestamp,
          volumeSuffix: this.suffix(5),
        }),
      );
    }
  }

  addApp(spec: AppSpec): void {
    const kind = spec.kind ?? 'Deployment';
    const labels = { app: spec.name, ...(spec.labels ?? {}) };
    const template: PodTemplateInput = {
      labels,
      containers: spec.containers,
      spread: spec.spread ?? false,
      terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds ?? 60,
    };
    const hash = this.suffix(10);
    const workloadMeta = this.meta(spec.name, spec.namespace, {
      generation: 1,
      labels,
      annotations: kind === 'Deployment' ? { 'deployment.kubernetes.io/revision': '1' } : {},
    });
    const states = Array.from({ length: spec.replicas }, (_, i) => spec.podState?.(i) ?? spec.containers.map(() => ({ ready: true, restartCount: 0 })));
    const readyCount = states.filter((s) => s.every((c) => c.ready)).length;
    this.add(
      kind === 'Deployment' ? 'deployments' : 'statefulsets',
      workloadObject({
        kind,
        meta: workloadMeta,
        selector: labels,
        replicas: spec.replicas,
        template,
        readyReplicas: readyCount,
        updatedAt: workloadMeta.creationTimestamp,
        revisionHash: hash,
        lastApplied: true,
        ...(spec.strategy ? { strategy: spec.strategy } : {}),
        ...((spec.service?.name ?? spec.name) ? { serviceName: spec.service?.name ?? spec.name } : {}),
      }),
    );
    let ownerKind = 'StatefulSet';
    let ownerName = spec.name;
    let ownerUid = workloadMeta.uid;
    if (kind === 'Deployment') {
      // the current ReplicaSet and an older one scaled to zero, as after one rollout
      const oldHash = this.suffix(10);
      const rsLabels = (h: string): Record<string, string> => ({ ...labels, 'pod-template-hash': h });
      for (const [h, replicas, revision] of [
        [oldHash, 0, '1'],
        [hash, spec.replicas, '2'],
      ] as const) {
        const rsMeta = this.meta(`${spec.name}-${h}`, spec.namespace, {
          generation: 1,
          labels: rsLabels(h),
          annotations: {
            'deployment.kubernetes.io/desired-replicas': String(spec.replicas),
            'deployment.kubernetes.io/max-replicas': String(spec.replicas + Math.ceil(spec.replicas / 4)),
            'deployment.kubernetes.io/revision': revision,
          },
          ownerReferences: [ownerRef('apps/v1', 'Deployment', spec.name, workloadMeta.uid)],
        });
        this.add(
          'replicasets',
          workloadObject({
            kind: 'ReplicaSet',
            meta: rsMeta,
            selector: rsLabels(h),
            replicas,
            template: { ...template, labels: rsLabels(h) },
            readyReplicas: replicas === 0 ? 0 : readyCount,
            updatedAt: rsMeta.creationTimestamp,
          }),
        );
        if (h === hash) {
          ownerKind = 'ReplicaSet';
          ownerName = rsMeta.name;
          ownerUid = rsMeta.uid;
        }
      }
    }
    const podLabels =
      kind === 'Deployment'
        ? { ...labels, 'pod-template-hash': hash }
        : { ...labels, 'controller-revision-hash': `${spec.name}-${hash}`, 'apps.kubernetes.io/pod-index': '0' };
    const endpoints: EndpointInput[] = [];
    for (let i = 0; i < spec.replicas; i++) {
      const name = kind === 'Deployment' ? `${ownerName}-${this.suffix(5)}` : `${spec.name}-${i}`;
      const nodeName = spec.placement[i % spec.placement.length] ?? '';
      const podMeta = this.meta(name, spec.namespace, {
        generateName: kind === 'Deployment' ? `${ownerName}-` : `${spec.name}-`,
        labels: kind === 'Deployment' ? podLabels : { ...podLabels, 'apps.kubernetes.io/pod-index': String(i), 'statefulset.kubernetes.io/pod-name': name },
        ownerReferences: [ownerRef('apps/v1', ownerKind, ownerName, ownerUid)],
      });
      const podIP = this.nextPodIp();
      const state = states[i] ?? [];
      this.add(
        'pods',
        podObject({
          meta: podMeta,
          template: { ...template, labels: podLabels },
          nodeName,
          hostIP: this.nodeIp(nodeName),
          podIP,
          containers: state,
          startedAt: podMeta.creationTimestamp,
          volumeSuffix: this.suffix(5),
        }),
      );
      endpoints.push({
        ip: podIP,
        nodeName,
        podName: name,
        podUid: podMeta.uid,
        namespace: spec.namespace,
        ready: state.every((c) => c.ready),
        zone: this.zoneOf(nodeName),
      });
    }
    if (spec.service) this.addService(spec, labels, endpoints);
    if (spec.pdb) {
      this.add(
        'poddisruptionbudgets',
        pdbObject({
          meta: this.meta(spec.name, spec.namespace, { labels }),
          selector: labels,
          ...spec.pdb,
          expectedPods: spec.replicas,
          healthyPods: readyCount,
        }),
      );
    }
    if (spec.hpa) {
      this.add(
        'horizontalpodautoscalers',
        hpaObject({
          meta: this.meta(spec.name, spec.namespace, { labels }),
          target: { kind, name: spec.name },
          minReplicas: spec.hpa.min,
          maxReplicas: spec.hpa.max,
          currentReplicas: spec.replicas,
        }),
      );
    }
  }

  private addService(spec: AppSpec, selector: Record<string, string>, endpoints: EndpointInput[]): void {
    const service = spec.service;
    if (!service) return;
    const name = service.name ?? spec.name;
    const firstPort = spec.containers[0]?.ports?.[0];
    const ports = service.ports ?? [{ name: 'http', port: 80, targetPort: firstPort?.name ?? firstPort?.containerPort ?? 8080 }];
    const meta = this.meta(name, spec.namespace, { labels: { app: spec.name }, ...(service.annotations ? { annotations: service.annotations } : {}) });
    this.lbIp++;
    this.add(
      'services',
      serviceObject({
        meta,
        type: service.type,
        selector,
        ports,
        clusterIP: this.nextClusterIp(),
        loadBalancerIP: `47.96.${10 + (this.lbIp >> 8)}.${this.lbIp & 255}`,
        ...(service.externalTrafficPolicy ? { externalTrafficPolicy: service.externalTrafficPolicy } : {}),
        ...(service.headless ? { headless: true } : {}),
      }),
    );
    const container = spec.containers[0];
    const slicePorts = ports.map((p) => ({
      ...(p.name ? { name: p.name } : {}),
      port: typeof p.targetPort === 'number' ? p.targetPort : (container?.ports?.find((c) => c.name === p.targetPort)?.containerPort ?? p.port),
      protocol: p.protocol ?? 'TCP',
    }));
    const sliceInput = { serviceName: name, serviceUid: meta.uid, endpoints, ports: slicePorts };
    this.add('endpointslices', endpointSliceObject({ ...sliceInput, meta: this.meta(`${name}-${this.suffix(5)}`, spec.namespace, { generation: 1 }) }));
    this.add('endpoints', endpointsObject({ ...sliceInput, meta: this.meta(name, spec.namespace) }));
  }

  build(name: string, gitVersion: string, expected: KubeScenarioExpectations): KubeScenario {
    const stores = new Map<KubeResourceName, KubeObjectStore>();
    for (const resource of ALL_RESOURCES) stores.set(resource, new ArrayStore(this.objects.get(resource) ?? []));
    const resourceVersion = this.rv + 1;
    return {
      name,
      version: versionInfo(gitVersion),
      resourceVersion,
      expected,
      store: (resource) => stores.get(resource) ?? EMPTY_STORE,
    };
  }
}
