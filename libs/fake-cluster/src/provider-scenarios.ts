// Scenario builders for the other clouds (issue 12): an EKS cluster with the AWS Load Balancer
// Controller (ip and instance targets, one namespace without the readiness-gate label), a GKE
// cluster with NEG readiness gates (one passed without a health check), and an AKS cluster.
// Objects are written out whole (no Alibaba-specific builder): what a real API server returns
// for these kinds, with owner chains, pod conditions and EndpointSlices.
import { ArrayStore, EMPTY_STORE } from './store.js';
import { versionInfo } from './cluster-builder.js';
import type { KubeObject, KubeObjectStore, KubeResourceName, KubeScenario, KubeScenarioExpectations } from './types.js';

type Objects = Partial<Record<KubeResourceName, KubeObject[]>>;

class RawCluster {
  private rv = 5_000;
  private uid = 0;
  readonly objects: Objects = {};

  meta(name: string, namespace?: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    this.uid++;
    return {
      name,
      ...(namespace ? { namespace } : {}),
      uid: `${(0x10000000 + this.uid).toString(16)}-0000-4000-8000-${this.uid.toString(16).padStart(12, '0')}`,
      resourceVersion: String(++this.rv),
      creationTimestamp: '2026-11-30T08:00:00Z',
      ...extra,
    };
  }

  add(resource: KubeResourceName, object: KubeObject): KubeObject {
    (this.objects[resource] ??= []).push(object);
    return object;
  }

  node(name: string, providerID: string, zone: string, labels: Record<string, string> = {}): void {
    this.add('nodes', {
      metadata: this.meta(name, undefined, { labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': zone, ...labels } }),
      spec: { providerID },
      status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: 'v1.31.2' } },
    });
  }

  namespace(name: string, labels: Record<string, string> = {}): void {
    this.add('namespaces', { metadata: this.meta(name, undefined, { labels: { 'kubernetes.io/metadata.name': name, ...labels } }) });
  }

  /**
   * A Deployment, its ReplicaSet and pods (one per node in turn), a Service and its
   * EndpointSlice. `podGates(i)`: the pod's readiness gates and their conditions.
   */
  app(spec: {
    namespace: string;
    name: string;
    replicas: number;
    nodes: string[];
    service: { type: string; annotations?: Record<string, string>; externalTrafficPolicy?: string };
    templateGates?: string[];
    podGates?: (i: number) => Array<{ type: string; status: string; reason?: string }>;
  }): void {
    const labels = { app: spec.name };
    const hash = `${spec.name.length}f${spec.replicas}c9d8`;
    const container = {
      name: 'app',
      image: `registry.example.com/${spec.name}:1.0`,
      ports: [{ name: 'http', containerPort: 8080 }],
      readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 5 },
      lifecycle: { preStop: { sleep: { seconds: 40 } } },
    };
    const template = {
      metadata: { labels },
      spec: {
        terminationGracePeriodSeconds: 90,
        containers: [container],
        ...(spec.templateGates ? { readinessGates: spec.templateGates.map((conditionType) => ({ conditionType })) } : {}),
      },
    };
    const deployment = this.add('deployments', {
      metadata: this.meta(spec.name, spec.namespace, { labels, generation: 1 }),
      spec: {
        replicas: spec.replicas,
        selector: { matchLabels: labels },
        template,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      },
      status: {
        replicas: spec.replicas,
        readyReplicas: spec.replicas,
        availableReplicas: spec.replicas,
        updatedReplicas: spec.replicas,
        observedGeneration: 1,
      },
    });
    const rsName = `${spec.name}-${hash}`;
    const rs = this.add('replicasets', {
      metadata: this.meta(rsName, spec.namespace, {
        labels: { ...labels, 'pod-template-hash': hash },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: spec.name, uid: (deployment.metadata as { uid: string }).uid, controller: true }],
      }),
      spec: {
        replicas: spec.replicas,
        selector: { matchLabels: { ...labels, 'pod-template-hash': hash } },
        template: { ...template, metadata: { labels: { ...labels, 'pod-template-hash': hash } } },
      },
      status: { replicas: spec.replicas, readyReplicas: spec.replicas },
    });
    const endpoints: unknown[] = [];
    for (let i = 0; i < spec.replicas; i++) {
      const name = `${rsName}-p${i}`;
      const node = spec.nodes[i % spec.nodes.length] ?? '';
      const ip = `10.0.${10 + (this.uid % 200)}.${i + 10}`;
      const gates = spec.podGates?.(i) ?? [];
      this.add('pods', {
        metadata: this.meta(name, spec.namespace, {
          labels: { ...labels, 'pod-template-hash': hash },
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rsName, uid: (rs.metadata as { uid: string }).uid, controller: true }],
        }),
        spec: {
          nodeName: node,
          terminationGracePeriodSeconds: 90,
          containers: [container],
          ...(gates.length > 0 ? { readinessGates: gates.map((g) => ({ conditionType: g.type })) } : {}),
        },
        status: {
          phase: 'Running',
          podIP: ip,
          conditions: [...gates, { type: 'Ready', status: 'True' }, { type: 'ContainersReady', status: 'True' }],
          containerStatuses: [{ name: 'app', ready: true, restartCount: 0 }],
        },
      });
      endpoints.push({
        addresses: [ip],
        conditions: { ready: true, serving: true, terminating: false },
        nodeName: node,
        targetRef: { kind: 'Pod', name, namespace: spec.namespace },
      });
    }
    this.add('services', {
      metadata: this.meta(spec.name, spec.namespace, { ...(spec.service.annotations ? { annotations: spec.service.annotations } : {}) }),
      spec: {
        type: spec.service.type,
        selector: labels,
        ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
        ...(spec.service.externalTrafficPolicy ? { externalTrafficPolicy: spec.service.externalTrafficPolicy } : {}),
      },
    });
    this.add('endpointslices', {
      metadata: this.meta(`${spec.name}-abcde`, spec.namespace, { labels: { 'kubernetes.io/service-name': spec.name } }),
      addressType: 'IPv4',
      endpoints,
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    });
  }

  build(name: string, gitVersion: string, expected: KubeScenarioExpectations): KubeScenario {
    const stores = new Map<KubeResourceName, KubeObjectStore>();
    for (const [resource, objects] of Object.entries(this.objects) as Array<[KubeResourceName, KubeObject[]]>) stores.set(resource, new ArrayStore(objects));
    return { name, version: versionInfo(gitVersion), resourceVersion: this.rv + 1, expected, store: (resource) => stores.get(resource) ?? EMPTY_STORE };
  }
}

const AWS_LBC_IP = {
  'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
  'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
};

/**
 * EKS (v1.31) with the AWS Load Balancer Controller: namespace `shop` labelled for gate
 * injection, its `web` pods behind an NLB with ip targets (one pod created before the label,
 * without the gate); namespace `legacy` without the label (`api`, ip targets, 2 replicas);
 * `edge` on instance targets, Local, with a TCP health check; the controller's pod webhook
 * failing open. `podWebhook: false` removes the controller's MutatingWebhookConfiguration (the
 * controller still serves the load balancers, but no new pod gets the gate).
 */
export function eksLoadBalancerController(options: { podWebhook?: boolean } = {}): KubeScenario {
  const podWebhook = options.podWebhook ?? true;
  const c = new RawCluster();
  const nodes = ['ip-10-0-1-11.ec2.internal', 'ip-10-0-2-12.ec2.internal', 'ip-10-0-3-13.ec2.internal'];
  nodes.forEach((n, i) =>
    c.node(n, `aws:///us-east-1${'abc'[i]}/i-0${i}a1b2c3d4e5f6a7b`, `us-east-1${'abc'[i]}`, { 'eks.amazonaws.com/nodegroup': 'default' }),
  );
  c.namespace('shop', { 'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled' });
  c.namespace('legacy');
  c.namespace('edge');
  const gate = 'target-health.elbv2.k8s.aws/k8s-shop-web-1a2b3c4d5e';
  c.app({
    namespace: 'shop',
    name: 'web',
    replicas: 3,
    nodes,
    service: { type: 'LoadBalancer', annotations: AWS_LBC_IP },
    podGates: (i) => (i === 2 ? [] : [{ type: gate, status: 'True' }]),
  });
  c.app({ namespace: 'legacy', name: 'api', replicas: 2, nodes, service: { type: 'LoadBalancer', annotations: AWS_LBC_IP } });
  c.app({
    namespace: 'edge',
    name: 'gateway',
    replicas: 3,
    nodes,
    service: {
      type: 'LoadBalancer',
      externalTrafficPolicy: 'Local',
      annotations: {
        'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
        'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'instance',
        'service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol': 'tcp',
      },
    },
  });
  if (podWebhook) {
    c.add('mutatingwebhookconfigurations', {
      metadata: c.meta('aws-load-balancer-webhook', undefined, { labels: { 'app.kubernetes.io/name': 'aws-load-balancer-controller' } }),
      webhooks: [
        { name: 'mpod.elbv2.k8s.aws', failurePolicy: 'Ignore', admissionReviewVersions: ['v1'], sideEffects: 'None' },
        { name: 'mservice.v2.elbv2.k8s.aws', failurePolicy: 'Fail', admissionReviewVersions: ['v1'], sideEffects: 'None' },
      ],
    });
  }
  return c.build(podWebhook ? 'eks-load-balancer-controller' : 'eks-load-balancer-controller-without-pod-webhook', 'v1.31.2-eks-7f9249a', {
    provider: 'aws',
    firingLiveRules: podWebhook ? ['lb-readiness-gate-missing', 'aws-readiness-webhook-fail-open'] : ['lb-readiness-gate-missing'],
  });
}

/** GKE (v1.30) with container-native load balancing: `web`'s NEG gate passed without a health check on one pod; `store` passed by the LB's check. */
export function gkeNegGates(): KubeScenario {
  const c = new RawCluster();
  const nodes = ['gke-prod-pool-1-a1b2c3d4-x1y2', 'gke-prod-pool-1-a1b2c3d4-z3w4', 'gke-prod-pool-1-e5f6a7b8-q5r6'];
  nodes.forEach((n, i) => c.node(n, `gce://shop-prod/us-central1-${'abc'[i]}/${n}`, `us-central1-${'abc'[i]}`, { 'cloud.google.com/gke-nodepool': 'pool-1' }));
  const neg = 'cloud.google.com/load-balancer-neg-ready';
  const service = { type: 'ClusterIP', annotations: { 'cloud.google.com/neg': '{"ingress": true}' } };
  c.app({
    namespace: 'default',
    name: 'web',
    replicas: 3,
    nodes,
    service,
    podGates: (i) => [{ type: neg, status: 'True', reason: i === 0 ? 'LoadBalancerNegWithoutHealthCheck' : 'LoadBalancerNegReady' }],
  });
  c.app({ namespace: 'default', name: 'store', replicas: 3, nodes, service, podGates: () => [{ type: neg, status: 'True', reason: 'LoadBalancerNegReady' }] });
  return c.build('gke-neg-gates', 'v1.30.5-gke.1014001', { provider: 'gcp', firingLiveRules: ['gke-neg-gate-without-health-check'] });
}

/** AKS (v1.31): `web` on a Local LoadBalancer whose port 80 has no probe rule; `api` on Cluster. */
export function aksStandardLoadBalancer(): KubeScenario {
  const c = new RawCluster();
  const nodes = ['aks-nodepool1-12345678-vmss000000', 'aks-nodepool1-12345678-vmss000001', 'aks-nodepool1-12345678-vmss000002'];
  nodes.forEach((n, i) =>
    c.node(
      n,
      `azure:///subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/mc_rg_aks_westeurope/providers/Microsoft.Compute/virtualMachineScaleSets/aks-nodepool1-12345678-vmss/virtualMachines/${i}`,
      `westeurope-${i + 1}`,
      { 'kubernetes.azure.com/cluster': 'MC_rg_aks_westeurope' },
    ),
  );
  c.app({
    namespace: 'default',
    name: 'web',
    replicas: 3,
    nodes,
    service: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', annotations: { 'service.beta.kubernetes.io/port_80_no_probe_rule': 'true' } },
  });
  c.app({ namespace: 'default', name: 'api', replicas: 3, nodes, service: { type: 'LoadBalancer' } });
  return c.build('aks-standard-load-balancer', 'v1.31.1', { provider: 'azure', firingLiveRules: [] });
}
