import { FakeKubeApiServer, kubeScenarios, storeObjects, type KubeScenario } from '#rollsafe/testing';
import { call, items, listMeta } from './http.js';

let server: FakeKubeApiServer;
let scenario: KubeScenario;

beforeAll(async () => {
  scenario = kubeScenarios.smallAlibabaTerway();
  server = await FakeKubeApiServer.start({ scenario, maxPageSize: 5 });
});
afterAll(async () => {
  await server.stop();
});
beforeEach(() => server.clearRequests());

const get = (path: string, token: string | undefined = 'reader-token') => call(`${server.url}${path}`, { ca: server.caPem, ...(token ? { token } : {}) });

/** Pages through a list; bounded. */
async function pageAll(path: string, limit: number): Promise<{ names: string[]; pages: number; rvs: Set<string> }> {
  const names: string[] = [];
  const rvs = new Set<string>();
  let token: string | undefined;
  let pages = 0;
  for (let i = 0; i < 1000; i++) {
    const sep = path.includes('?') ? '&' : '?';
    const answer = await get(`${path}${sep}limit=${limit}${token ? `&continue=${encodeURIComponent(token)}` : ''}`);
    expect(answer.status).toBe(200);
    pages++;
    for (const item of items(answer))
      names.push(`${(item['metadata'] as { namespace?: string }).namespace ?? ''}/${(item['metadata'] as { name: string }).name}`);
    const meta = listMeta(answer);
    if (meta.resourceVersion) rvs.add(meta.resourceVersion);
    token = meta.continue;
    if (!token) break;
  }
  return { names, pages, rvs };
}

describe('FakeKubeApiServer wire format', () => {
  it('serves /version for the scenario', async () => {
    const answer = await get('/version');
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ major: '1', minor: '30', gitVersion: scenario.version.gitVersion });
    expect(String(answer.json['gitVersion'])).toMatch(/^v1\.30\.2/);
  });

  it('answers Lists like a real server: kind, apiVersion, metadata.resourceVersion, items without kind', async () => {
    const answer = await get('/apis/apps/v1/deployments');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(answer.json['kind']).toBe('DeploymentList');
    expect(answer.json['apiVersion']).toBe('apps/v1');
    expect(listMeta(answer).resourceVersion).toBe(server.resourceVersion);
    expect(listMeta(answer).continue).toBeUndefined();
    for (const item of items(answer)) {
      expect(item['kind']).toBeUndefined();
      expect(item['apiVersion']).toBeUndefined();
      expect(item['metadata']).toHaveProperty('managedFields');
    }
    const slices = await get('/apis/discovery.k8s.io/v1/endpointslices');
    expect(slices.json).toMatchObject({ kind: 'EndpointSliceList', apiVersion: 'discovery.k8s.io/v1' });
    const hpas = await get('/apis/autoscaling/v2/horizontalpodautoscalers');
    expect(hpas.json).toMatchObject({ kind: 'HorizontalPodAutoscalerList', apiVersion: 'autoscaling/v2' });
  });

  it.each([
    ['/api/v1/nodes', 'nodes'],
    ['/api/v1/pods', 'pods'],
    ['/api/v1/services', 'services'],
    ['/api/v1/endpoints', 'endpoints'],
    ['/apis/discovery.k8s.io/v1/endpointslices', 'endpointslices'],
    ['/apis/apps/v1/deployments', 'deployments'],
    ['/apis/apps/v1/replicasets', 'replicasets'],
    ['/apis/apps/v1/statefulsets', 'statefulsets'],
    ['/apis/apps/v1/daemonsets', 'daemonsets'],
    ['/apis/policy/v1/poddisruptionbudgets', 'poddisruptionbudgets'],
    ['/apis/autoscaling/v2/horizontalpodautoscalers', 'horizontalpodautoscalers'],
  ] as const)('pages %s with limit and continue, in key order, each object once', async (path, resource) => {
    const all = storeObjects(scenario.store(resource));
    expect(all.length).toBeGreaterThan(0);
    const { names, pages, rvs } = await pageAll(path, 3);
    expect(names).toHaveLength(all.length);
    expect(new Set(names).size).toBe(all.length);
    expect([...names].sort()).toEqual(names.map((n) => n).sort());
    expect(pages).toBe(Math.ceil(all.length / 3));
    expect(rvs.size).toBe(1);
  });

  it('reports remainingItemCount and an opaque continue token on a partial page', async () => {
    const total = scenario.store('pods').size;
    const answer = await get('/api/v1/pods?limit=4');
    expect(items(answer)).toHaveLength(4);
    expect(listMeta(answer).remainingItemCount).toBe(total - 4);
    expect(typeof listMeta(answer).continue).toBe('string');
  });

  it('caps ?limit at maxPageSize', async () => {
    const answer = await get('/api/v1/pods?limit=1000');
    expect(items(answer)).toHaveLength(5);
    expect(listMeta(answer).continue).toBeTruthy();
  });

  it('serves namespaced lists and one object by name (with kind and apiVersion)', async () => {
    const shopPods = storeObjects(scenario.store('pods')).filter((p) => p.metadata?.namespace === 'shop');
    const { names } = await pageAll('/api/v1/namespaces/shop/pods', 2);
    expect(names).toHaveLength(shopPods.length);
    expect(names.every((n) => n.startsWith('shop/'))).toBe(true);

    const one = await get('/apis/apps/v1/namespaces/shop/deployments/checkout');
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject({ kind: 'Deployment', apiVersion: 'apps/v1', metadata: { name: 'checkout', namespace: 'shop' } });
    const node = await get(`/api/v1/nodes/${encodeURIComponent('cn-hangzhou.192.168.0.12')}`);
    expect(node.json).toMatchObject({ kind: 'Node', apiVersion: 'v1' });

    const missing = await get('/apis/apps/v1/namespaces/shop/deployments/nope');
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'NotFound',
      code: 404,
      details: { name: 'nope', group: 'apps', kind: 'deployments' },
    });
  });

  it('answers 404 Status for paths it does not serve', async () => {
    const answer = await get('/apis/policy/v1beta1/poddisruptionbudgets');
    expect(answer.status).toBe(404);
    expect(answer.json).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404 });
  });

  it('answers 400 for a continue token that is not one', async () => {
    const answer = await get('/api/v1/pods?limit=2&continue=bm90LWEtdG9rZW4=');
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 });
  });
});

describe('FakeKubeApiServer continue tokens and failures', () => {
  it('answers 410 Expired to an injected failure on a continued list, then serves again', async () => {
    const first = await get('/api/v1/pods?limit=2');
    const token = listMeta(first).continue as string;
    server.failNext({ pathPrefix: '/api/v1/pods' }, { status: 410 });
    // 410 is only injected on a request carrying ?continue=: a fresh list is unaffected
    expect((await get('/api/v1/pods?limit=2')).status).toBe(200);
    const expired = await get(`/api/v1/pods?limit=2&continue=${encodeURIComponent(token)}`);
    expect(expired.status).toBe(410);
    expect(expired.json).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410 });
    expect((await get(`/api/v1/pods?limit=2&continue=${encodeURIComponent(token)}`)).status).toBe(200);
  });

  it('expires earlier tokens when the scenario changes, and bumps the resourceVersion', async () => {
    const first = await get('/api/v1/pods?limit=2');
    const token = listMeta(first).continue as string;
    const before = Number(server.resourceVersion);
    server.setScenario(kubeScenarios.quotaHeavy());
    try {
      expect(Number(server.resourceVersion)).toBeGreaterThan(before);
      const expired = await get(`/api/v1/pods?limit=2&continue=${encodeURIComponent(token)}`);
      expect(expired.status).toBe(410);
      expect(expired.json['reason']).toBe('Expired');
      const fresh = await get('/api/v1/nodes');
      expect(items(fresh)).toHaveLength(6);
      expect(listMeta(fresh).resourceVersion).toBe(server.resourceVersion);
    } finally {
      server.setScenario(scenario);
    }
  });

  it('expireContinueTokens() makes every issued token answer 410', async () => {
    const token = listMeta(await get('/api/v1/services?limit=1')).continue as string;
    server.expireContinueTokens();
    expect((await get(`/api/v1/services?limit=1&continue=${encodeURIComponent(token)}`)).status).toBe(410);
  });

  it('injects 429 with Retry-After, 500 and 503, the given number of times', async () => {
    server.failNext({ method: 'GET', pathPrefix: '/api/v1/nodes' }, { status: 429, retryAfterSeconds: 2, times: 2 });
    const a = await get('/api/v1/nodes');
    const b = await get('/api/v1/nodes');
    const c = await get('/api/v1/nodes');
    expect([a.status, b.status, c.status]).toEqual([429, 429, 200]);
    expect(a.headers['retry-after']).toBe('2');
    expect(a.json).toMatchObject({ kind: 'Status', reason: 'TooManyRequests', code: 429 });
    server.failNext({ pathPrefix: '/apis/apps' }, { status: 500 });
    server.failNext({ pathPrefix: '/apis/apps' }, { status: 503 });
    expect((await get('/api/v1/pods')).status).toBe(200);
    const d = await get('/apis/apps/v1/deployments');
    const e = await get('/apis/apps/v1/daemonsets');
    expect([d.json['reason'], e.json['reason']]).toEqual(['InternalError', 'ServiceUnavailable']);
    expect((await get('/apis/apps/v1/deployments')).status).toBe(200);
  });

  it('delays answers by latencyMs', async () => {
    const slow = await FakeKubeApiServer.start({ scenario, latencyMs: 120 });
    try {
      const started = Date.now();
      const answer = await call(`${slow.url}/version`, { ca: slow.caPem, token: 'reader-token' });
      expect(answer.status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    } finally {
      await slow.stop();
    }
  });
});

describe('FakeKubeApiServer request log', () => {
  it('records method, path, query, status, user and time of every request', async () => {
    const before = Date.now();
    await get('/api/v1/pods?limit=2');
    await get('/api/v1/pods', '');
    await call(`${server.url}/api/v1/namespaces/shop/pods/x`, { ca: server.caPem, token: 'reader-token', method: 'DELETE' });
    expect(server.requests).toHaveLength(3);
    const [list, anonymous, write] = server.requests;
    expect(list).toMatchObject({
      method: 'GET',
      path: '/api/v1/pods',
      query: { limit: '2' },
      status: 200,
      user: 'system:serviceaccount:rollsafe:rollsafe-reader',
    });
    expect(list?.at).toBeGreaterThanOrEqual(before);
    expect(anonymous).toMatchObject({ method: 'GET', path: '/api/v1/pods', status: 401 });
    expect(anonymous?.user).toBeUndefined();
    expect(write).toMatchObject({ method: 'DELETE', path: '/api/v1/namespaces/shop/pods/x', status: 403 });
    server.clearRequests();
    expect(server.requests).toHaveLength(0);
  });
});
