import net from 'node:net';
import { addObject, emptySnapshot, runAdvisor } from '#rollsafe/advisor';
import { FakeKubeApiServer, kubeScenarios, type KubeScenario } from '#rollsafe/testing';
import {
  admitKubeconfig,
  collectClusterSnapshot,
  OutboundPolicy,
  READABLE_RESOURCES,
  verifyClusterAccess,
  type ClusterCredentials,
  type KubeError,
} from '../src/index.js';

// End to end against libs/testing's fake kube-apiserver (HTTPS, its own CA, RBAC-like users,
// the real list wire format): what a scan sends, and what it makes of the answers.

const loopback = new OutboundPolicy(['loopback']);
const fast = { outbound: loopback, retryBaseDelayMs: 10 };
const REVIEW_PATHS = ['/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews'];

async function failure(promise: Promise<unknown>): Promise<KubeError> {
  try {
    await promise;
  } catch (error) {
    return error as KubeError;
  }
  throw new Error('expected a KubeError');
}

function objectCount(scenario: KubeScenario, resource: Parameters<KubeScenario['store']>[0]): number {
  return scenario.store(resource).size;
}

describe('collectClusterSnapshot against the fake apiserver', () => {
  const scenario = kubeScenarios.smallAlibabaTerway();
  let server: FakeKubeApiServer;
  let credentials: ClusterCredentials;

  beforeAll(async () => {
    server = await FakeKubeApiServer.start({ scenario });
    credentials = await admitKubeconfig(server.kubeconfig({ auth: 'token' }));
  });
  afterAll(() => server.stop());
  beforeEach(() => server.clearRequests());

  it('reads the cluster with GETs only, in pages with continue tokens, and folds every object in slimmed', async () => {
    const { snapshot, stats } = await collectClusterSnapshot(credentials, { ...fast, pageSize: 2 });

    expect(server.requests.length).toBeGreaterThan(10);
    expect(server.requests.every((r) => r.method === 'GET' && r.status === 200)).toBe(true);
    const podPages = server.requests.filter((r) => r.path === '/api/v1/pods');
    expect(podPages.length).toBe(Math.ceil(objectCount(scenario, 'pods') / 2));
    expect(podPages.every((r) => r.query['limit'] === '2')).toBe(true);
    expect(podPages.slice(1).every((r) => typeof r.query['continue'] === 'string' && r.query['continue'] !== '')).toBe(true);
    expect(server.requests.some((r) => r.path === '/api/v1/endpoints')).toBe(false);

    expect(snapshot.pods).toHaveLength(objectCount(scenario, 'pods'));
    expect(snapshot.nodes).toHaveLength(objectCount(scenario, 'nodes'));
    expect(snapshot.endpointSlices).toHaveLength(objectCount(scenario, 'endpointslices'));
    expect(snapshot.deployments).toHaveLength(objectCount(scenario, 'deployments'));
    expect(stats).toMatchObject({ requests: server.requests.length, pages: server.requests.length - 1, retries: 0, restarts: 0 });
    expect(stats.objects).toBe(
      Object.values(snapshot)
        .filter(Array.isArray)
        .reduce((n, list) => n + list.length, 0),
    );
    expect(JSON.stringify(snapshot.pods)).not.toContain('managedFields');
    expect(snapshot.pods[0]).toMatchObject({ kind: 'Pod', apiVersion: 'v1' });
  });

  it('records the version, the provider from spec.providerID and Terway', async () => {
    const { snapshot } = await collectClusterSnapshot(credentials, fast);
    expect(scenario.version.gitVersion).toMatch(/^v1\.30\.2/);
    // controllers: the webhook configurations were listed and name no load balancer controller.
    expect(snapshot.facts).toEqual({
      source: 'cluster',
      kubernetesVersion: scenario.version.gitVersion.slice(1),
      detectedProvider: 'alibaba',
      cni: 'terway',
      controllers: [],
    });
    expect(snapshot.facts.detectedProvider).toBe(scenario.expected.provider);
  });

  it('fires every live rule the scenario is built to trigger', async () => {
    const { snapshot } = await collectClusterSnapshot(credentials, fast);
    const result = runAdvisor(snapshot);
    const fired = new Set(result.findings.map((f) => f.ruleId));
    expect(scenario.expected.firingLiveRules.length).toBeGreaterThan(0);
    for (const rule of scenario.expected.firingLiveRules) expect(fired).toContain(rule);
    expect(result.notEvaluated).toEqual([]);
  });

  it('slims without changing a single finding: same advisor result as on the objects the server sends', async () => {
    const { snapshot } = await collectClusterSnapshot(credentials, fast);
    const whole = emptySnapshot({ ...snapshot.facts });
    for (const resource of READABLE_RESOURCES) {
      if (resource.resource === 'endpoints') continue; // the scan reads EndpointSlices
      const store = scenario.store(resource.resource as Parameters<KubeScenario['store']>[0]);
      for (let i = 0; i < store.size; i++) addObject(whole, { kind: resource.kind, ...JSON.parse(store.json(i)) });
    }
    expect(whole.pods.length).toBe(snapshot.pods.length);
    expect(JSON.stringify(whole).length).toBeGreaterThan(2 * JSON.stringify(snapshot).length);
    expect(runAdvisor(snapshot)).toEqual(runAdvisor(whole));
  });

  it('restarts a list from its first page when a continue token expires (410), without duplicates', async () => {
    server.failNext({ method: 'GET', pathPrefix: '/api/v1/pods' }, { status: 410 });
    const { snapshot, stats } = await collectClusterSnapshot(credentials, { ...fast, pageSize: 3 });
    const pods = server.requests.filter((r) => r.path === '/api/v1/pods');
    expect(pods.find((r) => r.status === 410)?.query['continue']).toBeDefined();
    const afterExpiry = pods.slice(pods.findIndex((r) => r.status === 410) + 1);
    expect(afterExpiry[0]?.query['continue']).toBeUndefined();
    expect(stats.restarts).toBe(1);
    expect(snapshot.pods).toHaveLength(objectCount(scenario, 'pods'));
    expect(new Set(snapshot.pods.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`)).size).toBe(snapshot.pods.length);
  });

  it('retries 429 (honouring Retry-After) and 503 with backoff', async () => {
    server.failNext({ method: 'GET', pathPrefix: '/api/v1/nodes' }, { status: 429, retryAfterSeconds: 1 });
    server.failNext({ method: 'GET', pathPrefix: '/apis/apps/v1/deployments' }, { status: 503, times: 2 });
    const { snapshot, stats } = await collectClusterSnapshot(credentials, fast);
    expect(stats.retries).toBe(3);
    const nodes = server.requests.filter((r) => r.path === '/api/v1/nodes');
    expect(nodes.map((r) => r.status)).toEqual([429, 200]);
    expect((nodes[1]?.at ?? 0) - (nodes[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
    expect(server.requests.filter((r) => r.path === '/apis/apps/v1/deployments').map((r) => r.status)).toEqual([503, 503, 200]);
    expect(snapshot.nodes).toHaveLength(objectCount(scenario, 'nodes'));
    expect(snapshot.deployments).toHaveLength(objectCount(scenario, 'deployments'));
  });

  it('gives up after maxRetries with the last status', async () => {
    server.failNext({ pathPrefix: '/api/v1/services' }, { status: 500, times: 3 });
    const error = await failure(collectClusterSnapshot(credentials, { ...fast, maxRetries: 2 }));
    expect(error.code).toBe('CLUSTER_ERROR');
    expect(error.message).toContain('HTTP 500');
    expect(server.requests.filter((r) => r.path === '/api/v1/services')).toHaveLength(3);
  });

  it('authenticates with a client certificate from the kubeconfig', async () => {
    const certServer = await FakeKubeApiServer.start({ scenario, clientCertificateUsers: true });
    try {
      const certCredentials = await admitKubeconfig(certServer.kubeconfig({ auth: 'client-certificate' }));
      expect(certCredentials.token).toBeUndefined();
      const { snapshot } = await collectClusterSnapshot(certCredentials, fast);
      expect(snapshot.pods).toHaveLength(objectCount(scenario, 'pods'));
      expect(new Set(certServer.requests.map((r) => r.user))).toEqual(new Set(['system:serviceaccount:rollsafe:rollsafe-reader']));
    } finally {
      await certServer.stop();
    }
  });

  it('refuses a loopback server unless the operator allows loopback (TARGET_FORBIDDEN), before any request', async () => {
    const error = await failure(collectClusterSnapshot(credentials, { outbound: new OutboundPolicy() }));
    expect(error.code).toBe('TARGET_FORBIDDEN');
    expect(error.message).toContain('127.0.0.1');
    expect(server.requests).toHaveLength(0);
  });

  it('says why a server cannot be reached: TLS verification', async () => {
    const { certificateAuthority: _ca, ...withoutCa } = credentials;
    const error = await failure(collectClusterSnapshot(withoutCa, { ...fast, maxRetries: 0 }));
    expect(error.code).toBe('CLUSTER_UNREACHABLE');
    expect(error.message).toMatch(/TLS: \w+/);
  });

  it('answers 401 for bad credentials as CLUSTER_FORBIDDEN, without echoing the token', async () => {
    const error = await failure(collectClusterSnapshot({ ...credentials, token: 'not-a-real-token' }, fast));
    expect(error.code).toBe('CLUSTER_FORBIDDEN');
    expect(error.message).not.toContain('not-a-real-token');
  });
});

describe('collecting with partial RBAC', () => {
  const scenario = kubeScenarios.smallAlibabaTerway();
  const rulesWithout = (resource: string) => kubeScenarios.readOnlyRules.map((rule) => ({ ...rule, resources: rule.resources.filter((r) => r !== resource) }));
  let server: FakeKubeApiServer;

  beforeAll(async () => {
    server = await FakeKubeApiServer.start({
      scenario,
      tokens: {
        'no-pods': { name: 'no-pods', rules: rulesWithout('pods') },
        'no-slices': { name: 'no-slices', rules: rulesWithout('endpointslices') },
      },
    });
  });
  afterAll(() => server.stop());

  it('marks kinds RBAC refuses (403) as unavailable, so the advisor reports their rules as not evaluated', async () => {
    const credentials = await admitKubeconfig(server.kubeconfig({ auth: 'token', token: 'no-pods' }));
    const { snapshot, warnings } = await collectClusterSnapshot(credentials, fast);
    expect(snapshot.facts.unavailableKinds).toEqual(['pods']);
    expect(snapshot.pods).toEqual([]);
    expect(warnings).toEqual([expect.stringMatching(/^cannot list pods: rules .*container-restart-loop.* will not be evaluated$/)]);
    const result = runAdvisor(snapshot);
    expect(result.notEvaluated).toEqual(expect.arrayContaining(['container-restart-loop', 'replicas-on-single-node']));
    expect(result.findings.some((f) => f.ruleId === 'container-restart-loop')).toBe(false);
  });

  it('falls back to Endpoints when EndpointSlices cannot be listed', async () => {
    server.clearRequests();
    const credentials = await admitKubeconfig(server.kubeconfig({ auth: 'token', token: 'no-slices' }));
    const { snapshot, warnings } = await collectClusterSnapshot(credentials, fast);
    expect(server.requests.find((r) => r.path === '/apis/discovery.k8s.io/v1/endpointslices')?.status).toBe(403);
    expect(snapshot.endpoints).toHaveLength(objectCount(scenario, 'endpoints'));
    expect(snapshot.endpoints.length).toBeGreaterThan(0);
    expect(snapshot.facts.unavailableKinds).toBeUndefined();
    expect(warnings).toEqual([]);
    expect(runAdvisor(snapshot).notEvaluated).toEqual([]);
  });

  it('verifyClusterAccess reports what the credentials cannot list as warnings', async () => {
    const credentials = await admitKubeconfig(server.kubeconfig({ auth: 'token', token: 'no-pods' }));
    const report = await verifyClusterAccess(credentials, { outbound: loopback });
    expect(report.unlistableKinds).toEqual(['pods']);
    expect(report.warnings).toEqual([expect.stringMatching(/^cannot list pods: rules .*container-restart-loop/)]);
    const sliceless = await verifyClusterAccess(await admitKubeconfig(server.kubeconfig({ auth: 'token', token: 'no-slices' })), { outbound: loopback });
    expect(sliceless.unlistableKinds).toEqual([]);
  });
});

describe('verifyClusterAccess against the fake apiserver', () => {
  let server: FakeKubeApiServer;

  beforeAll(async () => {
    server = await FakeKubeApiServer.start({
      scenario: kubeScenarios.smallAlibabaTerway(),
      tokens: {
        'reader-token': { name: 'reader', rules: kubeScenarios.readOnlyRules },
        'writer-token': { name: 'writer', rules: kubeScenarios.writerRules },
        'sneaky-token': { name: 'sneaky', rules: [...kubeScenarios.readOnlyRules, { verbs: ['patch'], apiGroups: ['apps'], resources: ['statefulsets'] }] },
      },
    });
  });
  afterAll(() => server.stop());
  beforeEach(() => server.clearRequests());

  it('accepts read-only credentials: the version, no warnings, and only GET /version plus the two reviews', async () => {
    const report = await verifyClusterAccess(await admitKubeconfig(server.kubeconfig({ auth: 'token', token: 'reader-token' })), { outbound: loopback });
    expect(report).toEqual({ kubernetesVersion: kubeScenarios.smallAlibabaTerway().version.gitVersion, unlistableKinds: [], warnings: [] });
    for (const request of server.requests) {
      if (request.method === 'GET') expect(request.path).toBe('/version');
      else expect([request.method, REVIEW_PATHS.includes(request.path)]).toEqual(['POST', true]);
    }
    expect(server.requests.filter((r) => r.path === REVIEW_PATHS[0])).toHaveLength(1);
    expect(server.requests.filter((r) => r.path === REVIEW_PATHS[1]).length).toBeGreaterThanOrEqual(16);
  });

  it('refuses credentials that can write (KUBECONFIG_NOT_READ_ONLY) and names the write verbs', async () => {
    const error = await failure(
      verifyClusterAccess(await admitKubeconfig(server.kubeconfig({ auth: 'token', token: 'writer-token' })), { outbound: loopback }),
    );
    expect(error.code).toBe('KUBECONFIG_NOT_READ_ONLY');
    expect(error.details?.['writeVerbs']).toEqual(expect.arrayContaining(['create pods', 'delete secrets', 'patch deployments.apps', 'update services']));
    expect(server.requests.every((r) => r.method === 'GET' || (r.method === 'POST' && REVIEW_PATHS.includes(r.path)))).toBe(true);
  });

  it('finds writes the access reviews do not ask about through the rules review', async () => {
    const error = await failure(
      verifyClusterAccess(await admitKubeconfig(server.kubeconfig({ auth: 'token', token: 'sneaky-token' })), { outbound: loopback }),
    );
    expect(error.code).toBe('KUBECONFIG_NOT_READ_ONLY');
    expect(error.details?.['writeVerbs']).toEqual(['patch statefulsets.apps']);
  });

  it('is CLUSTER_UNREACHABLE with the reason for a closed port', async () => {
    const port = await closedPort();
    const credentials = { ...(await admitKubeconfig(server.kubeconfig({ auth: 'token' }))), server: `https://127.0.0.1:${port}` };
    const error = await failure(verifyClusterAccess(credentials, { outbound: loopback }));
    expect(error.code).toBe('CLUSTER_UNREACHABLE');
    expect(error.message).toBe(`cannot reach https://127.0.0.1:${port}: ECONNREFUSED`);
  });

  it('is CLUSTER_UNREACHABLE with "timeout" when the server does not answer in time', async () => {
    const slow = await FakeKubeApiServer.start({ scenario: kubeScenarios.smallAlibabaTerway(), latencyMs: 400 });
    try {
      const error = await failure(
        verifyClusterAccess(await admitKubeconfig(slow.kubeconfig({ auth: 'token' })), { outbound: loopback, requestTimeoutMs: 100 }),
      );
      expect(error.code).toBe('CLUSTER_UNREACHABLE');
      expect(error.message).toContain('timeout after 100 ms');
    } finally {
      await slow.stop();
    }
  });

  it('is TARGET_FORBIDDEN for a loopback server without the allow list', async () => {
    const error = await failure(
      verifyClusterAccess(await admitKubeconfig(server.kubeconfig({ auth: 'token' })), { outbound: OutboundPolicy.fromEnvironment('') }),
    );
    expect(error.code).toBe('TARGET_FORBIDDEN');
    expect(server.requests).toHaveLength(0);
  });

  it('is CLUSTER_FORBIDDEN for credentials the server does not accept', async () => {
    const error = await failure(
      verifyClusterAccess(await admitKubeconfig(server.kubeconfig({ auth: 'token', token: 'reader-token' }).replace('reader-token', 'forged')), {
        outbound: loopback,
      }),
    );
    expect(error.code).toBe('CLUSTER_FORBIDDEN');
  });
});

/** A port nothing listens on: bind one, note it, close it. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
