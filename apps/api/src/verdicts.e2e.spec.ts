// Per-Service verdicts and simulations over REST and GraphQL, against the real Postgres and
// Redis and the fake kube-apiserver: the seed's unsafe Deployment drops traffic, with windows,
// the findings that explain them, fixes and a timeline; parameters and inputs are checked.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { FakeKubeApiServer, kubeScenarios, UNSAFE_DEPLOYMENT } from '#rollsafe/testing';
import { ApiHarness, type Json } from '../test/api-harness.js';

describe('verdicts and simulations (e2e)', () => {
  const harness = new ApiHarness({ scanPolls: 300, options: () => ({ encryptionKey: randomBytes(32), outboundAllow: ['loopback'] }) });
  const { start, call, graphql, createOrg, waitForScan } = harness;
  let base: string;
  let key: string;
  let scanId: string;
  let fake: FakeKubeApiServer;

  beforeAll(async () => {
    await harness.setUp();
    fake = await FakeKubeApiServer.start({ scenario: kubeScenarios.smallAlibabaTerway() });
    const started = await start();
    base = started.base;
    harness.startScanWorker(started.app);
    key = await createOrg('acme');
    const created = await call('POST', '/api/v1/scans', { key, json: { manifests: UNSAFE_DEPLOYMENT, provider: 'alibaba' } });
    scanId = created.body['id'] as string;
    await waitForScan(key, scanId);
  }, 60_000);

  afterAll(async () => {
    await harness.tearDown();
    await fake?.stop();
  });

  it("leads a scan with its verdicts: the unsafe Deployment's Service drops traffic, explained and fixable", async () => {
    const scan = await call('GET', `/api/v1/scans/${scanId}`, { key });
    expect(scan.body['verdictSummary']).toEqual({ services: 1, drops: 1, safe: 0, unknown: 0, headline: '1 of 1 Service drop traffic on rollout' });
    const page = await call('GET', `/api/v1/scans/${scanId}/services?verdict=drops`, { key });
    expect(page.status).toBe(200);
    expect(page.body['totalCount']).toBe(1);
    const [web] = page.body['items'] as Json[];
    expect(web).toMatchObject({ service: { namespace: 'shop', name: 'web', type: 'LoadBalancer', path: 'cluster' }, verdict: 'drops' });
    expect(web?.['windows']).toEqual(
      expect.arrayContaining([expect.objectContaining({ cause: expect.any(String), start: expect.any(Number), end: expect.any(Number) })]),
    );
    expect(web?.['ruleIds']).toEqual(expect.arrayContaining(['readiness-probe-missing']));
    const findings = await call('GET', `/api/v1/scans/${scanId}/findings?limit=200`, { key });
    const fingerprints = (findings.body['items'] as Array<{ fingerprint: string }>).map((f) => f.fingerprint);
    for (const fingerprint of web?.['findings'] as string[]) expect(fingerprints).toContain(fingerprint);
    expect((web?.['fixes'] as Json[]).length).toBeGreaterThan(0);
    expect(web?.['afterFixes']).toMatchObject({ verdict: 'safe', droppedTrafficSeconds: 0 });
    expect((await call('GET', `/api/v1/scans/${scanId}/services?verdict=safe`, { key })).body).toEqual({ items: [], totalCount: 0 });

    const svg = await fetch(`${base}${web?.['timelineUrl'] as string}`, { headers: { authorization: `Bearer ${key}` } });
    expect(svg.status).toBe(200);
    expect(svg.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    const picture = await svg.text();
    expect(picture).toMatch(/^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(picture).not.toMatch(/<script/i);
  });

  it('answers 400 naming the field, and 404 for another organization or an unknown Service', async () => {
    const bad = await call('GET', `/api/v1/scans/${scanId}/services?verdict=maybe`, { key });
    expect(bad.status).toBe(400);
    expect(bad.body['error']).toMatchObject({ code: 'BAD_INPUT', details: { field: 'verdict' } });
    const other = await createOrg('other');
    expect((await call('GET', `/api/v1/scans/${scanId}/services`, { key: other })).status).toBe(404);
    expect((await call('GET', `/api/v1/scans/${scanId}/services/shop/web/timeline.svg`, { key: other })).status).toBe(404);
    expect((await call('GET', `/api/v1/scans/${scanId}/services/shop/nope/timeline.svg`, { key })).status).toBe(404);
  });

  it('serves the same over GraphQL', async () => {
    const { body } = await graphql(
      key,
      `
        query ($id: ID!) {
          scan(id: $id) {
            verdictSummary {
              headline
              drops
            }
            verdictChanges {
              startedDropping {
                name
                verdict
              }
            }
            services(verdict: drops) {
              totalCount
              nodes {
                service {
                  name
                }
                verdict
                droppedTrafficSeconds
                windows {
                  cause
                }
                fixes {
                  change
                  yaml
                }
                timelineUrl
              }
            }
          }
        }
      `,
      { id: scanId },
    );
    const scan = (body['data'] as { scan: Json }).scan;
    expect(scan['verdictSummary']).toEqual({ headline: '1 of 1 Service drop traffic on rollout', drops: 1 });
    expect(scan['verdictChanges']).toEqual({ startedDropping: [{ name: 'web', verdict: 'drops' }] });
    const services = scan['services'] as { totalCount: number; nodes: Json[] };
    expect(services.totalCount).toBe(1);
    expect(services.nodes[0]).toMatchObject({ service: { name: 'web' }, verdict: 'drops' });
  });

  it('simulates a few manifests at once, with parameters, and draws one Service on request', async () => {
    const simulated = await call('POST', '/api/v1/simulations', { key, json: { manifests: UNSAFE_DEPLOYMENT, provider: 'alibaba', parameters: { L: 20 } } });
    expect(simulated.status).toBe(200);
    const [run] = simulated.body['runs'] as Json[];
    expect(run).toMatchObject({ service: { namespace: 'shop', name: 'web' }, verdict: 'drops' });
    expect((run?.['parameters'] as Json)['L']).toBe(20);
    expect((run?.['parameterSources'] as Json)['L']).toBe('flag');

    const svg = await fetch(`${base}/api/v1/simulations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: 'image/svg+xml' },
      body: JSON.stringify({ manifests: UNSAFE_DEPLOYMENT, service: { namespace: 'shop', name: 'web' } }),
    });
    expect(svg.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(await svg.text()).toMatch(/^<svg/);

    const graph = await graphql(key, 'query($m: String!) { simulate(manifests: $m, parameters: { appShutdown: 5 }) { runs } }', { m: UNSAFE_DEPLOYMENT });
    const runs = ((graph.body['data'] as Json)['simulate'] as { runs: Json[] }).runs;
    expect(runs[0]).toMatchObject({ verdict: 'drops' });
  });

  it('refuses a parameter out of range, an unknown one, broken YAML and inputs over 1 MiB', async () => {
    const range = await call('POST', '/api/v1/simulations', { key, json: { manifests: UNSAFE_DEPLOYMENT, parameters: { L: -1 } } });
    expect(range.status).toBe(400);
    expect(range.body['error']).toMatchObject({ code: 'BAD_INPUT', details: { field: 'parameters.L' } });
    const unknown = await call('POST', '/api/v1/simulations', { key, json: { manifests: UNSAFE_DEPLOYMENT, parameters: { warp: 9 } } });
    expect(unknown.body['error']).toMatchObject({ code: 'BAD_INPUT', details: { field: 'parameters.warp' } });
    const broken = await call('POST', '/api/v1/simulations', { key, json: { manifests: 'kind: [unclosed\n' } });
    expect(broken.status).toBe(422);
    expect(JSON.stringify(broken.body)).toMatch(/"file":"manifests","line":2/);
    const large = await call('POST', '/api/v1/simulations', { key, json: { manifests: `${UNSAFE_DEPLOYMENT}#${'x'.repeat(1024 * 1024)}\n` } });
    expect(large.status).toBe(413);
  });

  it("judges a live cluster's Services on its real nodes and pods, timelines included", async () => {
    const registered = await call('POST', '/api/v1/clusters', { key, json: { name: 'prod', kubeconfig: fake.kubeconfig({ auth: 'token' }) } });
    expect(registered.status).toBe(201);
    const clusterId = registered.body['id'] as string;
    expect((await call('GET', `/api/v1/clusters/${clusterId}/services`, { key })).body).toEqual({ items: [], totalCount: 0 });
    const queued = await call('POST', `/api/v1/clusters/${clusterId}/scans`, { key });
    await waitForScan(key, queued.body['id'] as string);
    const page = await call('GET', `/api/v1/clusters/${clusterId}/services?limit=200`, { key });
    const items = page.body['items'] as Json[];
    expect(items.length).toBeGreaterThan(0);
    expect(page.body['totalCount']).toBe(items.length);
    const judged = items.find((item) => item['verdict'] !== 'unknown');
    expect(judged?.['parameterSources']).toEqual(expect.objectContaining({ nodes: 'cluster' }));
    expect(judged?.['timelineUrl']).toMatch(new RegExp(`^/api/v1/clusters/${clusterId}/services/`));
    const svg = await fetch(`${base}${judged?.['timelineUrl'] as string}`, { headers: { authorization: `Bearer ${key}` } });
    expect(svg.status).toBe(200);
    expect(await svg.text()).toMatch(/^<svg/);
  });
});
