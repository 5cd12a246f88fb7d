import { addObject, emptySnapshot, runAdvisor, RULES, type Snapshot } from '#rollsafe/advisor';
import { kubeScenarios, lowerBound, storeObjects, type KubeObject, type KubeResourceName, type KubeScenario } from '#rollsafe/testing';

const KINDS: Record<KubeResourceName, string> = {
  nodes: 'Node',
  pods: 'Pod',
  services: 'Service',
  endpoints: 'Endpoints',
  endpointslices: 'EndpointSlice',
  deployments: 'Deployment',
  replicasets: 'ReplicaSet',
  statefulsets: 'StatefulSet',
  daemonsets: 'DaemonSet',
  poddisruptionbudgets: 'PodDisruptionBudget',
  horizontalpodautoscalers: 'HorizontalPodAutoscaler',
  namespaces: 'Namespace',
  mutatingwebhookconfigurations: 'MutatingWebhookConfiguration',
};

function objects(scenario: KubeScenario, resource: KubeResourceName): KubeObject[] {
  return storeObjects(scenario.store(resource));
}

/** What a collector would build from the scenario (facts as the contract says it detects them). */
function snapshotOf(scenario: KubeScenario): Snapshot {
  const snapshot = emptySnapshot({
    source: 'cluster',
    kubernetesVersion: scenario.version.gitVersion.replace(/^v/, '').replace(/-.*$/, ''),
    ...(scenario.expected.provider ? { detectedProvider: scenario.expected.provider } : {}),
    ...(objects(scenario, 'daemonsets').some((d) => d.metadata?.name?.startsWith('terway')) ? { cni: 'terway' } : {}),
  });
  for (const [resource, kind] of Object.entries(KINDS) as Array<[KubeResourceName, string]>) {
    for (const object of objects(scenario, resource)) addObject(snapshot, { kind, ...object });
  }
  return snapshot;
}

// The live rules of the seed catalog; the provider rules of issue 12 (AWS, GKE, Azure webhooks,
// gates and quotas) fire on the EKS, GKE and AKS scenarios (apps/cli/test/provider-live.spec.ts).
const PROVIDER_LIVE_RULES = ['aws-readiness-webhook-fail-open', 'gke-neg-gate-without-health-check', 'azure-cluster-probe-not-shared', 'lb-backend-quota'];
const LIVE_RULES = RULES.filter((r) => r.requires === 'live' && !PROVIDER_LIVE_RULES.includes(r.id)).map((r) => r.id);

describe('kubeScenarios.smallAlibabaTerway', () => {
  const scenario = kubeScenarios.smallAlibabaTerway();

  it('is deterministic for a seed', () => {
    const again = kubeScenarios.smallAlibabaTerway();
    expect(again.store('pods').json(3)).toBe(scenario.store('pods').json(3));
    expect(kubeScenarios.smallAlibabaTerway(7).store('pods').json(3)).not.toBe(scenario.store('pods').json(3));
  });

  it('is ~5 Alibaba nodes with Terway, on Kubernetes v1.30', () => {
    const nodes = objects(scenario, 'nodes');
    expect(nodes).toHaveLength(5);
    for (const node of nodes) {
      expect((node['spec'] as { providerID: string }).providerID).toMatch(/^alicloud:\/\/cn-hangzhou\.i-[a-z0-9]+$/);
      expect(node.metadata?.labels?.['topology.kubernetes.io/zone']).toMatch(/^cn-hangzhou-/);
    }
    const terway = objects(scenario, 'daemonsets').find((d) => d.metadata?.name === 'terway-eniip');
    expect(terway?.metadata?.namespace).toBe('kube-system');
    expect(scenario.version.gitVersion).toMatch(/^v1\.30\./);
  });

  it('has realistic objects: uids, owner chains, pod-template-hash, statuses, managedFields', () => {
    const deployments = objects(scenario, 'deployments');
    const replicaSets = objects(scenario, 'replicasets');
    const pods = objects(scenario, 'pods');
    const uids = new Set<string>();
    for (const object of [...deployments, ...replicaSets, ...pods]) {
      expect(object.metadata?.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      uids.add(object.metadata?.uid ?? '');
      expect(Array.isArray(object.metadata?.['managedFields'])).toBe(true);
      expect(object.metadata?.resourceVersion).toMatch(/^\d+$/);
      expect(Number(object.metadata?.resourceVersion)).toBeLessThan(scenario.resourceVersion);
    }
    expect(uids.size).toBe(deployments.length + replicaSets.length + pods.length);
    const checkoutPods = pods.filter((p) => p.metadata?.labels?.['app'] === 'checkout');
    expect(checkoutPods).toHaveLength(3);
    for (const pod of checkoutPods) {
      const owner = (pod.metadata?.['ownerReferences'] as Array<{ kind: string; name: string; uid: string; controller: boolean }>)[0];
      expect(owner?.kind).toBe('ReplicaSet');
      expect(owner?.controller).toBe(true);
      const rs = replicaSets.find((r) => r.metadata?.uid === owner?.uid);
      expect(rs?.metadata?.name).toBe(owner?.name);
      expect(pod.metadata?.labels?.['pod-template-hash']).toBe(rs?.metadata?.labels?.['pod-template-hash']);
      expect(pod.metadata?.name?.startsWith(`${rs?.metadata?.name}-`)).toBe(true);
      const rsOwner = (rs?.metadata?.['ownerReferences'] as Array<{ kind: string; uid: string }>)[0];
      expect(rsOwner?.kind).toBe('Deployment');
      expect(deployments.find((d) => d.metadata?.uid === rsOwner?.uid)?.metadata?.name).toBe('checkout');
      const spec = pod['spec'] as { nodeName: string };
      expect(spec.nodeName).toMatch(/^cn-hangzhou\./);
      const status = pod['status'] as { phase: string; conditions: Array<{ type: string; status: string }>; containerStatuses: unknown[] };
      expect(status.phase).toBe('Running');
      expect(status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
      expect(status.containerStatuses).toHaveLength(1);
    }
    const slices = objects(scenario, 'endpointslices');
    for (const slice of slices) {
      expect(slice.metadata?.labels?.['kubernetes.io/service-name']).toBeTruthy();
      for (const endpoint of slice['endpoints'] as Array<{ conditions: { ready: boolean }; nodeName: string; targetRef: { kind: string } }>) {
        expect(typeof endpoint.conditions.ready).toBe('boolean');
        expect(endpoint.nodeName).toMatch(/^cn-hangzhou\./);
        expect(endpoint.targetRef.kind).toBe('Pod');
      }
    }
    // payload sizes like a real server's: managedFields make up a good part of a pod
    const podJson = scenario.store('pods').json(0);
    expect(podJson.length).toBeGreaterThan(4000);
  });

  it('makes every live rule of RULES.md fire at least once', () => {
    const result = runAdvisor(snapshotOf(scenario));
    const fired = new Set(result.findings.map((f) => f.ruleId));
    expect(result.notEvaluated).toEqual([]);
    expect(PROVIDER_LIVE_RULES.filter((r) => fired.has(r))).toEqual([]);
    for (const rule of LIVE_RULES) expect([rule, fired.has(rule)]).toEqual([rule, true]);
    expect([...fired].filter((r) => LIVE_RULES.includes(r)).sort()).toEqual([...scenario.expected.firingLiveRules].sort());
    const find = (rule: string) => result.findings.filter((f) => f.ruleId === rule).map((f) => `${f.resource.namespace}/${f.resource.name}`);
    expect(find('replicas-on-single-node')).toEqual(['shop/checkout']);
    expect(find('container-restart-loop')).toEqual(['shop/payments']);
    expect(find('endpoints-not-ready')).toEqual(['legacy/legacy-admin']);
    expect(find('local-traffic-node-single-pod')).toEqual(['kube-system/nginx-ingress-lb']);
    expect(find('eni-backend-recommended')).not.toContain('shop/web-eni');
  });
});

describe('kubeScenarios.quotaHeavy', () => {
  const scenario = kubeScenarios.quotaHeavy();

  it('takes nodes over 80 % and 100 % of the 50 backend-server-group quota', () => {
    const result = runAdvisor(snapshotOf(scenario));
    const quota = result.findings.filter((f) => f.ruleId === 'slb-quota-per-node');
    const bySeverity = (severity: string) =>
      quota
        .filter((f) => f.severity === severity)
        .map((f) => f.resource.name)
        .sort();
    expect(bySeverity('critical')).toEqual(['cn-hangzhou.192.168.0.21', 'cn-hangzhou.192.168.0.22', 'cn-hangzhou.192.168.0.23']);
    expect(bySeverity('warning')).toEqual(['cn-hangzhou.192.168.1.31', 'cn-hangzhou.192.168.1.32']);
    const services = objects(scenario, 'services');
    expect(services.length).toBeGreaterThanOrEqual(26);
    expect(services.every((s) => (s['spec'] as { type: string; externalTrafficPolicy: string }).externalTrafficPolicy === 'Cluster')).toBe(true);
    const fired = new Set(result.findings.map((f) => f.ruleId).filter((r) => LIVE_RULES.includes(r)));
    expect([...fired].sort()).toEqual([...scenario.expected.firingLiveRules].sort());
  });
});

describe('kubeScenarios.large', () => {
  it('serves keys in strictly increasing order and consistent objects (small instance, full scan)', () => {
    const scenario = kubeScenarios.large({ nodes: 40, pods: 1500, services: 45, seed: 3 });
    for (const resource of Object.keys(KINDS) as KubeResourceName[]) {
      const store = scenario.store(resource);
      for (let i = 1; i < store.size; i++) expect([resource, store.key(i - 1) < store.key(i)]).toEqual([resource, true]);
      for (let i = 0; i < store.size; i++) {
        const object = JSON.parse(store.json(i)) as KubeObject;
        const key = object.metadata?.namespace ? `${object.metadata.namespace}/${object.metadata.name}` : object.metadata?.name;
        if (key !== store.key(i)) throw new Error(`${resource}[${i}]: key ${store.key(i)} but object ${key}`);
      }
    }
    expect(scenario.store('pods').size).toBe(1500);
    expect(scenario.store('nodes').size).toBe(40);
    expect(scenario.store('services').size).toBe(45);
    // the snapshot holds together: every pod's node exists, every pod's owner exists
    const snapshot = snapshotOf(scenario);
    const nodes = new Set(snapshot.nodes.map((n) => n.metadata?.name));
    expect(snapshot.pods.every((p) => nodes.has(p.spec?.nodeName))).toBe(true);
    const owners = new Set([...snapshot.replicaSets, ...snapshot.daemonSets].map((o) => o.metadata?.uid));
    expect(snapshot.pods.every((p) => owners.has(p.metadata?.ownerReferences?.[0]?.uid))).toBe(true);
    const result = runAdvisor(snapshot);
    expect(result.findings.length).toBeGreaterThan(0);
  });

  it('builds 5,000 nodes / 150,000 pods / 3,000 services in seconds and serves any page on demand', () => {
    const started = Date.now();
    const scenario = kubeScenarios.large({ nodes: 5000, pods: 150_000, services: 3000, seed: 42 });
    const buildMs = Date.now() - started;
    const pods = scenario.store('pods');
    expect(pods.size).toBe(150_000);
    expect(scenario.store('nodes').size).toBe(5000);
    expect(scenario.store('services').size).toBe(3000);
    const pageStarted = Date.now();
    const from = lowerBound(pods, 'team-050/');
    const page: string[] = [];
    for (let i = from; i < from + 500; i++) page.push(pods.json(i));
    const pageMs = Date.now() - pageStarted;
    const parsed = page.map((p) => JSON.parse(p) as KubeObject);
    expect(parsed.every((p) => typeof p.metadata?.name === 'string')).toBe(true);
    process.stdout.write(`large(): built in ${buildMs} ms; a page of 500 pods (${Math.round(page.join(',').length / 1024)} KiB) in ${pageMs} ms\n`);
  });
});

describe('kubeScenarios.large through the server', () => {
  it('serves a page of 500 pods with a continue token and remainingItemCount', async () => {
    const { FakeKubeApiServer } = await import('#rollsafe/testing');
    const { call, items, listMeta } = await import('./http.js');
    const server = await FakeKubeApiServer.start({ scenario: kubeScenarios.large({ nodes: 5000, pods: 150_000, services: 3000 }) });
    try {
      const first = await call(`${server.url}/api/v1/pods?limit=500`, { ca: server.caPem, token: 'reader-token' });
      expect(first.status).toBe(200);
      expect(items(first)).toHaveLength(500);
      expect(listMeta(first).remainingItemCount).toBe(149_500);
      const next = await call(`${server.url}/api/v1/pods?limit=500&continue=${encodeURIComponent(listMeta(first).continue ?? '')}`, {
        ca: server.caPem,
        token: 'reader-token',
      });
      expect(items(next)).toHaveLength(500);
      expect(listMeta(next).remainingItemCount).toBe(149_000);
      const key = (item: Record<string, unknown> | undefined): string => {
        const meta = item?.['metadata'] as { namespace: string; name: string };
        return `${meta.namespace}/${meta.name}`;
      };
      expect(key(items(next)[0]) > key(items(first).at(-1))).toBe(true);
    } finally {
      await server.stop();
    }
  });
});
