#!/usr/bin/env node
// Deterministic generator of a corpus shaped like real `helm template` output of large charts.
//
//   node bench/manifest-scan/generate-helm.mjs --releases 40 [--seed 42] [--out FILE]
//
// Each release renders, with `# Source: <chart>/templates/<file>.yaml` comments as helm writes
// them: a ServiceAccount, RBAC (Role, RoleBinding, ClusterRole with long rule lists), long
// ConfigMaps (an nginx.conf, a JSON Grafana dashboard, an application properties file, as
// literal block scalars), a Secret, CustomResourceDefinitions with big openAPIV3Schema trees
// (every fifth release: CRDs are cluster-wide), many small Services (one per
// port, headless ones for StatefulSets, per-pod Services for a redis-ha style StatefulSet),
// Deployments, a StatefulSet, a DaemonSet, PodDisruptionBudgets, HPAs, a CronJob, a
// ServiceMonitor (custom resource) and an Ingress. Same arguments, same bytes (mulberry32).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from './generate.mjs';

const CHARTS = ['kube-prometheus-stack', 'ingress-nginx', 'argo-cd', 'redis-ha', 'kafka', 'keycloak', 'loki', 'cert-manager', 'istio-base', 'grafana'];

export function generateHelm({ releases, seed = 42 }) {
  const random = mulberry32(seed);
  const pick = (items) => items[Math.floor(random() * items.length)];
  const int = (min, max) => min + Math.floor(random() * (max - min + 1));
  const out = [];
  const kinds = {};
  const emit = (source, text) => {
    out.push(`---\n# Source: ${source}\n${text}`);
    const kind = /^kind: (\S+)/m.exec(text)?.[1] ?? '?';
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  };

  for (let r = 0; r < releases; r++) {
    const chart = CHARTS[r % CHARTS.length];
    const release = `${chart.split('-')[0]}-${r}`;
    const ns = `${pick(['monitoring', 'ingress', 'argocd', 'data', 'auth', 'logging', 'platform'])}-${r % 7}`;
    const labels = (component) =>
      `    helm.sh/chart: ${chart}-${int(1, 60)}.${int(0, 20)}.${int(0, 9)}\n    app.kubernetes.io/name: ${chart}\n    app.kubernetes.io/instance: ${release}\n    app.kubernetes.io/component: ${component}\n    app.kubernetes.io/version: "${int(1, 9)}.${int(0, 30)}.${int(0, 9)}"\n    app.kubernetes.io/managed-by: Helm`;
    const selector = (component) =>
      `      app.kubernetes.io/name: ${chart}\n      app.kubernetes.io/instance: ${release}\n      app.kubernetes.io/component: ${component}`;
    const t = (file) => `${chart}/templates/${file}`;

    emit(
      t('serviceaccount.yaml'),
      `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ${release}\n  namespace: ${ns}\n  labels:\n${labels('server')}\nautomountServiceAccountToken: true\n`,
    );
    emit(t('clusterrole.yaml'), clusterRole(release, labels, int));
    emit(
      t('rolebinding.yaml'),
      `apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: ${release}\n  namespace: ${ns}\n  labels:\n${labels('server')}\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: ${release}\nsubjects:\n  - kind: ServiceAccount\n    name: ${release}\n    namespace: ${ns}\n`,
    );
    emit(t('configmap-nginx.yaml'), configMap(`${release}-nginx`, ns, labels('proxy'), 'nginx.conf', nginxConf(int(150, 400), int)));
    emit(t('configmap-dashboards.yaml'), configMap(`${release}-dashboards`, ns, labels('grafana'), `${chart}.json`, dashboard(int(60, 160), int, pick)));
    emit(t('configmap-app.yaml'), configMap(`${release}-config`, ns, labels('server'), 'application.properties', properties(int(80, 300), int, pick)));
    emit(
      t('secret.yaml'),
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${release}-secret\n  namespace: ${ns}\n  labels:\n${labels('server')}\ntype: Opaque\ndata:\n${Array.from({ length: int(3, 12) }, (_, i) => `  key-${i}: ${Buffer.from(`secret-${r}-${i}-${'x'.repeat(int(8, 60))}`).toString('base64')}`).join('\n')}\n`,
    );
    if (r % 5 === 0) {
      for (let c = 0; c < int(1, 4); c++) emit(t(`crds/crd-${c}.yaml`), crd(chart, c, int, pick));
    }
    const components = ['server', 'repo-server', 'controller', 'webhook', 'metrics'].slice(0, int(2, 5));
    for (const component of components) {
      const ports = Array.from({ length: int(1, 3) }, (_, i) => ({ name: ['http', 'grpc', 'metrics'][i], port: [8080, 9090, 9100][i] }));
      emit(t(`${component}/deployment.yaml`), deployment(release, ns, component, labels, selector, ports, int, pick));
      for (const port of ports) {
        emit(
          t(`${component}/service-${port.name}.yaml`),
          `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${release}-${component}-${port.name}\n  namespace: ${ns}\n  labels:\n${labels(component)}\nspec:\n  type: ClusterIP\n  ports:\n    - name: ${port.name}\n      port: ${port.port}\n      targetPort: ${port.name}\n      protocol: TCP\n  selector:\n${selector(component).replace(/^ {6}/gm, '    ')}\n`,
        );
      }
      if (random() < 0.5) {
        emit(
          t(`${component}/pdb.yaml`),
          `apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: ${release}-${component}\n  namespace: ${ns}\n  labels:\n${labels(component)}\nspec:\n  ${random() < 0.5 ? 'minAvailable: 1' : 'maxUnavailable: 1'}\n  selector:\n    matchLabels:\n${selector(component)}\n`,
        );
      }
      if (random() < 0.3) {
        emit(
          t(`${component}/hpa.yaml`),
          `apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: ${release}-${component}\n  namespace: ${ns}\nspec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: ${release}-${component}\n  minReplicas: ${int(1, 3)}\n  maxReplicas: ${int(4, 20)}\n  metrics:\n    - type: Resource\n      resource:\n        name: cpu\n        target:\n          type: Utilization\n          averageUtilization: ${int(50, 90)}\n`,
        );
      }
    }
    // A redis-ha style StatefulSet with a headless Service and one Service per pod.
    const replicas = int(3, 5);
    emit(t('redis/statefulset.yaml'), statefulSet(release, ns, labels, selector, replicas));
    emit(
      t('redis/service-headless.yaml'),
      `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${release}-redis-headless\n  namespace: ${ns}\nspec:\n  clusterIP: None\n  publishNotReadyAddresses: true\n  ports:\n    - name: redis\n      port: 6379\n      targetPort: redis\n  selector:\n${selector('redis').replace(/^ {6}/gm, '    ')}\n`,
    );
    for (let i = 0; i < replicas; i++) {
      emit(
        t('redis/service-announce.yaml'),
        `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${release}-redis-announce-${i}\n  namespace: ${ns}\n  annotations:\n    service.alpha.kubernetes.io/tolerate-unready-endpoints: "true"\nspec:\n  publishNotReadyAddresses: true\n  type: ClusterIP\n  ports:\n    - name: server\n      port: 6379\n      targetPort: redis\n    - name: sentinel\n      port: 26379\n      targetPort: sentinel\n  selector:\n${selector('redis').replace(/^ {6}/gm, '    ')}\n    statefulset.kubernetes.io/pod-name: ${release}-redis-${i}\n`,
      );
    }
    emit(
      t('daemonset.yaml'),
      `apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: ${release}-node-exporter\n  namespace: ${ns}\n  labels:\n${labels('node-exporter')}\nspec:\n  selector:\n    matchLabels:\n${selector('node-exporter')}\n  updateStrategy:\n    type: RollingUpdate\n    rollingUpdate:\n      maxUnavailable: 1\n  template:\n    metadata:\n      labels:\n${selector('node-exporter').replace(/^/gm, '  ')}\n    spec:\n      hostNetwork: true\n      hostPID: true\n      containers:\n        - name: node-exporter\n          image: quay.io/prometheus/node-exporter:v1.${int(3, 9)}.0\n          args:\n            - --path.procfs=/host/proc\n            - --path.sysfs=/host/sys\n            - --web.listen-address=[$(HOST_IP)]:9100\n          ports:\n            - name: http-metrics\n              containerPort: 9100\n              hostPort: 9100\n          readinessProbe:\n            httpGet: {path: /, port: 9100}\n`,
    );
    emit(
      t('cronjob.yaml'),
      `apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: ${release}-cleanup\n  namespace: ${ns}\nspec:\n  schedule: "${int(0, 59)} ${int(0, 23)} * * *"\n  jobTemplate:\n    spec:\n      template:\n        metadata:\n          labels:\n            app.kubernetes.io/instance: ${release}\n            job: cleanup\n        spec:\n          restartPolicy: OnFailure\n          containers:\n            - name: cleanup\n              image: bitnami/kubectl:1.${int(24, 31)}\n              command: ["sh", "-c", "kubectl delete pods --field-selector=status.phase==Succeeded -n ${ns}"]\n`,
    );
    emit(
      t('servicemonitor.yaml'),
      `apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata:\n  name: ${release}\n  namespace: ${ns}\n  labels:\n${labels('metrics')}\nspec:\n  endpoints:\n    - port: metrics\n      interval: 30s\n      scrapeTimeout: 10s\n      relabelings:\n        - sourceLabels: [__meta_kubernetes_pod_node_name]\n          targetLabel: node\n  selector:\n    matchLabels:\n${selector('metrics')}\n`,
    );
    emit(
      t('ingress.yaml'),
      `apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: ${release}\n  namespace: ${ns}\n  annotations:\n    nginx.ingress.kubernetes.io/proxy-body-size: "${int(1, 64)}m"\n    cert-manager.io/cluster-issuer: letsencrypt\nspec:\n  ingressClassName: nginx\n  tls:\n    - hosts: [${release}.example.com]\n      secretName: ${release}-tls\n  rules:\n    - host: ${release}.example.com\n      http:\n        paths:\n          - path: /\n            pathType: Prefix\n            backend:\n              service:\n                name: ${release}-server-http\n                port:\n                  name: http\n`,
    );
  }
  const text = out.join('');
  return { text, documents: out.length, kinds };
}

function clusterRole(release, labels, int) {
  const groups = ['""', 'apps', 'batch', 'networking.k8s.io', 'policy', 'autoscaling', 'monitoring.coreos.com', 'argoproj.io', 'cert-manager.io'];
  const resources = ['pods', 'services', 'endpoints', 'configmaps', 'secrets', 'deployments', 'statefulsets', 'daemonsets', 'jobs', 'cronjobs', 'ingresses'];
  const rules = Array.from({ length: int(6, 20) }, (_, i) => {
    const group = groups[i % groups.length];
    const picked = resources.slice(i % 4, (i % 4) + int(2, 6));
    return `  - apiGroups:\n      - ${group}\n    resources:\n${picked.map((p) => `      - ${p}`).join('\n')}\n    verbs:\n      - get\n      - list\n      - watch${i % 3 === 0 ? '\n      - create\n      - update\n      - patch\n      - delete' : ''}`;
  });
  return `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: ${release}\n  labels:\n${labels('server')}\nrules:\n${rules.join('\n')}\n`;
}

function configMap(name, ns, labels, key, body) {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: ${ns}\n  labels:\n${labels}\ndata:\n  ${key}: |\n${body
    .split('\n')
    .map((line) => (line ? `    ${line}` : ''))
    .join('\n')}\n`;
}

function nginxConf(lines, int) {
  const out = ['worker_processes auto;', 'events {', '  worker_connections 10240;', '}', 'http {', '  include /etc/nginx/mime.types;', '  sendfile on;'];
  let location = 0;
  while (out.length < lines) {
    out.push(
      `  upstream backend_${location} {`,
      `    server 10.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}:${int(8000, 9000)} max_fails=3 fail_timeout=30s;`,
      '    keepalive 32;',
      '  }',
    );
    out.push(
      '  server {',
      `    listen ${8000 + location};`,
      `    location /api/v${int(1, 3)}/service-${location}/ {`,
      `      proxy_pass http://backend_${location};`,
      '      proxy_set_header Host $host;',
      '      proxy_set_header X-Real-IP $remote_addr;',
      `      proxy_read_timeout ${int(10, 300)}s;`,
      '      # drain before the pod goes away',
      '    }',
      '  }',
    );
    location++;
  }
  out.push('}');
  return out.join('\n');
}

function dashboard(panels, int, pick) {
  const panel = (i) =>
    JSON.stringify(
      {
        id: i,
        type: pick(['graph', 'stat', 'table', 'heatmap']),
        title: `Panel ${i}: ${pick(['request rate', 'error ratio', 'p99 latency', 'pod restarts', 'CPU', 'memory'])}`,
        gridPos: { h: int(4, 12), w: int(6, 24), x: int(0, 18), y: i * 4 },
        targets: [
          { expr: `sum(rate(http_requests_total{job="${pick(['api', 'web', 'worker'])}",code=~"5.."}[5m])) by (pod)`, legendFormat: '{{pod}}', refId: 'A' },
        ],
        fieldConfig: {
          defaults: {
            unit: pick(['reqps', 'percentunit', 's', 'bytes']),
            thresholds: {
              mode: 'absolute',
              steps: [
                { color: 'green', value: null },
                { color: 'red', value: int(50, 95) },
              ],
            },
          },
        },
      },
      null,
      2,
    );
  return `{\n  "title": "Dashboard",\n  "panels": [\n${Array.from({ length: panels }, (_, i) => panel(i)).join(',\n')}\n  ]\n}`;
}

function properties(lines, int, pick) {
  return Array.from(
    { length: lines },
    (_, i) =>
      `${pick(['server', 'spring.datasource', 'management.endpoint', 'logging.level', 'app.feature'])}.key${i}=${pick(['true', 'false', String(int(1, 65535)), `value-${i}`, 'jdbc:postgresql://db:5432/app?sslmode=require'])}`,
  ).join('\n');
}

function crd(chart, index, int, pick) {
  const group = `${chart.replace(/[^a-z]/g, '')}.example.io`;
  const plural = `resource${index}s`;
  const kind = `Resource${index}`;
  const schema = (depth, width) => {
    if (depth === 0)
      return { type: pick(['string', 'integer', 'boolean']), description: `A leaf field. ${'Lorem ipsum dolor sit amet. '.repeat(int(0, 3))}`.trim() };
    const properties = {};
    for (let i = 0; i < width; i++) properties[`field${depth}${i}`] = schema(depth - 1, Math.max(2, width - int(1, 3)));
    return { type: 'object', description: `Level ${depth} object.`, properties, ...(depth % 2 ? { required: Object.keys(properties).slice(0, 2) } : {}) };
  };
  const yamlOf = (value, indent) => {
    const pad = ' '.repeat(indent);
    return Object.entries(value)
      .map(([key, v]) => {
        if (Array.isArray(v)) return `${pad}${key}:\n${v.map((item) => `${pad}  - ${item}`).join('\n')}`;
        if (typeof v === 'object') return `${pad}${key}:\n${yamlOf(v, indent + 2)}`;
        return `${pad}${key}: ${typeof v === 'string' && /[:#]/.test(v) ? JSON.stringify(v) : v}`;
      })
      .join('\n');
  };
  const openAPIV3Schema = {
    type: 'object',
    properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, spec: schema(int(4, 5), int(4, 6)), status: schema(3, 4) },
  };
  return `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: ${plural}.${group}\n  annotations:\n    controller-gen.kubebuilder.io/version: v0.${int(10, 16)}.0\nspec:\n  group: ${group}\n  names:\n    kind: ${kind}\n    listKind: ${kind}List\n    plural: ${plural}\n    singular: resource${index}\n  scope: Namespaced\n  versions:\n    - name: v1\n      served: true\n      storage: true\n      subresources:\n        status: {}\n      schema:\n        openAPIV3Schema:\n${yamlOf(openAPIV3Schema, 10)}\n`;
}

function deployment(release, ns, component, labels, selector, ports, int, pick) {
  const probe = pick(['http', 'tcp', 'none']);
  const probeText =
    probe === 'http'
      ? `          readinessProbe:\n            httpGet:\n              path: /healthz\n              port: ${ports[0].name}\n            periodSeconds: 10\n          livenessProbe:\n            httpGet:\n              path: /healthz\n              port: ${ports[0].name}\n            initialDelaySeconds: 30\n`
      : probe === 'tcp'
        ? `          readinessProbe:\n            tcpSocket:\n              port: ${ports[0].name}\n`
        : '';
  const preStop = random01(int)
    ? `          lifecycle:\n            preStop:\n              exec:\n                command: ["/bin/sh", "-c", "sleep ${int(5, 30)}"]\n`
    : '';
  return `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${release}-${component}\n  namespace: ${ns}\n  labels:\n${labels(component)}\nspec:\n  replicas: ${int(1, 4)}\n  revisionHistoryLimit: 3\n  selector:\n    matchLabels:\n${selector(component)}\n  strategy:\n    type: RollingUpdate\n    rollingUpdate:\n      maxSurge: ${pick(['25%', '1', '0'])}\n      maxUnavailable: ${pick(['0', '1', '25%'])}\n  template:\n    metadata:\n      annotations:\n        checksum/config: ${'0123456789abcdef'.repeat(4)}\n      labels:\n${selector(component).replace(/^/gm, '  ')}\n    spec:\n      serviceAccountName: ${release}\n      terminationGracePeriodSeconds: ${pick([30, 60, 10])}\n      securityContext:\n        runAsNonRoot: true\n        runAsUser: 1000\n        fsGroup: 1000\n      containers:\n        - name: ${component}\n          image: "ghcr.io/example/${component}:v${int(1, 3)}.${int(0, 20)}.${int(0, 9)}"\n          imagePullPolicy: IfNotPresent\n          args:\n            - --port=${ports[0].port}\n            - --log-level=info\n          ports:\n${ports.map((p) => `            - name: ${p.name}\n              containerPort: ${p.port}\n              protocol: TCP`).join('\n')}\n          env:\n            - name: POD_NAME\n              valueFrom:\n                fieldRef:\n                  fieldPath: metadata.name\n            - name: CONFIG_PATH\n              value: /etc/app/application.properties\n${probeText}${preStop}          resources:\n            requests:\n              cpu: ${int(50, 500)}m\n              memory: ${int(64, 1024)}Mi\n            limits:\n              memory: ${int(256, 2048)}Mi\n          volumeMounts:\n            - name: config\n              mountPath: /etc/app\n      volumes:\n        - name: config\n          configMap:\n            name: ${release}-config\n`;
}

function random01(int) {
  return int(0, 1) === 1;
}

function statefulSet(release, ns, labels, selector, replicas) {
  return `apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: ${release}-redis\n  namespace: ${ns}\n  labels:\n${labels('redis')}\nspec:\n  serviceName: ${release}-redis-headless\n  replicas: ${replicas}\n  podManagementPolicy: OrderedReady\n  selector:\n    matchLabels:\n${selector('redis')}\n  template:\n    metadata:\n      labels:\n${selector('redis').replace(/^/gm, '  ')}\n    spec:\n      containers:\n        - name: redis\n          image: redis:7.2-alpine\n          command: ["redis-server", "/data/conf/redis.conf"]\n          ports:\n            - name: redis\n              containerPort: 6379\n          readinessProbe:\n            exec:\n              command: ["sh", "-c", "/health/redis_readiness.sh"]\n        - name: sentinel\n          image: redis:7.2-alpine\n          command: ["redis-sentinel", "/data/conf/sentinel.conf"]\n          ports:\n            - name: sentinel\n              containerPort: 26379\n  volumeClaimTemplates:\n    - metadata:\n        name: data\n      spec:\n        accessModes: ["ReadWriteOnce"]\n        resources:\n          requests:\n            storage: 10Gi\n`;
}

export function generateHelmFile({ releases, seed = 42, file }) {
  const { text, documents, kinds } = generateHelm({ releases, seed });
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return { releases, seed, documents, kinds, bytes: Buffer.byteLength(text), file };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const option = (name, fallback) => {
    const at = args.indexOf(`--${name}`);
    return at >= 0 ? args[at + 1] : fallback;
  };
  const releases = Number(option('releases', '40'));
  const seed = Number(option('seed', '42'));
  const file = option('out', path.join(path.dirname(fileURLToPath(import.meta.url)), 'out', `helm-${releases}.yaml`));
  process.stdout.write(`${JSON.stringify(generateHelmFile({ releases, seed, file }), null, 2)}\n`);
}
