#!/usr/bin/env node
// Deterministic generator for the manifest-scan benchmark.
//
//   node bench/manifest-scan/generate.mjs --apps 2000 [--seed 42] [--out FILE]
//
// Writes N "apps" as one multi-document YAML file. Each app is a Deployment (60-120 lines,
// shaped like Helm output: labels, annotations, 1-3 containers, probes, preStop, resources,
// env, volumes...), a Service, and for some apps a PodDisruptionBudget and a
// HorizontalPodAutoscaler. Settings are a realistic mix of the seed's recommended
// configuration and the mistakes Rollsafe looks for. Same --apps and --seed, same bytes:
// the only randomness is a seeded PRNG (mulberry32), never Math.random.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** mulberry32: small, fast, good enough for test data; returns floats in [0, 1). */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TEAMS = ['payments', 'checkout', 'search', 'identity', 'catalog', 'orders', 'shipping', 'billing', 'growth', 'platform'];
const STAGES = ['prod', 'staging', 'canary', 'perf', 'dev'];
// 50 namespaces: 10 teams x 5 stages.
const NAMESPACES = TEAMS.flatMap((team) => STAGES.map((stage) => `${team}-${stage}`));
const SERVICE_WORDS = [
  'api',
  'gateway',
  'web',
  'worker-api',
  'frontend',
  'backend',
  'grpc',
  'edge',
  'admin',
  'auth',
  'cart',
  'pricing',
  'inventory',
  'notify',
  'report',
];
const IMAGES = ['registry.cn-hangzhou.aliyuncs.com/acme', 'ghcr.io/acme', 'docker.io/acme', '123456789012.dkr.ecr.us-east-1.amazonaws.com/acme'];
const SIDECARS = [
  { name: 'log-shipper', image: 'docker.io/fluent/fluent-bit:3.1.9', ports: [] },
  { name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.23.2', ports: [{ name: 'http-envoy-prom', containerPort: 15090 }] },
  { name: 'cloudsql-proxy', image: 'gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.13.0', ports: [{ containerPort: 5432 }] },
  {
    name: 'otel-agent',
    image: 'otel/opentelemetry-collector-contrib:0.110.0',
    ports: [
      { name: 'otlp-grpc', containerPort: 4317 },
      { name: 'otlp-http', containerPort: 4318 },
    ],
  },
];
const ALIBABA = 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-';

function makeHelpers(rand) {
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const chance = (p) => rand() < p;
  const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
  const hex = (n) => {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(rand() * 16)];
    return s;
  };
  /** Weighted pick: entries are [weight, value]. */
  const weighted = (entries) => {
    const total = entries.reduce((sum, [w]) => sum + w, 0);
    let r = rand() * total;
    for (const [w, value] of entries) {
      if ((r -= w) < 0) return value;
    }
    return entries[entries.length - 1][1];
  };
  return { pick, chance, int, hex, weighted };
}

/** Decides every setting of one app; the emitters below only format. */
function planApp(index, h) {
  // quality 2 follows the seed's recommended configuration; 0 is a quick first deployment.
  const quality = h.weighted([
    [35, 2],
    [40, 1],
    [25, 0],
  ]);
  const good = (p2, p1, p0) => h.chance(quality === 2 ? p2 : quality === 1 ? p1 : p0);
  const team = h.pick(TEAMS);
  const namespace = h.chance(0.8) ? `${team}-${h.pick(STAGES)}` : h.pick(NAMESPACES);
  const name = `${team}-${h.pick(SERVICE_WORDS)}-${String(index).padStart(5, '0')}`;
  const version = `${h.int(0, 4)}.${h.int(0, 30)}.${h.int(0, 20)}`;
  const httpPort = h.pick([8080, 8080, 8080, 3000, 5000, 8000, 9000]);
  const grpc = h.chance(0.15);
  const namedPort = h.chance(0.75); // the serving port has a name (else numeric only)

  const probeKind = grpc
    ? 'grpc'
    : h.weighted([
        [80, 'httpGet'],
        [15, 'tcpSocket'],
        [5, 'exec'],
      ]);
  const readiness = good(0.98, 0.85, 0.5);
  const liveness = h.weighted(
    quality === 2
      ? [
          [85, 'distinct'],
          [5, 'identical'],
          [10, 'absent'],
        ]
      : [
          [45, 'distinct'],
          [30, 'identical'],
          [25, 'absent'],
        ],
  );
  const startup = good(0.3, 0.1, 0.02);
  const livenessFast = !startup && h.chance(0.05); // kill deadline before readiness' initial delay
  const probeNamesUnknownPort = namedPort && h.chance(0.01); // typo in a probe's named port

  const preStop = h.weighted(
    quality === 2
      ? [
          [80, 'sleep30'],
          [10, 'nativeSleep'],
          [5, 'http'],
          [5, 'absent'],
        ]
      : quality === 1
        ? [
            [35, 'sleep30'],
            [25, 'short'],
            [10, 'nativeSleep'],
            [30, 'absent'],
          ]
        : [
            [10, 'short'],
            [90, 'absent'],
          ],
  );
  const preStopSeconds =
    preStop === 'sleep30'
      ? h.pick([15, 20, 30, 30, 30])
      : preStop === 'short'
        ? h.pick([1, 3, 5, 10])
        : preStop === 'nativeSleep'
          ? h.pick([10, 20, 30])
          : undefined;
  const grace = h.weighted(
    quality === 2
      ? [
          [70, 60],
          [15, 90],
          [15, 45],
        ]
      : [
          [40, undefined],
          [20, 30],
          [15, 60],
          [15, 20],
          [10, 120],
        ],
  );

  const hpa = good(0.45, 0.25, 0.05);
  const replicas = h.weighted(
    quality === 0
      ? [
          [50, 1],
          [20, undefined],
          [30, 2],
        ]
      : [
          [15, 1],
          [5, undefined],
          [40, 2],
          [30, 3],
          [10, 6],
        ],
  );
  const hpaMin = hpa
    ? h.weighted([
        [15, undefined],
        [20, 1],
        [45, 2],
        [20, 3],
      ])
    : undefined;
  const strategy = h.weighted(
    quality === 2
      ? [
          [85, 'surge'],
          [15, 'surge50'],
        ]
      : [
          [30, 'default'],
          [25, 'surge'],
          [15, 'maxSurge0'],
          [10, 'recreate'],
          [10, 'unavailable50'],
          [10, 'explicitDefault'],
        ],
  );
  const spread = h.weighted(
    quality === 2
      ? [
          [45, 'antiAffinityPreferred'],
          [15, 'antiAffinityRequired'],
          [35, 'topology'],
          [5, 'none'],
        ]
      : quality === 1
        ? [
            [30, 'antiAffinityPreferred'],
            [20, 'topology'],
            [50, 'none'],
          ]
        : [[100, 'none']],
  );
  const pdb = h.chance(quality === 2 ? 0.6 : quality === 1 ? 0.3 : 0.05)
    ? h.weighted([
        [55, 'min1'],
        [25, 'maxUnavailable1'],
        [8, 'min50pct'],
        [5, 'maxUnavailable0'],
        [4, 'min100pct'],
        [3, 'minHigh'],
      ])
    : undefined;

  const serviceType = h.weighted([
    [55, 'ClusterIP'],
    [15, 'NodePort'],
    [30, 'LoadBalancer'],
  ]);
  const exposed = serviceType !== 'ClusterIP';
  const eni = serviceType === 'LoadBalancer' && good(0.7, 0.3, 0.05);
  const localPolicy = exposed && !eni && h.chance(quality === 2 ? 0.3 : 0.25);
  const alibaba = serviceType === 'LoadBalancer' && h.chance(0.75);
  const drain = alibaba && good(0.9, 0.4, 0.1);
  const targetPort = h.weighted(
    namedPort
      ? [
          [80, 'name'],
          [18, 'number'],
          [2, 'typo'],
        ]
      : [[100, 'number']],
  );
  const selectorTypo = h.chance(0.01);
  const headless = serviceType === 'ClusterIP' && h.chance(0.05);

  const sidecars = h.weighted([
    [68, 0],
    [26, 1],
    [6, 2],
  ]);
  const sidecarList = [];
  for (let i = 0; i < sidecars; i++) {
    const sidecar = SIDECARS[(index + i * 3 + h.int(0, 3)) % SIDECARS.length];
    if (!sidecarList.includes(sidecar)) sidecarList.push(sidecar);
  }
  const ignore = h.chance(0.02) ? h.pick(['single-replica', 'pdb-missing', 'replicas-not-spread', 'external-traffic-policy-cluster']) : undefined;

  return {
    index,
    quality,
    team,
    namespace,
    name,
    version,
    httpPort,
    grpc,
    namedPort,
    probeKind,
    readiness,
    liveness,
    startup,
    livenessFast,
    probeNamesUnknownPort,
    preStop,
    preStopSeconds,
    grace,
    hpa,
    hpaMin,
    replicas,
    strategy,
    spread,
    pdb,
    serviceType,
    exposed,
    eni,
    localPolicy,
    alibaba,
    drain,
    targetPort,
    selectorTypo,
    headless,
    sidecarList,
    ignore,
    image: h.pick(IMAGES),
    metricsPort: h.chance(0.7) ? h.pick([9090, 9102, 8081]) : undefined,
    cpu: h.pick(['50m', '100m', '250m', '500m', '1']),
    memory: h.pick(['128Mi', '256Mi', '512Mi', '1Gi', '2Gi']),
    limits: h.chance(0.8),
    envCount: h.int(1, 4),
    podIpEnv: h.chance(0.35),
    podNameEnv: h.chance(0.6),
    helmDefaults: h.chance(0.5),
    checksum: h.hex(64),
    revision: h.int(1, 250),
    configMap: h.chance(0.4),
    envFrom: h.chance(0.3),
    secretEnv: h.chance(0.25),
    nodeSelector: h.chance(0.25),
    tolerations: h.chance(0.15),
    minReadySeconds: h.chance(0.2) ? h.pick([5, 10, 30]) : undefined,
    readinessDelay: h.pick([0, 5, 10, 15]),
    period: h.pick([5, 10, 10, 15]),
    hpaMax: h.int(4, 20),
    cpuTarget: h.pick([60, 70, 75, 80]),
  };
}

// ---------- emitters: plain string building, shaped like `helm template` output ----------

function labels(app, indent, withVersion) {
  const pad = ' '.repeat(indent);
  let s = `${pad}app.kubernetes.io/name: ${app.name}\n${pad}app.kubernetes.io/instance: ${app.name}-${app.team}\n`;
  if (withVersion) s += `${pad}app.kubernetes.io/version: "${app.version}"\n`;
  s += `${pad}app.kubernetes.io/part-of: ${app.team}\n`;
  return s;
}

function selectorLabels(app, indent, typo = false) {
  const pad = ' '.repeat(indent);
  return `${pad}app.kubernetes.io/name: ${typo ? app.name.replace(/-(\d+)$/, '-v2-$1') : app.name}\n${pad}app.kubernetes.io/instance: ${app.name}-${app.team}\n`;
}

function servingPortRef(app) {
  return app.namedPort ? (app.grpc ? 'grpc' : 'http') : app.httpPort;
}

function probe(app, which, pad) {
  // `which` is readiness | liveness | startup; liveness uses another path unless identical.
  const distinct = which === 'liveness' && app.liveness === 'distinct';
  const port = app.probeNamesUnknownPort && which === 'readiness' ? 'htpp' : servingPortRef(app);
  let s = '';
  switch (app.probeKind) {
    case 'httpGet':
      s += `${pad}  httpGet:\n${pad}    path: ${distinct ? '/livez' : which === 'startup' ? '/startupz' : '/readyz'}\n${pad}    port: ${port}\n`;
      break;
    case 'grpc':
      s += `${pad}  grpc:\n${pad}    port: ${app.httpPort}\n${distinct ? `${pad}    service: liveness\n` : ''}`;
      break;
    case 'tcpSocket':
      s += distinct ? `${pad}  exec:\n${pad}    command:\n${pad}    - /bin/healthcheck\n${pad}    - --live\n` : `${pad}  tcpSocket:\n${pad}    port: ${port}\n`;
      break;
    default:
      s += `${pad}  exec:\n${pad}    command: ["/bin/healthcheck", "${distinct ? '--live' : '--ready'}"]\n`;
  }
  if (which === 'readiness') {
    s += `${pad}  initialDelaySeconds: ${app.livenessFast ? 60 : app.readinessDelay}\n${pad}  periodSeconds: ${app.period}\n`;
    if (app.quality === 2) s += `${pad}  timeoutSeconds: 2\n${pad}  failureThreshold: 3\n`;
  } else if (which === 'liveness') {
    s += app.livenessFast
      ? `${pad}  initialDelaySeconds: 10\n${pad}  periodSeconds: 5\n${pad}  failureThreshold: 3\n`
      : `${pad}  initialDelaySeconds: ${app.readinessDelay + 20}\n${pad}  periodSeconds: 20\n${pad}  failureThreshold: 5\n`;
  } else {
    s += `${pad}  periodSeconds: 5\n${pad}  failureThreshold: 30\n`;
  }
  return s;
}

function mainContainer(app) {
  const p = '      '; // list item indent under `containers:`
  const pad = `${p}  `;
  let s = `${p}- name: ${app.grpc ? 'server' : 'app'}\n`;
  s += `${pad}image: ${app.image}/${app.name.replace(/-\d+$/, '')}:${app.version}\n`;
  s += `${pad}imagePullPolicy: IfNotPresent\n`;
  if (app.grpc || app.index % 5 === 0) s += `${pad}args:\n${pad}- --port=${app.httpPort}\n${pad}- --log-format=json\n`;
  s += `${pad}ports:\n`;
  if (app.namedPort) s += `${pad}- name: ${app.grpc ? 'grpc' : 'http'}\n${pad}  containerPort: ${app.httpPort}\n${pad}  protocol: TCP\n`;
  else s += `${pad}- containerPort: ${app.httpPort}\n${pad}  protocol: TCP\n`;
  if (app.metricsPort) s += `${pad}- name: metrics\n${pad}  containerPort: ${app.metricsPort}\n${pad}  protocol: TCP\n`;
  s += `${pad}env:\n`;
  const envNames = ['LOG_LEVEL', 'APP_ENV', 'HTTP_TIMEOUT', 'DB_POOL_SIZE', 'FEATURE_FLAGS', 'CACHE_TTL', 'REGION'];
  const envValues = ['info', app.namespace.split('-')[1], '"30s"', '"20"', 'new-checkout,fast-search', '"300"', 'cn-hangzhou'];
  for (let i = 0; i < app.envCount; i++) s += `${pad}- name: ${envNames[i]}\n${pad}  value: ${envValues[i]}\n`;
  if (app.podNameEnv) s += `${pad}- name: POD_NAME\n${pad}  valueFrom:\n${pad}    fieldRef:\n${pad}      fieldPath: metadata.name\n`;
  if (app.podIpEnv) s += `${pad}- name: POD_IP\n${pad}  valueFrom:\n${pad}    fieldRef:\n${pad}      fieldPath: status.podIP\n`;
  if (app.secretEnv)
    s += `${pad}- name: DATABASE_PASSWORD\n${pad}  valueFrom:\n${pad}    secretKeyRef:\n${pad}      name: ${app.name}-db\n${pad}      key: password\n`;
  if (app.envFrom) s += `${pad}envFrom:\n${pad}- configMapRef:\n${pad}    name: ${app.name}-env\n`;
  s += `${pad}resources:\n${pad}  requests:\n${pad}    cpu: ${app.cpu}\n${pad}    memory: ${app.memory}\n`;
  if (app.limits) s += `${pad}  limits:\n${pad}    memory: ${app.memory}\n`;
  if (app.readiness) s += `${pad}readinessProbe:\n${probe(app, 'readiness', pad)}`;
  if (app.liveness !== 'absent') s += `${pad}livenessProbe:\n${probe(app, app.readiness ? 'liveness' : 'readiness', pad)}`;
  if (app.startup) s += `${pad}startupProbe:\n${probe(app, 'startup', pad)}`;
  switch (app.preStop) {
    case 'sleep30':
    case 'short':
      s +=
        app.index % 2 === 0
          ? `${pad}lifecycle:\n${pad}  preStop:\n${pad}    exec:\n${pad}      command: ["sh", "-c", "sleep ${app.preStopSeconds}"]\n`
          : `${pad}lifecycle:\n${pad}  preStop:\n${pad}    exec:\n${pad}      command:\n${pad}      - /bin/sleep\n${pad}      - "${app.preStopSeconds}"\n`;
      break;
    case 'nativeSleep':
      s += `${pad}lifecycle:\n${pad}  preStop:\n${pad}    sleep:\n${pad}      seconds: ${app.preStopSeconds}\n`;
      break;
    case 'http':
      s += `${pad}lifecycle:\n${pad}  preStop:\n${pad}    httpGet:\n${pad}      path: /drain\n${pad}      port: ${app.httpPort}\n`;
      break;
  }
  if (app.quality === 2)
    s += `${pad}securityContext:\n${pad}  allowPrivilegeEscalation: false\n${pad}  readOnlyRootFilesystem: true\n${pad}  capabilities:\n${pad}    drop: ["ALL"]\n`;
  else if (app.quality === 1) s += `${pad}securityContext:\n${pad}  allowPrivilegeEscalation: false\n`;
  if (app.quality === 2 || app.configMap) s += `${pad}volumeMounts:\n`;
  if (app.quality === 2) s += `${pad}- name: tmp\n${pad}  mountPath: /tmp\n`;
  if (app.configMap) s += `${pad}- name: config\n${pad}  mountPath: /etc/${app.team}\n${pad}  readOnly: true\n`;
  return s;
}

function sidecarContainer(sidecar, app) {
  const p = '      ';
  const pad = `${p}  `;
  let s = `${p}- name: ${sidecar.name}\n${pad}image: ${sidecar.image}\n`;
  if (sidecar.ports.length) {
    s += `${pad}ports:\n`;
    for (const port of sidecar.ports)
      s += port.name ? `${pad}- name: ${port.name}\n${pad}  containerPort: ${port.containerPort}\n` : `${pad}- containerPort: ${port.containerPort}\n`;
  }
  s += `${pad}resources:\n${pad}  requests: {cpu: 10m, memory: 32Mi}\n`;
  if (sidecar.name === 'log-shipper' && app.quality === 2) s += `${pad}volumeMounts:\n${pad}- name: tmp\n${pad}  mountPath: /var/log/app\n`;
  return s;
}

function spreadSection(app) {
  switch (app.spread) {
    case 'antiAffinityPreferred':
      return `      affinity:\n        podAntiAffinity:\n          preferredDuringSchedulingIgnoredDuringExecution:\n          - weight: 100\n            podAffinityTerm:\n              topologyKey: kubernetes.io/hostname\n              labelSelector:\n                matchLabels:\n${selectorLabels(app, 18)}`;
    case 'antiAffinityRequired':
      return `      affinity:\n        podAntiAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n          - topologyKey: kubernetes.io/hostname\n            labelSelector:\n              matchLabels:\n${selectorLabels(app, 16)}`;
    case 'topology':
      return `      topologySpreadConstraints:\n      - maxSkew: 1\n        topologyKey: topology.kubernetes.io/zone\n        whenUnsatisfiable: ScheduleAnyway\n        labelSelector:\n          matchLabels:\n${selectorLabels(app, 12)}${app.index % 2 ? '' : `      - maxSkew: 1\n        topologyKey: kubernetes.io/hostname\n        whenUnsatisfiable: DoNotSchedule\n        labelSelector:\n          matchLabels:\n${selectorLabels(app, 12)}`}`;
    default:
      return '';
  }
}

function strategySection(app) {
  switch (app.strategy) {
    case 'surge':
      return `  strategy:\n    type: RollingUpdate\n    rollingUpdate:\n      maxSurge: 25%\n      maxUnavailable: 0\n`;
    case 'surge50':
      return `  strategy:\n    type: RollingUpdate\n    rollingUpdate:\n      maxSurge: 50%\n      maxUnavailable: 0\n`;
    case 'maxSurge0':
      return `  strategy:\n    type: RollingUpdate\n    rollingUpdate:\n      maxSurge: 0\n      maxUnavailable: 1\n`;
    case 'recreate':
      return `  strategy:\n    type: Recreate\n`;
    case 'unavailable50':
      return `  strategy:\n    type: RollingUpdate\n    rollingUpdate:\n      maxSurge: 1\n      maxUnavailable: 50%\n`;
    case 'explicitDefault':
      return `  strategy:\n    type: RollingUpdate\n    rollingUpdate:\n      maxSurge: 25%\n      maxUnavailable: 25%\n`;
    default:
      return '';
  }
}

function deployment(app) {
  let s = `---\n# Source: ${app.team}/templates/deployment.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${app.name}\n  namespace: ${app.namespace}\n`;
  s += `  labels:\n${labels(app, 4, true)}    app.kubernetes.io/managed-by: Helm\n    helm.sh/chart: ${app.team}-${app.version}\n`;
  s += `  annotations:\n    deployment.kubernetes.io/revision: "${app.revision}"\n`;
  if (app.helmDefaults) s += `    meta.helm.sh/release-name: ${app.name}\n    meta.helm.sh/release-namespace: ${app.namespace}\n`;
  if (app.ignore) s += `    rollsafe.io/ignore: ${app.ignore}\n`;
  s += `spec:\n`;
  if (app.replicas !== undefined && !(app.hpa && app.index % 3 === 0)) s += `  replicas: ${app.replicas}\n`;
  if (app.helmDefaults) s += `  revisionHistoryLimit: 10\n  progressDeadlineSeconds: 600\n`;
  if (app.minReadySeconds) s += `  minReadySeconds: ${app.minReadySeconds}\n`;
  s += `  selector:\n    matchLabels:\n${selectorLabels(app, 6)}`;
  s += strategySection(app);
  s += `  template:\n    metadata:\n      labels:\n${labels(app, 8, true)}`;
  s += `      annotations:\n        checksum/config: ${app.checksum}\n`;
  if (app.metricsPort) s += `        prometheus.io/scrape: "true"\n        prometheus.io/port: "${app.metricsPort}"\n`;
  s += `    spec:\n      serviceAccountName: ${app.name}\n`;
  if (app.grace !== undefined) s += `      terminationGracePeriodSeconds: ${app.grace}\n`;
  if (app.quality > 0) s += `      securityContext:\n        runAsNonRoot: true\n        fsGroup: 10001\n`;
  if (app.nodeSelector) s += `      nodeSelector:\n        node.kubernetes.io/pool: ${app.team}\n`;
  if (app.tolerations) s += `      tolerations:\n      - key: dedicated\n        operator: Equal\n        value: ${app.team}\n        effect: NoSchedule\n`;
  s += spreadSection(app);
  s += `      containers:\n${mainContainer(app)}`;
  for (const sidecar of app.sidecarList) s += sidecarContainer(sidecar, app);
  if (app.quality === 2 || app.configMap) s += `      volumes:\n`;
  if (app.quality === 2) s += `      - name: tmp\n        emptyDir: {}\n`;
  if (app.configMap) s += `      - name: config\n        configMap:\n          name: ${app.name}-config\n`;
  return s;
}

function service(app) {
  let s = `---\n# Source: ${app.team}/templates/service.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: ${app.name}\n  namespace: ${app.namespace}\n  labels:\n${labels(app, 4, false)}    app.kubernetes.io/managed-by: Helm\n`;
  const annotations = [];
  if (app.alibaba) {
    annotations.push(`${ALIBABA}address-type: ${app.index % 4 === 0 ? 'intranet' : 'internet'}`);
    annotations.push(`${ALIBABA}spec: slb.s1.small`);
    if (app.drain) {
      annotations.push(`${ALIBABA}connection-drain: "on"`);
      annotations.push(`${ALIBABA}connection-drain-timeout: "${app.index % 7 === 0 ? 5 : 30}"`);
    }
    if (app.index % 3 === 0) annotations.push(`${ALIBABA}health-check-interval: "${app.index % 2 ? 5 : 2}"`, `${ALIBABA}unhealthy-threshold: "3"`);
    if (app.eni) annotations.push(`service.beta.kubernetes.io/backend-type: eni`);
  } else if (app.serviceType === 'LoadBalancer') {
    if (app.index % 2 === 0) {
      annotations.push('service.beta.kubernetes.io/aws-load-balancer-type: external');
      if (app.eni) annotations.push('service.beta.kubernetes.io/aws-load-balancer-nlb-target-type: ip');
      if (app.drain || app.index % 4 === 0)
        annotations.push('service.beta.kubernetes.io/aws-load-balancer-target-group-attributes: deregistration_delay.timeout_seconds=30');
    } else if (app.eni) {
      annotations.push(`cloud.google.com/neg: '{"ingress": true}'`);
    }
  }
  if (app.ignore === 'external-traffic-policy-cluster') annotations.push(`rollsafe.io/ignore: ${app.ignore}`);
  if (annotations.length) s += `  annotations:\n${annotations.map((a) => `    ${a}\n`).join('')}`;
  s += `spec:\n  type: ${app.serviceType}\n`;
  if (app.headless) s += `  clusterIP: None\n`;
  if (app.localPolicy) s += `  externalTrafficPolicy: Local\n`;
  else if (app.exposed && app.index % 2 === 0) s += `  externalTrafficPolicy: Cluster\n`;
  s += `  selector:\n${selectorLabels(app, 4, app.selectorTypo)}`;
  const target = app.targetPort === 'name' ? servingPortRef(app) : app.targetPort === 'typo' ? 'web' : app.httpPort;
  s += `  ports:\n  - name: ${app.grpc ? 'grpc' : 'http'}\n    port: ${app.grpc ? 9000 : 80}\n    targetPort: ${target}\n    protocol: TCP\n`;
  if (app.serviceType === 'NodePort') s += `    nodePort: ${30000 + (app.index % 2700)}\n`;
  if (app.metricsPort && app.serviceType === 'ClusterIP') s += `  - name: metrics\n    port: ${app.metricsPort}\n    targetPort: metrics\n    protocol: TCP\n`;
  return s;
}

function pdb(app) {
  const spec = {
    min1: 'minAvailable: 1',
    maxUnavailable1: 'maxUnavailable: 1',
    min50pct: 'minAvailable: 50%',
    maxUnavailable0: 'maxUnavailable: 0',
    min100pct: 'minAvailable: 100%',
    minHigh: 'minAvailable: 3',
  }[app.pdb];
  return `---\n# Source: ${app.team}/templates/pdb.yaml\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: ${app.name}\n  namespace: ${app.namespace}\n  labels:\n${labels(app, 4, false)}spec:\n  ${spec}\n  selector:\n    matchLabels:\n${selectorLabels(app, 6)}`;
}

function hpa(app) {
  return `---\n# Source: ${app.team}/templates/hpa.yaml\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: ${app.name}\n  namespace: ${app.namespace}\n  labels:\n${labels(app, 4, false)}spec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: ${app.name}\n${app.hpaMin !== undefined ? `  minReplicas: ${app.hpaMin}\n` : ''}  maxReplicas: ${app.hpaMax}\n  metrics:\n  - type: Resource\n    resource:\n      name: cpu\n      target:\n        type: Utilization\n        averageUtilization: ${app.cpuTarget}\n`;
}

/**
 * Generates `apps` apps and hands the YAML to `write` in chunks (one per app).
 * Returns counts: documents per kind, total documents, Deployment line range.
 */
export function generate({ apps, seed = 42, write }) {
  const rand = mulberry32(seed);
  const h = makeHelpers(rand);
  const kinds = { Deployment: 0, Service: 0, PodDisruptionBudget: 0, HorizontalPodAutoscaler: 0 };
  let minLines = Infinity;
  let maxLines = 0;
  let totalDeploymentLines = 0;
  for (let i = 0; i < apps; i++) {
    const app = planApp(i, h);
    const dep = deployment(app);
    const lineCount = dep.split('\n').length - 3; // minus `---`, the `# Source` comment, the trailing newline
    minLines = Math.min(minLines, lineCount);
    maxLines = Math.max(maxLines, lineCount);
    totalDeploymentLines += lineCount;
    let chunk = dep + service(app);
    kinds.Deployment++;
    kinds.Service++;
    if (app.pdb) {
      chunk += pdb(app);
      kinds.PodDisruptionBudget++;
    }
    if (app.hpa) {
      chunk += hpa(app);
      kinds.HorizontalPodAutoscaler++;
    }
    write(chunk);
  }
  const documents = Object.values(kinds).reduce((a, b) => a + b, 0);
  return { apps, seed, documents, kinds, deploymentLines: { min: minLines, max: maxLines, mean: apps ? totalDeploymentLines / apps : 0 } };
}

/** Writes the file; returns the counts plus `bytes` and `file`. */
export function generateFile({ apps, seed = 42, file }) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'w');
  let bytes = 0;
  let buffer = [];
  let buffered = 0;
  const flush = () => {
    if (buffer.length === 0) return;
    const data = buffer.join('');
    bytes += fs.writeSync(fd, data);
    buffer = [];
    buffered = 0;
  };
  try {
    const counts = generate({
      apps,
      seed,
      write: (chunk) => {
        buffer.push(chunk);
        buffered += chunk.length;
        if (buffered > 1 << 20) flush();
      },
    });
    flush();
    return { ...counts, bytes, file };
  } finally {
    fs.closeSync(fd);
  }
}

const invokedDirectly = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const args = process.argv.slice(2);
  const option = (name, fallback) => {
    const at = args.indexOf(`--${name}`);
    return at >= 0 && args[at + 1] !== undefined ? args[at + 1] : fallback;
  };
  const apps = Number(option('apps', '2000'));
  const seed = Number(option('seed', '42'));
  if (!Number.isInteger(apps) || apps < 0 || !Number.isInteger(seed)) {
    process.stderr.write('usage: node generate.mjs --apps N [--seed S] [--out FILE]\n');
    process.exit(2);
  }
  const here = path.dirname(fileURLToPath(import.meta.url));
  const file = path.resolve(option('out', path.join(here, 'out', `apps-${apps}.yaml`)));
  const result = generateFile({ apps, seed, file });
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}
