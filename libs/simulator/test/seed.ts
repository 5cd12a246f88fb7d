// The seed's scenarios as manifests (Alibaba Cloud): four failure modes and two cures.
import { load } from 'js-yaml';
import { addObject, emptySnapshot, type Snapshot } from '#rollsafe/advisor';

const DRAIN_ON = `
    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain: "on"
    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain-timeout: "20"`;

export interface AppOptions {
  name?: string;
  replicas?: number;
  readinessProbe?: boolean;
  preStopSleep?: number;
  grace?: number;
  strategy?: string;
  eni?: boolean;
  local?: boolean;
  drain?: boolean;
  nodeAffinity?: boolean;
  readinessGate?: boolean;
}

/** One Deployment behind one LoadBalancer Service, written as a user would. */
export function appYaml(o: AppOptions): string {
  const name = o.name ?? 'web';
  const annotations = [o.eni ? '\n    service.beta.kubernetes.io/backend-type: "eni"' : '', o.drain ? DRAIN_ON : ''].join('');
  const probe = o.readinessProbe
    ? `
          readinessProbe:
            httpGet: { path: /healthz, port: http }
            initialDelaySeconds: 5
            periodSeconds: 5`
    : '';
  const preStop =
    o.preStopSleep !== undefined
      ? `
          lifecycle:
            preStop:
              exec: { command: ["sleep", "${o.preStopSleep}"] }`
      : '';
  const affinity = o.nodeAffinity
    ? `
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
              - matchExpressions: [{ key: shop/lb-node, operator: In, values: ["true"] }]`
    : '';
  const gate = o.readinessGate ? `\n      readinessGates:\n        - conditionType: service.readiness.alibabacloud.com/${name}` : '';
  return `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: shop }
spec:
  replicas: ${o.replicas ?? 3}
  selector: { matchLabels: { app: ${name} } }${o.strategy ?? ''}
  template:
    metadata: { labels: { app: ${name} } }
    spec:${o.grace !== undefined ? `\n      terminationGracePeriodSeconds: ${o.grace}` : ''}${affinity}${gate}
      containers:
        - name: app
          image: registry.cn-hangzhou.aliyuncs.com/shop/web:2
          ports: [{ name: http, containerPort: 8080 }]${probe}${preStop}
---
apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: shop
  annotations:
    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-spec: slb.s1.small${annotations}
spec:
  type: LoadBalancer${o.local ? '\n  externalTrafficPolicy: Local' : ''}
  selector: { app: ${name} }
  ports: [{ port: 80, targetPort: http }]
`;
}

export function snapshotOf(yaml: string): Snapshot {
  const snapshot = emptySnapshot({ source: 'manifests' });
  for (const doc of yaml.split(/^---$/m)) addObject(snapshot, load(doc));
  return snapshot;
}

export const IN_PLACE_STRATEGY = `
  strategy:
    type: RollingUpdate
    rollingUpdate: { maxSurge: 50%, maxUnavailable: 0 }`;

export const SEED = {
  noReadinessProbe: appYaml({ preStopSleep: 30, grace: 60 }),
  noPreStop: appYaml({ readinessProbe: true, eni: true, drain: true }),
  localDefaultStrategy: appYaml({ readinessProbe: true, preStopSleep: 30, grace: 60, local: true, drain: true }),
  connectionsCut: appYaml({ readinessProbe: true, preStopSleep: 30, grace: 60, eni: true }),
  cureLocalInPlace: appYaml({ readinessProbe: true, preStopSleep: 30, grace: 60, local: true, strategy: IN_PLACE_STRATEGY, nodeAffinity: true }),
  cureEni: appYaml({ readinessProbe: true, preStopSleep: 30, grace: 60, eni: true, drain: true }),
};
