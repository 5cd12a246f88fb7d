// Scenario builders: small Alibaba Cloud clusters with Terway, materialised in memory.
import { ClusterBuilder, type BuiltNode } from './cluster-builder.js';
import type { ContainerSpec } from './objects.js';
import type { KubeScenario } from './types.js';

const ACR = 'registry-cn-hangzhou-vpc.ack.aliyuncs.com';
const ALIBABA_LB = 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-';

export const TERWAY_CONTAINERS: ContainerSpec[] = [
  {
    name: 'terway',
    image: `${ACR}/acs/terway:v1.9.4`,
    readinessPath: null,
    livenessPath: null,
    preStopSleep: null,
    cpu: '100m',
    memory: '256Mi',
    env: [
      { name: 'POD_NAMESPACE', value: 'kube-system' },
      { name: 'DEBUG_SOCKET', value: 'unix:///var/run/eni/eni_debug.socket' },
    ],
  },
  {
    name: 'policy',
    image: `${ACR}/acs/terway:v1.9.4`,
    readinessPath: null,
    livenessPath: '/liveness',
    preStopSleep: null,
    cpu: '100m',
    memory: '256Mi',
    ports: [{ containerPort: 9099 }],
    env: [{ name: 'DISABLE_POLICY', value: 'false' }],
  },
];

const KUBE_PROXY: ContainerSpec[] = [
  {
    name: 'kube-proxy-worker',
    image: `${ACR}/acs/kube-proxy:v1.30.1-aliyun.1`,
    readinessPath: null,
    livenessPath: null,
    preStopSleep: null,
    cpu: '100m',
    memory: '200Mi',
    args: ['--config=/var/lib/kube-proxy/config.conf', '--hostname-override=$(NODE_NAME)'],
  },
];

/** A web container serving on 8080 ("http"), with probes and a preStop sleep. */
export function webContainer(name: string, image: string, overrides: Partial<ContainerSpec> = {}): ContainerSpec {
  return { name, image, ports: [{ name: 'http', containerPort: 8080 }], ...overrides };
}

function addSystemDaemonSets(builder: ClusterBuilder): void {
  builder.addDaemonSet({
    namespace: 'kube-system',
    name: 'kube-proxy-worker',
    containers: KUBE_PROXY,
    labels: { 'k8s-app': 'kube-proxy-worker' },
    priorityClassName: 'system-node-critical',
  });
  builder.addDaemonSet({
    namespace: 'kube-system',
    name: 'terway-eniip',
    containers: TERWAY_CONTAINERS,
    labels: { app: 'terway-eniip' },
    priorityClassName: 'system-node-critical',
  });
}

function names(nodes: BuiltNode[], ...indexes: number[]): string[] {
  return indexes.map((i) => nodes[i]?.name ?? '');
}

/**
 * ~5 ACK nodes (v1.30, Terway ENIIP) with good and bad apps, so that every live rule of
 * RULES.md fires at least once:
 * - container-restart-loop: shop/payments, restarts with exit 137 (liveness kill, OOMKilled);
 * - replicas-on-single-node: shop/checkout, 3 ready replicas all on one node;
 * - local-traffic-node-single-pod: kube-system/nginx-ingress-lb (LoadBalancer, Local) and two
 *   nodes holding one ready ingress pod each;
 * - endpoints-not-ready: legacy/legacy-admin (NodePort) whose only pod fails readiness;
 * - eni-backend-recommended: every LoadBalancer Service not in ENI mode (Terway is the CNI);
 * - slb-quota-per-node (warning): game/game-gateway exposes 38 ports in Cluster mode; with
 *   shop/api-gateway's 2 every node carries 40 vServer groups (80 % of 50), 42 where the Local
 *   ingress also lands.
 * Good ones too: shop/storefront (spread, PDB, HPA), shop/web-eni (ENI backends), shop/redis
 * (StatefulSet, headless), kube-system/coredns.
 */
export function smallAlibabaTerway(seed = 1): KubeScenario {
  const b = new ClusterBuilder(seed);
  addSmallAlibabaTerway(b);
  return b.build('small-alibaba-terway', 'v1.30.2-aliyun.1', {
    provider: 'alibaba',
    cni: 'terway',
    firingLiveRules: [
      'container-restart-loop',
      'replicas-on-single-node',
      'local-traffic-node-single-pod',
      'endpoints-not-ready',
      'eni-backend-recommended',
      'slb-quota-per-node',
    ],
  });
}

/** smallAlibabaTerway's nodes, system DaemonSets and apps, added to a builder (the demo adds more). */
export function addSmallAlibabaTerway(b: ClusterBuilder): BuiltNode[] {
  const nodes = [
    b.addNode({ ip: '192.168.0.12', zone: 'cn-hangzhou-h' }),
    b.addNode({ ip: '192.168.0.47', zone: 'cn-hangzhou-h' }),
    b.addNode({ ip: '192.168.1.88', zone: 'cn-hangzhou-i' }),
    b.addNode({ ip: '192.168.1.131', zone: 'cn-hangzhou-i' }),
    b.addNode({ ip: '192.168.2.204', zone: 'cn-hangzhou-j' }),
  ];
  addSystemDaemonSets(b);
  b.addApp({
    namespace: 'kube-system',
    name: 'coredns',
    replicas: 2,
    labels: { 'k8s-app': 'kube-dns' },
    containers: [
      {
        name: 'coredns',
        image: `${ACR}/acs/coredns:v1.11.3.2-f57ea7ed6-aliyun`,
        ports: [
          { name: 'dns', containerPort: 53, protocol: 'UDP' },
          { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
          { name: 'metrics', containerPort: 9153, protocol: 'TCP' },
        ],
        readinessPath: '/ready',
        livenessPath: '/health',
        preStopSleep: 15,
        cpu: '100m',
        memory: '170Mi',
      },
    ],
    placement: names(nodes, 0, 2),
    spread: true,
    service: {
      name: 'kube-dns',
      type: 'ClusterIP',
      ports: [
        { name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' },
        { name: 'dns-tcp', port: 53, targetPort: 53, protocol: 'TCP' },
        { name: 'metrics', port: 9153, targetPort: 9153, protocol: 'TCP' },
      ],
    },
    pdb: { maxUnavailable: 1 },
  });
  b.addApp({
    namespace: 'kube-system',
    name: 'nginx-ingress-controller',
    replicas: 2,
    containers: [
      {
        name: 'nginx-ingress-controller',
        image: `${ACR}/acs/aliyun-ingress-controller:v1.10.4-aliyun.1`,
        ports: [
          { name: 'http', containerPort: 80 },
          { name: 'https', containerPort: 443 },
        ],
        readinessPath: '/healthz',
        livenessPath: '/healthz',
        preStopSleep: 30,
        memory: '1Gi',
      },
    ],
    placement: names(nodes, 1, 3),
    spread: true,
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
    service: {
      name: 'nginx-ingress-lb',
      type: 'LoadBalancer',
      externalTrafficPolicy: 'Local',
      annotations: { [`${ALIBABA_LB}address-type`]: 'internet', [`${ALIBABA_LB}spec`]: 'slb.s2.small' },
      ports: [
        { name: 'http', port: 80, targetPort: 80 },
        { name: 'https', port: 443, targetPort: 443 },
      ],
    },
    pdb: { minAvailable: 1 },
  });
  b.addApp({
    namespace: 'shop',
    name: 'storefront',
    replicas: 3,
    containers: [webContainer('storefront', 'registry.cn-hangzhou.aliyuncs.com/acme/storefront:2.14.1')],
    placement: names(nodes, 0, 2, 4),
    spread: true,
    service: { type: 'ClusterIP' },
    pdb: { minAvailable: 2 },
    hpa: { min: 3, max: 10 },
  });
  b.addApp({
    namespace: 'shop',
    name: 'checkout',
    replicas: 3,
    containers: [webContainer('checkout', 'registry.cn-hangzhou.aliyuncs.com/acme/checkout:5.2.0')],
    placement: names(nodes, 2),
    service: { type: 'ClusterIP' },
    pdb: { minAvailable: 2 },
  });
  b.addApp({
    namespace: 'shop',
    name: 'payments',
    replicas: 2,
    containers: [
      webContainer('payments', 'registry.cn-hangzhou.aliyuncs.com/acme/payments:3.8.7', { memory: '256Mi' }),
      {
        name: 'istio-proxy',
        image: 'docker.io/istio/proxyv2:1.22.3',
        readinessPath: null,
        livenessPath: null,
        preStopSleep: null,
        cpu: '100m',
        memory: '128Mi',
      },
    ],
    placement: names(nodes, 1, 4),
    podState: (i) => [
      i === 0
        ? { ready: true, restartCount: 7, lastTermination: { exitCode: 137, reason: 'Error' } }
        : { ready: true, restartCount: 4, lastTermination: { exitCode: 137, reason: 'OOMKilled' } },
      { ready: true, restartCount: 0 },
    ],
    spread: true,
    service: { type: 'ClusterIP' },
    pdb: { minAvailable: 1 },
  });
  b.addApp({
    namespace: 'shop',
    name: 'api-gateway',
    replicas: 3,
    containers: [
      webContainer('gateway', 'registry.cn-hangzhou.aliyuncs.com/acme/api-gateway:1.4.2', {
        ports: [
          { name: 'http', containerPort: 8080 },
          { name: 'https', containerPort: 8443 },
        ],
      }),
    ],
    placement: names(nodes, 0, 1, 3),
    spread: true,
    service: {
      type: 'LoadBalancer',
      annotations: {
        [`${ALIBABA_LB}connection-drain`]: 'on',
        [`${ALIBABA_LB}connection-drain-timeout`]: '30',
        [`${ALIBABA_LB}address-type`]: 'internet',
      },
      ports: [
        { name: 'http', port: 80, targetPort: 'http' },
        { name: 'https', port: 443, targetPort: 'https' },
      ],
    },
    pdb: { minAvailable: 2 },
  });
  b.addApp({
    namespace: 'shop',
    name: 'web-eni',
    replicas: 2,
    containers: [webContainer('web', 'registry.cn-hangzhou.aliyuncs.com/acme/web:7.0.3')],
    placement: names(nodes, 2, 4),
    spread: true,
    service: { type: 'LoadBalancer', annotations: { 'service.beta.kubernetes.io/backend-type': 'eni', [`${ALIBABA_LB}address-type`]: 'intranet' } },
    pdb: { minAvailable: 1 },
  });
  b.addApp({
    namespace: 'shop',
    name: 'redis',
    kind: 'StatefulSet',
    replicas: 3,
    containers: [
      {
        name: 'redis',
        image: 'docker.io/library/redis:7.2.5',
        ports: [{ name: 'redis', containerPort: 6379 }],
        readinessPath: null,
        livenessPath: null,
        preStopSleep: null,
        memory: '1Gi',
      },
    ],
    placement: names(nodes, 0, 2, 4),
    spread: true,
    service: { type: 'ClusterIP', headless: true, ports: [{ name: 'redis', port: 6379, targetPort: 6379 }] },
  });
  b.addApp({
    namespace: 'legacy',
    name: 'legacy-admin',
    replicas: 1,
    containers: [webContainer('admin', 'registry.cn-hangzhou.aliyuncs.com/acme/legacy-admin:0.9.12')],
    placement: names(nodes, 3),
    podState: () => [{ ready: false, restartCount: 0 }],
    service: { type: 'NodePort', ports: [{ name: 'http', port: 80, targetPort: 'http', nodePort: 30080 }] },
  });
  b.addApp({
    namespace: 'game',
    name: 'game-gateway',
    replicas: 2,
    containers: [
      webContainer('gateway', 'registry.cn-hangzhou.aliyuncs.com/acme/game-gateway:2024.11.3', {
        ports: Array.from({ length: 38 }, (_, i) => ({ name: `game-${i}`, containerPort: 7000 + i })),
      }),
    ],
    placement: names(nodes, 0, 4),
    spread: true,
    service: {
      type: 'LoadBalancer',
      annotations: { [`${ALIBABA_LB}address-type`]: 'internet' },
      ports: Array.from({ length: 38 }, (_, i) => ({ name: `game-${i}`, port: 7000 + i, targetPort: 7000 + i })),
    },
    pdb: { minAvailable: 1 },
  });
  return nodes;
}

/**
 * Alibaba nodes and many LoadBalancer Services in Cluster mode: every Service's 2 ports make a
 * vServer group on every eligible node. 20 Services reach 40 attachments (80 % of 50: warning)
 * on the "general" pool; 6 more Services restricted to the "edge" pool (backend-label) take its
 * nodes to 52 (critical). One general node is excluded from load balancers (no finding).
 */
export function quotaHeavy(seed = 2): KubeScenario {
  const b = new ClusterBuilder(seed);
  const edge = { 'rollsafe.example/pool': 'edge' };
  const general = { 'rollsafe.example/pool': 'general' };
  const nodes = [
    b.addNode({ ip: '192.168.0.21', zone: 'cn-hangzhou-h', labels: edge }),
    b.addNode({ ip: '192.168.0.22', zone: 'cn-hangzhou-i', labels: edge }),
    b.addNode({ ip: '192.168.0.23', zone: 'cn-hangzhou-j', labels: edge }),
    b.addNode({ ip: '192.168.1.31', zone: 'cn-hangzhou-h', labels: general }),
    b.addNode({ ip: '192.168.1.32', zone: 'cn-hangzhou-i', labels: general }),
    b.addNode({ ip: '192.168.1.33', zone: 'cn-hangzhou-j', labels: { ...general, 'node.kubernetes.io/exclude-from-external-load-balancers': 'true' } }),
  ];
  addSystemDaemonSets(b);
  for (let i = 0; i < 26; i++) {
    const edgeOnly = i >= 20;
    const name = `tenant-${String(i + 1).padStart(2, '0')}`;
    b.addApp({
      namespace: 'tenants',
      name,
      replicas: 2,
      containers: [
        webContainer('app', `registry.cn-hangzhou.aliyuncs.com/acme/tenant-app:1.${i}.0`, {
          ports: [
            { name: 'http', containerPort: 8080 },
            { name: 'https', containerPort: 8443 },
          ],
        }),
      ],
      placement: names(nodes, i % 6, (i + 3) % 6),
      spread: true,
      service: {
        type: 'LoadBalancer',
        annotations: {
          [`${ALIBABA_LB}address-type`]: 'internet',
          [`${ALIBABA_LB}connection-drain`]: 'on',
          [`${ALIBABA_LB}connection-drain-timeout`]: '30',
          ...(edgeOnly ? { [`${ALIBABA_LB}backend-label`]: 'rollsafe.example/pool=edge' } : {}),
        },
        ports: [
          { name: 'http', port: 80, targetPort: 'http' },
          { name: 'https', port: 443, targetPort: 'https' },
        ],
      },
      pdb: { minAvailable: 1 },
    });
  }
  return b.build('quota-heavy', 'v1.30.2-aliyun.1', {
    provider: 'alibaba',
    cni: 'terway',
    firingLiveRules: ['eni-backend-recommended', 'slb-quota-per-node'],
  });
}

/** The scenario without one namespace: as if its app had been fixed by removing it. */
export function withoutNamespace(base: KubeScenario, namespace: string): KubeScenario {
  return {
    name: `${base.name}-without-${namespace}`,
    version: base.version,
    resourceVersion: base.resourceVersion + 1000,
    expected: base.expected,
    store(resource) {
      const store = base.store(resource);
      const kept: number[] = [];
      for (let i = 0; i < store.size; i += 1) if (!store.key(i).startsWith(`${namespace}/`)) kept.push(i);
      return { size: kept.length, key: (i) => store.key(kept[i] as number), json: (i) => store.json(kept[i] as number) };
    },
  };
}
