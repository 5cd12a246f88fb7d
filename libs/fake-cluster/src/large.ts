// The large scenario: thousands of nodes, six-figure pod counts. Nothing is materialised up
// front: small per-app records are computed at build time, and each object is generated (pods
// from one JSON template per workload, filled by string joins) when a page asks for it.
import { versionInfo } from './cluster-builder.js';
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
} from './objects.js';
import { hash32, nameSuffix, orderedSuffix, timestamp, uidOf } from './random.js';
import { TERWAY_CONTAINERS, webContainer } from './scenarios.js';
import { ALL_RESOURCES, EMPTY_STORE } from './store.js';
import type { KubeObject, KubeObjectStore, KubeResourceName, KubeScenario } from './types.js';

export interface LargeScenarioOptions {
  nodes?: number;
  pods?: number;
  services?: number;
  seed?: number;
}

const WORDS = [
  'accounts',
  'ads',
  'alerts',
  'audit',
  'billing',
  'booking',
  'cart',
  'catalog',
  'chat',
  'checkout',
  'coupons',
  'crm',
  'delivery',
  'feed',
  'files',
  'gateway',
  'geo',
  'inventory',
  'invoices',
  'ledger',
  'loyalty',
  'mailer',
  'media',
  'orders',
  'payments',
  'pricing',
  'profile',
  'quotes',
  'ratings',
  'recs',
  'refunds',
  'reports',
  'returns',
  'reviews',
  'search',
  'sessions',
  'shipping',
  'sms',
  'stock',
  'tax',
  'tickets',
  'tracking',
  'users',
  'vendors',
  'wallet',
  'webhooks',
];
const SUFFIX_SPACE = 27 ** 5;
const ALIBABA_LB = 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-';
const RV_BASE = 2_000_000;

type Variant = 'healthy' | 'restart-loop' | 'single-node' | 'not-ready';
type ServiceMode = 'ClusterIP' | 'NodePort' | 'lb-cluster' | 'lb-local' | 'lb-eni';

interface App {
  index: number;
  namespace: string;
  name: string;
  replicas: number;
  hash: string;
  oldHash: string;
  variant: Variant;
  mode: ServiceMode;
  pdb: boolean;
  hpa: boolean;
  /** Global index of the pod group holding its pods. */
  group: number;
  /** First index of its EndpointSlices in the EndpointSlice store (apps only). */
  slices: number;
  sliceCount: number;
  createdAt: number;
}

interface PodGroup {
  key: string; // "namespace/prefix"
  namespace: string;
  prefix: string;
  count: number;
  start: number;
  stride: number;
  offset: number;
  kind: 'app' | 'daemonset';
  app?: App;
  daemonSet?: DaemonSetDef;
}

interface DaemonSetDef {
  name: string;
  labels: Record<string, string>;
  containers: ContainerSpec[];
  revision: string;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** The first index whose value is > target, minus one: the group holding a pod index. */
function groupAt(starts: Int32Array, index: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >>> 1;
    if ((starts[mid] ?? 0) <= index) low = mid;
    else high = mid - 1;
  }
  return low;
}

class LazyStore implements KubeObjectStore {
  constructor(
    readonly size: number,
    private readonly keyAt: (index: number) => string,
    private readonly jsonAt: (index: number) => string,
  ) {}
  key(index: number): string {
    return this.keyAt(index);
  }
  json(index: number): string {
    return this.jsonAt(index);
  }
}

/** One object per app, keyed namespace/name like the app. */
function appStore(apps: readonly App[], objectOf: (app: App) => unknown): LazyStore {
  return new LazyStore(
    apps.length,
    (i) => `${apps[i]?.namespace}/${apps[i]?.name}`,
    (i) => JSON.stringify(objectOf(apps[i] as App)),
  );
}

/** A JSON template with @@X@@ placeholders, filled by joining its parts. */
class JsonTemplate {
  private readonly parts: string[];
  private readonly slots: string[];
  constructor(json: string) {
    const pieces = json.split(/@@([A-Z]+)@@/);
    this.parts = pieces.filter((_, i) => i % 2 === 0);
    this.slots = pieces.filter((_, i) => i % 2 === 1);
  }
  fill(values: Record<string, string>): string {
    let out = this.parts[0] ?? '';
    for (let i = 0; i < this.slots.length; i++) out += (values[this.slots[i] ?? ''] ?? '') + (this.parts[i + 1] ?? '');
    return out;
  }
}

export function large(options: LargeScenarioOptions = {}): KubeScenario {
  const nodeCount = Math.max(1, options.nodes ?? 5000);
  const podTotal = Math.max(0, options.pods ?? 150_000);
  const serviceCount = Math.max(1, options.services ?? 3000);
  const seed = options.seed ?? 42;
  const region = 'cn-hangzhou';
  const zones = ['cn-hangzhou-h', 'cn-hangzhou-i', 'cn-hangzhou-j', 'cn-hangzhou-k'];

  // Nodes: names carry the VPC address, as on ACK.
  const nodeNames: string[] = [];
  for (let k = 0; k < nodeCount; k++) nodeNames.push(`${region}.10.${1 + (k >> 14)}.${(k >> 6) & 255}.${((k & 63) << 2) + 4}`);
  nodeNames.sort(compare);
  const nodeIp = (name: string): string => name.slice(region.length + 1);

  // Pods: daemon sets on every node when the budget allows, the rest spread over the apps.
  const daemonSets: DaemonSetDef[] = [
    {
      name: 'kube-proxy-worker',
      labels: { 'k8s-app': 'kube-proxy-worker' },
      containers: [
        {
          name: 'kube-proxy-worker',
          image: 'registry-cn-hangzhou-vpc.ack.aliyuncs.com/acs/kube-proxy:v1.30.1-aliyun.1',
          readinessPath: null,
          livenessPath: null,
          preStopSleep: null,
          cpu: '100m',
          memory: '200Mi',
        },
      ],
      revision: nameSuffix(hash32(seed, 'kp'), 10),
    },
    { name: 'terway-eniip', labels: { app: 'terway-eniip' }, containers: TERWAY_CONTAINERS, revision: nameSuffix(hash32(seed, 'tw'), 10) },
  ];
  const withDaemonSets = podTotal >= nodeCount * daemonSets.length + serviceCount;
  let appPods = podTotal - (withDaemonSets ? nodeCount * daemonSets.length : 0);

  // Apps: one Deployment and one Service each, 30 per namespace; replicas weighted 1..3.
  const perNamespace = 30;
  const namespaces = Math.ceil(serviceCount / perNamespace);
  const weights: number[] = [];
  let weightSum = 0;
  for (let j = 0; j < serviceCount; j++) {
    const w = 1 + (hash32(seed, 'w', j) % 3);
    weights.push(w);
    weightSum += w;
  }
  const replicas = weights.map((w) => Math.floor((appPods * w) / weightSum));
  let left = appPods - replicas.reduce((a, b) => a + b, 0);
  for (let j = 0; left > 0; j = (j + 1) % serviceCount, left--) replicas[j] = (replicas[j] ?? 0) + 1;
  appPods = 0;

  const apps: App[] = [];
  for (let j = 0; j < serviceCount; j++) {
    const h = hash32(seed, 'app', j);
    const word = WORDS[h % WORDS.length] ?? 'app';
    const variant: Variant = j % 97 === 13 ? 'restart-loop' : j % 89 === 7 ? 'single-node' : j % 211 === 100 ? 'not-ready' : 'healthy';
    const mode: ServiceMode =
      j % 100 === 0 ? ((['lb-cluster', 'lb-local', 'lb-eni'] as const)[(j / 100) % 3] ?? 'lb-cluster') : j % 100 === 50 ? 'NodePort' : 'ClusterIP';
    apps.push({
      index: j,
      namespace: `team-${pad(Math.floor(j / perNamespace), 3)}`,
      name: `${word}-${pad(j, 4)}`,
      replicas: replicas[j] ?? 0,
      hash: nameSuffix(hash32(seed, 'hash', j), 10),
      oldHash: nameSuffix(hash32(seed, 'old', j), 10),
      variant: variant === 'not-ready' && mode === 'ClusterIP' ? 'not-ready' : variant,
      mode: variant === 'not-ready' ? 'NodePort' : mode,
      pdb: j % 2 === 0,
      hpa: j % 5 === 0,
      group: 0,
      slices: 0,
      sliceCount: Math.max(1, Math.ceil((replicas[j] ?? 0) / 100)),
      createdAt: 86_400 + (h % 2_000_000),
    });
  }
  void namespaces;
  apps.sort((a, b) => compare(`${a.namespace}/${a.name}`, `${b.namespace}/${b.name}`));

  // Pod groups in key order: kube-system's daemon set pods, then every app's pods.
  const groups: PodGroup[] = [];
  const addGroup = (group: Omit<PodGroup, 'start' | 'stride' | 'offset'>): void => {
    const stride = Math.max(1, Math.floor(SUFFIX_SPACE / (group.count + 1)));
    groups.push({ ...group, start: 0, stride, offset: hash32(seed, group.key) % stride });
  };
  if (withDaemonSets) {
    for (const ds of daemonSets)
      addGroup({ key: `kube-system/${ds.name}-`, namespace: 'kube-system', prefix: `${ds.name}-`, count: nodeCount, kind: 'daemonset', daemonSet: ds });
  }
  for (const app of apps) {
    addGroup({
      key: `${app.namespace}/${app.name}-${app.hash}-`,
      namespace: app.namespace,
      prefix: `${app.name}-${app.hash}-`,
      count: app.replicas,
      kind: 'app',
      app,
    });
  }
  groups.sort((a, b) => compare(a.key, b.key));
  const starts = new Int32Array(groups.length);
  let total = 0;
  groups.forEach((g, i) => {
    g.start = total;
    starts[i] = total;
    total += g.count;
    if (g.app) g.app.group = i;
  });
  let sliceTotal = 0;
  for (const app of apps) {
    app.slices = sliceTotal;
    sliceTotal += app.sliceCount;
  }

  const appLabels = (app: App): Record<string, string> => ({ app: app.name, 'app.kubernetes.io/part-of': app.namespace });
  const appContainers = (app: App): ContainerSpec[] => [
    webContainer(
      app.name.replace(/-\d+$/, ''),
      `registry.cn-hangzhou.aliyuncs.com/acme/${app.name.replace(/-\d+$/, '')}:1.${app.index % 40}.${app.index % 7}`,
      {
        memory: app.variant === 'restart-loop' ? '128Mi' : '512Mi',
      },
    ),
  ];
  const appTemplate = (app: App): PodTemplateInput => ({ labels: appLabels(app), containers: appContainers(app), spread: app.variant !== 'single-node' });
  const appState = (app: App): ContainerState[] =>
    app.variant === 'restart-loop'
      ? [{ ready: true, restartCount: 12, lastTermination: { exitCode: 137, reason: 'OOMKilled' } }]
      : [{ ready: app.variant !== 'not-ready', restartCount: 0 }];
  const meta = (name: string, namespace: string | undefined, salt: string, createdAt: number, extra: Partial<Meta> = {}): Meta => ({
    name,
    ...(namespace !== undefined ? { namespace } : {}),
    uid: uidOf(seed, salt, namespace ?? '', name),
    resourceVersion: String(RV_BASE + (hash32(seed, 'rv', salt, name) % 1_000_000)),
    creationTimestamp: timestamp(createdAt),
    ...extra,
  });

  // Pods.
  const podTemplates: Array<JsonTemplate | undefined> = new Array<JsonTemplate | undefined>(groups.length);
  const podTemplate = (gi: number): JsonTemplate => {
    let template = podTemplates[gi];
    if (template) return template;
    const group = groups[gi] as PodGroup;
    const podMeta: Meta = {
      name: '@@NAME@@',
      namespace: group.namespace,
      generateName: group.prefix,
      uid: '@@UID@@',
      resourceVersion: '@@RV@@',
      creationTimestamp: '@@TIME@@',
    };
    let pod: KubeObject;
    if (group.app) {
      const app = group.app;
      const rsName = `${app.name}-${app.hash}`;
      pod = podObject({
        meta: {
          ...podMeta,
          labels: { ...appLabels(app), 'pod-template-hash': app.hash },
          ownerReferences: [ownerRef('apps/v1', 'ReplicaSet', rsName, uidOf(seed, 'rs', app.namespace, rsName))],
        },
        template: appTemplate(app),
        nodeName: '@@NODE@@',
        hostIP: '@@HOSTIP@@',
        podIP: '@@PODIP@@',
        containers: appState(app),
        startedAt: '@@TIME@@',
        volumeSuffix: '@@VOL@@',
      });
    } else {
      const ds = group.daemonSet as DaemonSetDef;
      pod = podObject({
        meta: {
          ...podMeta,
          labels: { ...ds.labels, 'controller-revision-hash': ds.revision, 'pod-template-generation': '1' },
          ownerReferences: [ownerRef('apps/v1', 'DaemonSet', ds.name, uidOf(seed, 'ds', 'kube-system', ds.name))],
        },
        template: {
          labels: ds.labels,
          containers: ds.containers,
          hostNetwork: true,
          tolerateEverything: true,
          serviceAccountName: ds.name,
          priorityClassName: 'system-node-critical',
        },
        nodeName: '@@NODE@@',
        hostIP: '@@HOSTIP@@',
        podIP: '@@HOSTIP@@',
        containers: ds.containers.map(() => ({ ready: true, restartCount: 0 })),
        startedAt: '@@TIME@@',
        volumeSuffix: '@@VOL@@',
      });
    }
    template = new JsonTemplate(JSON.stringify(pod));
    podTemplates[gi] = template;
    return template;
  };
  const podName = (group: PodGroup, j: number): string => `${group.prefix}${orderedSuffix(group.offset + j * group.stride, 5)}`;
  const podNode = (group: PodGroup, gi: number, j: number): string => {
    if (group.kind === 'daemonset') return nodeNames[j % nodeCount] ?? '';
    if (group.app?.variant === 'single-node') return nodeNames[hash32(seed, 'single', gi) % nodeCount] ?? '';
    return nodeNames[hash32(seed, 'place', gi, j) % nodeCount] ?? '';
  };
  const podIp = (index: number): string => `172.${16 + ((index >> 16) & 15)}.${(index >> 8) & 255}.${index & 255}`;
  const podKey = (index: number): string => {
    const gi = groupAt(starts, index);
    const group = groups[gi] as PodGroup;
    return `${group.namespace}/${podName(group, index - group.start)}`;
  };
  const podJson = (index: number): string => {
    const gi = groupAt(starts, index);
    const group = groups[gi] as PodGroup;
    const j = index - group.start;
    const name = podName(group, j);
    const node = podNode(group, gi, j);
    const created = (group.app?.createdAt ?? 3_600) + 600 + (hash32(seed, 't', index) % 86_400);
    return podTemplate(gi).fill({
      NAME: name,
      UID: uidOf(seed, 'pod', index),
      RV: String(RV_BASE + 1_000_000 + index),
      TIME: timestamp(created),
      NODE: node,
      HOSTIP: nodeIp(node),
      PODIP: podIp(index),
      VOL: nameSuffix(hash32(seed, 'vol', index), 5),
    });
  };

  // Apps' endpoints: computed from the pods they select.
  const appEndpoints = (app: App, from: number, to: number): EndpointInput[] => {
    const group = groups[app.group] as PodGroup;
    const ready = app.variant !== 'not-ready';
    const out: EndpointInput[] = [];
    for (let j = from; j < Math.min(to, group.count); j++) {
      const index = group.start + j;
      const node = podNode(group, app.group, j);
      out.push({
        ip: podIp(index),
        nodeName: node,
        podName: podName(group, j),
        podUid: uidOf(seed, 'pod', index),
        namespace: app.namespace,
        ready,
        zone: zones[hash32(node) % zones.length] ?? 'cn-hangzhou-h',
      });
    }
    return out;
  };
  const appServiceMeta = (app: App): Meta => {
    const annotations: Record<string, string> = {};
    if (app.mode.startsWith('lb-')) {
      annotations[`${ALIBABA_LB}address-type`] = 'intranet';
      annotations[`${ALIBABA_LB}connection-drain`] = 'on';
      annotations[`${ALIBABA_LB}connection-drain-timeout`] = '30';
    }
    if (app.mode === 'lb-eni') annotations['service.beta.kubernetes.io/backend-type'] = 'eni';
    return meta(app.name, app.namespace, 'svc', app.createdAt, { labels: appLabels(app), annotations });
  };
  const servicePorts = [{ name: 'http', port: 80, targetPort: 'http' as const }];

  const stores = new Map<KubeResourceName, KubeObjectStore>();
  stores.set(
    'nodes',
    new LazyStore(
      nodeCount,
      (i) => nodeNames[i] ?? '',
      (i) => {
        const name = nodeNames[i] ?? '';
        const h = hash32(seed, 'node', name);
        return JSON.stringify(
          nodeObject({
            meta: meta(name, undefined, 'node', h % 86_400),
            ip: nodeIp(name),
            instanceId: `i-bp1${nameSuffix(h, 17)}`,
            region,
            zone: zones[hash32(name) % zones.length] ?? 'cn-hangzhou-h',
            instanceType: 'ecs.g7.2xlarge',
            nodePool: `np${nameSuffix(hash32(seed, 'pool', h % 8), 30)}`,
            ready: true,
            kubeletVersion: 'v1.30.1-aliyun.1',
          }),
        );
      },
    ),
  );
  stores.set('pods', new LazyStore(total, podKey, podJson));
  stores.set(
    'services',
    appStore(apps, (app) =>
      serviceObject({
        meta: appServiceMeta(app),
        type: app.mode === 'ClusterIP' ? 'ClusterIP' : app.mode === 'NodePort' ? 'NodePort' : 'LoadBalancer',
        selector: appLabels(app),
        ports: servicePorts,
        clusterIP: `172.21.${(app.index >> 8) & 255}.${app.index & 255 || 1}`,
        loadBalancerIP: `10.250.${(app.index >> 8) & 255}.${app.index & 255}`,
        ...(app.mode === 'lb-local' ? { externalTrafficPolicy: 'Local' as const } : {}),
      }),
    ),
  );
  const sliceInput = (
    app: App,
    from: number,
    to: number,
  ): { serviceName: string; serviceUid: string; endpoints: EndpointInput[]; ports: Array<{ name: string; port: number }> } => ({
    serviceName: app.name,
    serviceUid: appServiceMeta(app).uid,
    endpoints: appEndpoints(app, from, to),
    ports: [{ name: 'http', port: 8080 }],
  });
  stores.set(
    'endpoints',
    appStore(apps, (app) => endpointsObject({ ...sliceInput(app, 0, app.replicas), meta: meta(app.name, app.namespace, 'ep', app.createdAt) })),
  );
  const sliceApp = (index: number): [App, number] => {
    let low = 0;
    let high = apps.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >>> 1;
      if ((apps[mid]?.slices ?? 0) <= index) low = mid;
      else high = mid - 1;
    }
    const app = apps[low] as App;
    return [app, index - app.slices];
  };
  const sliceName = (app: App, k: number): string => `${app.name}-${orderedSuffix((hash32(seed, 'slice', app.index) % 1000) + k * 1000, 5)}`;
  stores.set(
    'endpointslices',
    new LazyStore(
      sliceTotal,
      (i) => {
        const [app, k] = sliceApp(i);
        return `${app.namespace}/${sliceName(app, k)}`;
      },
      (i) => {
        const [app, k] = sliceApp(i);
        return JSON.stringify(
          endpointSliceObject({
            ...sliceInput(app, k * 100, (k + 1) * 100),
            meta: meta(sliceName(app, k), app.namespace, 'eps', app.createdAt, { generation: 1 }),
          }),
        );
      },
    ),
  );
  const deployment = (app: App) =>
    workloadObject({
      kind: 'Deployment',
      meta: meta(app.name, app.namespace, 'deploy', app.createdAt, {
        generation: 2,
        labels: appLabels(app),
        annotations: { 'deployment.kubernetes.io/revision': '2' },
      }),
      selector: appLabels(app),
      replicas: app.replicas,
      template: appTemplate(app),
      readyReplicas: app.variant === 'not-ready' ? 0 : app.replicas,
      updatedAt: timestamp(app.createdAt + 3_600),
      revisionHash: app.hash,
      lastApplied: true,
    });
  stores.set('deployments', appStore(apps, deployment));
  // Two ReplicaSets per app (the current one and the one before the last rollout), in name order.
  const rsOf = (i: number): [App, string, number] => {
    const app = apps[i >> 1] as App;
    const [first, second] = [app.hash, app.oldHash].sort(compare) as [string, string];
    const hash = (i & 1) === 0 ? first : second;
    return [app, hash, hash === app.hash ? app.replicas : 0];
  };
  stores.set(
    'replicasets',
    new LazyStore(
      apps.length * 2,
      (i) => {
        const [app, hash] = rsOf(i);
        return `${app.namespace}/${app.name}-${hash}`;
      },
      (i) => {
        const [app, hash, count] = rsOf(i);
        const name = `${app.name}-${hash}`;
        const labels = { ...appLabels(app), 'pod-template-hash': hash };
        return JSON.stringify(
          workloadObject({
            kind: 'ReplicaSet',
            meta: meta(name, app.namespace, 'rs', app.createdAt, {
              generation: 1,
              labels,
              annotations: {
                'deployment.kubernetes.io/desired-replicas': String(app.replicas),
                'deployment.kubernetes.io/max-replicas': String(app.replicas + Math.ceil(app.replicas / 4)),
                'deployment.kubernetes.io/revision': hash === app.hash ? '2' : '1',
              },
              ownerReferences: [ownerRef('apps/v1', 'Deployment', app.name, meta(app.name, app.namespace, 'deploy', app.createdAt).uid)],
            }),
            selector: labels,
            replicas: count,
            template: { ...appTemplate(app), labels },
            readyReplicas: app.variant === 'not-ready' ? 0 : count,
            updatedAt: timestamp(app.createdAt + 3_600),
          }),
        );
      },
    ),
  );
  if (withDaemonSets) {
    stores.set(
      'daemonsets',
      new LazyStore(
        daemonSets.length,
        (i) => `kube-system/${daemonSets[i]?.name}`,
        (i) => {
          const ds = daemonSets[i] as DaemonSetDef;
          return JSON.stringify(
            workloadObject({
              kind: 'DaemonSet',
              meta: meta(ds.name, 'kube-system', 'ds', 60, {
                generation: 1,
                labels: ds.labels,
                annotations: { 'deprecated.daemonset.template.generation': '1' },
              }),
              selector: ds.labels,
              replicas: nodeCount,
              template: {
                labels: ds.labels,
                containers: ds.containers,
                hostNetwork: true,
                tolerateEverything: true,
                serviceAccountName: ds.name,
                priorityClassName: 'system-node-critical',
              },
              readyReplicas: nodeCount,
              updatedAt: timestamp(60),
              lastApplied: true,
            }),
          );
        },
      ),
    );
  }
  stores.set(
    'poddisruptionbudgets',
    appStore(
      apps.filter((a) => a.pdb),
      (app) =>
        pdbObject({
          meta: meta(app.name, app.namespace, 'pdb', app.createdAt, { labels: appLabels(app) }),
          selector: appLabels(app),
          maxUnavailable: '25%',
          expectedPods: app.replicas,
          healthyPods: app.variant === 'not-ready' ? 0 : app.replicas,
        }),
    ),
  );
  stores.set(
    'horizontalpodautoscalers',
    appStore(
      apps.filter((a) => a.hpa),
      (app) =>
        hpaObject({
          meta: meta(app.name, app.namespace, 'hpa', app.createdAt, { labels: appLabels(app) }),
          target: { kind: 'Deployment', name: app.name },
          minReplicas: Math.max(1, Math.floor(app.replicas / 2)),
          maxReplicas: app.replicas * 2,
          currentReplicas: app.replicas,
        }),
    ),
  );

  for (const resource of ALL_RESOURCES) if (!stores.has(resource)) stores.set(resource, EMPTY_STORE);
  return {
    name: `large-${nodeCount}-nodes-${podTotal}-pods-${serviceCount}-services`,
    version: versionInfo('v1.30.2-aliyun.1'),
    resourceVersion: RV_BASE + 1_000_000 + total + 1,
    expected: {
      provider: 'alibaba',
      ...(withDaemonSets ? { cni: 'terway' } : {}),
      firingLiveRules: [],
    },
    store: (resource) => stores.get(resource) ?? EMPTY_STORE,
  };
}
