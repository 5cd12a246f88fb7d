// Issue 14's rough edges on the service, each with its test: `provider=auto` accepted by
// every input that takes a provider (REST and GraphQL, scans and clusters), suppressions
// validated and what one hid listed, webhook give-ups logged at warn and counted in /metrics.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { RULES } from '#rollsafe/advisor';
import { NotificationDelivery, retryPolicyOf } from '#rollsafe/scans';
import { FakeKubeApiServer, UNSAFE_DEPLOYMENT, kubeScenarios } from '#rollsafe/testing';
import { ApiHarness, type Json } from '../test/api-harness.js';

describe('rough edges (e2e)', () => {
  const harness = new ApiHarness({ scanPolls: 300, options: () => ({ encryptionKey: randomBytes(32), outboundAllow: ['loopback'] }) });
  const { start, call, createOrg, waitForScan, graphql, logLines } = harness;
  let fake: FakeKubeApiServer;
  let key: string;
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    await harness.setUp();
    ({ app, base } = await start());
    harness.startScanWorker(app);
    fake = await FakeKubeApiServer.start({ scenario: kubeScenarios.demoCluster(), tokens: { 'rollsafe-demo-reader': kubeScenarios.readOnlyUser } });
    key = await createOrg('rough-edges');
  }, 60_000);

  afterAll(async () => {
    await harness.tearDown();
    await fake?.stop();
  });

  const scanOf = async (json: Json): Promise<Json> => {
    const queued = await call('POST', '/api/v1/scans', { key, json: { manifests: UNSAFE_DEPLOYMENT, ...json } });
    expect(queued.status).toBe(202);
    return waitForScan(key, queued.body['id'] as string);
  };

  describe('provider=auto, the CLI default, everywhere a provider is taken', () => {
    it('scans: REST JSON, a raw YAML body (?provider=auto), multipart, GraphQL scanManifests', async () => {
      expect(await scanOf({ provider: 'auto' })).toMatchObject({ status: 'succeeded' });
      expect((await scanOf({ provider: 'auto' }))['provider']).toBeUndefined();
      const raw = await call('POST', '/api/v1/scans?provider=auto', { key, body: UNSAFE_DEPLOYMENT, headers: { 'content-type': 'application/yaml' } });
      expect(raw.status).toBe(202);
      const form = new FormData();
      form.append('provider', 'auto');
      form.append('files', new Blob([UNSAFE_DEPLOYMENT], { type: 'application/yaml' }), 'web.yaml');
      expect((await call('POST', '/api/v1/scans', { key, body: form })).status).toBe(202);
      const viaGraphql = await graphql(key, 'mutation($m: String!) { scanManifests(manifests: $m, provider: "auto") { id status } }', { m: UNSAFE_DEPLOYMENT });
      expect(viaGraphql.body).toMatchObject({ data: { scanManifests: { status: 'queued' } } });
      // a named provider still works, and a wrong one names what is taken
      expect((await scanOf({ provider: 'alibaba' }))['provider']).toBe('alibaba');
      const wrong = await call('POST', '/api/v1/scans', { key, json: { manifests: UNSAFE_DEPLOYMENT, provider: 'digitalocean' } });
      expect([wrong.status, wrong.body['error']]).toEqual([
        400,
        { code: 'BAD_INPUT', message: 'provider must be auto or one of alibaba, aws, gcp, azure, tencent', details: { field: 'provider' } },
      ]);
      const doc = (await call('GET', '/api/docs-json')).body as {
        components: { schemas: Record<string, { properties: Record<string, { enum?: string[] }> }> };
      };
      for (const schema of ['CreateScanDto', 'RegisterClusterDto', 'UpdateClusterDto', 'SimulateRequestDto']) {
        expect([schema, doc.components.schemas[schema]?.properties['provider']?.enum?.[0]]).toEqual([schema, 'auto']);
      }
    });

    it('clusters: REST register and update, GraphQL registerCluster and updateCluster (auto clears a set provider)', async () => {
      const kubeconfig = fake.kubeconfig({ auth: 'token', contextName: 'rollsafe-demo' });
      const registered = await call('POST', '/api/v1/clusters', { key, json: { name: 'auto-rest', kubeconfig, provider: 'auto' } });
      expect(registered.status).toBe(201);
      expect(registered.body['provider']).toBeUndefined();
      const id = registered.body['id'] as string;
      expect((await call('PATCH', `/api/v1/clusters/${id}`, { key, json: { provider: 'aws' } })).body['provider']).toBe('aws');
      const cleared = await call('PATCH', `/api/v1/clusters/${id}`, { key, json: { provider: 'auto' } });
      expect([cleared.status, cleared.body['provider']]).toEqual([200, undefined]);
      const viaGraphql = await graphql(key, 'mutation($k: String!) { registerCluster(name: "auto-gql", kubeconfig: $k, provider: "auto") { id provider } }', {
        k: kubeconfig,
      });
      const gqlId = ((viaGraphql.body['data'] as Json)['registerCluster'] as Json)['id'] as string;
      expect(viaGraphql.body).toEqual({ data: { registerCluster: { id: gqlId, provider: null } } });
      await graphql(key, 'mutation($id: ID!) { updateCluster(id: $id, provider: "gcp") { provider } }', { id: gqlId });
      const updated = await graphql(key, 'mutation($id: ID!) { updateCluster(id: $id, provider: "auto") { provider } }', { id: gqlId });
      expect(updated.body).toEqual({ data: { updateCluster: { provider: null } } });
      const scan = await call('POST', `/api/v1/clusters/${gqlId}/scans`, { key });
      expect((await waitForScan(key, scan.body['id'] as string))['status']).toBe('succeeded');
    });
  });

  describe('suppressions', () => {
    it('refuses a ruleId that is not a rule and an expiresAt in the past, naming the field', async () => {
      const unknown = await call('POST', '/api/v1/suppressions', { key, json: { ruleId: 'readiness-probe', reason: 'typo' } });
      expect(unknown.status).toBe(400);
      expect(unknown.body['error']).toEqual({
        code: 'BAD_INPUT',
        message: 'ruleId "readiness-probe" is not a Rollsafe rule (did you mean readiness-probe-missing?); GET /docs/rules lists them',
        details: { field: 'ruleId' },
      });
      const nowhere = await call('POST', '/api/v1/suppressions', { key, json: { ruleId: 'no-such-rule', reason: 'x' } });
      expect([nowhere.status, (nowhere.body['error'] as Json)['details']]).toEqual([400, { field: 'ruleId' }]);
      const past = await call('POST', '/api/v1/suppressions', { key, json: { ruleId: 'pdb-missing', reason: 'x', expiresAt: '2020-01-01T00:00:00Z' } });
      expect(past.status).toBe(400);
      expect(past.body['error']).toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('in the past'), details: { field: 'expiresAt' } });
      const future = await call('POST', '/api/v1/suppressions', {
        key,
        json: { ruleId: 'pdb-missing', reason: 'x', expiresAt: new Date(Date.now() + 86_400_000).toISOString() },
      });
      expect(future.status).toBe(201);
      expect((await call('DELETE', `/api/v1/suppressions/${future.body['id'] as string}`, { key })).status).toBe(204);
    });

    it("GET /suppressions/:id/findings lists what it hid: its matches in each target's last scan before it", async () => {
      const own = await createOrg('suppressions-hidden');
      const scan = async (target: string): Promise<Json> => {
        const queued = await call('POST', '/api/v1/scans', { key: own, json: { manifests: UNSAFE_DEPLOYMENT, target } });
        return waitForScan(own, queued.body['id'] as string);
      };
      const before = await scan('shop');
      const otherTarget = await scan('staging');
      const findings = (await call('GET', `/api/v1/scans/${before['id'] as string}/findings?limit=200`, { key: own })).body['items'] as Array<{
        id: string;
        ruleId: string;
        resource: { kind: string; namespace: string; name: string };
      }>;
      const rule = findings[0]?.ruleId as string;
      const matching = findings.filter((f) => f.ruleId === rule);
      const created = await call('POST', '/api/v1/suppressions', { key: own, json: { ruleId: rule, namespace: 'shop', reason: 'accepted risk' } });
      expect(created.status).toBe(201);
      const suppression = created.body['id'] as string;
      const after = await scan('shop');
      expect((after['summary'] as Json)['suppressed']).toBe(matching.length);
      const afterFindings = (await call('GET', `/api/v1/scans/${after['id'] as string}/findings?limit=200`, { key: own })).body['items'] as Array<{
        ruleId: string;
      }>;
      expect(afterFindings.filter((f) => f.ruleId === rule)).toEqual([]);

      const hidden = await call('GET', `/api/v1/suppressions/${suppression}/findings`, { key: own });
      expect(hidden.status).toBe(200);
      const items = hidden.body['items'] as Array<{ ruleId: string; scanId: string; target: string; resource: { namespace: string } }>;
      // both targets' last scans before it (shop's and staging's), not shop's scan after it
      expect(items.map((item) => [item.ruleId, item.resource.namespace, item.target, item.scanId]).sort()).toEqual(
        [...matching.map(() => [rule, 'shop', 'shop', before['id']]), ...matching.map(() => [rule, 'shop', 'staging', otherTarget['id']])].sort(),
      );
      expect(hidden.body['totalCount']).toBe(items.length);
      // paged one at a time with the cursor, the same list
      const paged: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await call('GET', `/api/v1/suppressions/${suppression}/findings?limit=1${cursor ? `&cursor=${cursor}` : ''}`, { key: own });
        paged.push(...(page.body['items'] as Array<{ id: string }>).map((item) => item.id));
        cursor = page.body['nextCursor'] as string | undefined;
      } while (cursor);
      expect(paged).toEqual((hidden.body['items'] as Array<{ id: string }>).map((item) => item.id));
      // another organization's suppression is not found; one that matches nothing lists nothing
      expect((await call('GET', `/api/v1/suppressions/${suppression}/findings`, { key })).status).toBe(404);
      const elsewhere = await call('POST', '/api/v1/suppressions', { key: own, json: { ruleId: rule, namespace: 'elsewhere', reason: 'x' } });
      expect((await call('GET', `/api/v1/suppressions/${elsewhere.body['id'] as string}/findings`, { key: own })).body).toEqual({ items: [], totalCount: 0 });
    });
  });

  it('logs a webhook give-up at warn and counts it in /metrics (rollsafe_webhook_deliveries{result})', async () => {
    const own = await createOrg('give-ups');
    const receiver = http.createServer((request, response) => {
      request.resume();
      request.on('end', () => response.writeHead(500).end('down'));
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      const webhook = await call('POST', '/api/v1/webhooks', { key: own, json: { kind: 'generic', url, minSeverity: 'info' } });
      expect(webhook.status).toBe(201);
      const webhookId = webhook.body['id'] as string;
      const gaveUpBefore = Number(/rollsafe_webhook_deliveries\{result="gave_up"\} (\d+)/.exec(await (await fetch(`${base}/metrics`)).text())?.[1]);

      // the test message fails: given up on at once, a warning
      const test = await call('POST', `/api/v1/webhooks/${webhookId}/test`, { key: own });
      expect(test.body).toMatchObject({ result: 'gave_up', status: 500 });
      // a scan's notification on its last attempt (the worker's job, run here as it runs it)
      const queued = await call('POST', '/api/v1/scans', { key: own, json: { manifests: UNSAFE_DEPLOYMENT } });
      const scanId = (await waitForScan(own, queued.body['id'] as string))['id'] as string;
      const last = retryPolicyOf(harness.options()).maxAttempts;
      expect(await app.get(NotificationDelivery).deliverChanges({ webhookId, scanId }, last)).toMatchObject({ outcome: 'gave-up' });

      const lines = logLines.map((line) => JSON.parse(line) as { level: number | string; msg?: string; webhookId?: string });
      const warned = lines.filter((line) => line.webhookId === webhookId && /giving up/.test(line.msg ?? ''));
      expect(warned.map((line) => [line.msg, line.level])).toEqual([
        ['webhook test failed: giving up', 'warn'],
        ['notification failed: giving up', 'warn'],
      ]);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toContain('# TYPE rollsafe_webhook_deliveries gauge');
      expect(Number(/rollsafe_webhook_deliveries\{result="gave_up"\} (\d+)/.exec(metrics)?.[1])).toBe(gaveUpBefore + 2);
      expect(metrics).toMatch(/rollsafe_webhook_deliveries\{result="delivered"\} \d+/);
      expect(metrics).toContain('# TYPE rollsafe_scan_duration_seconds summary');
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it('serves the rule pages at /docs/rules/:id as HTML whose links between rules stay on the server (offline)', async () => {
    const page = await fetch(`${base}/docs/rules/prestop-hook-missing`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    expect(html).toContain('<h1>prestop-hook-missing</h1>');
    expect(html).toContain('<a href="/docs/rules/prestop-sleep-too-short">prestop-sleep-too-short</a>');
    expect(html).toContain('<pre><code class="language-yaml">');
    // every page from the index, and every link between them, answers here; nothing is loaded from elsewhere
    const index = await (await fetch(`${base}/docs/rules`)).text();
    const linked = (text: string): string[] => [...text.matchAll(/href="([^"]+)"/g)].map((match) => match[1] as string);
    const rulePages = [...new Set(linked(index).filter((href) => href.startsWith('/docs/rules/')))];
    expect(rulePages.sort()).toEqual(RULES.map((rule) => `/docs/rules/${rule.id}`).sort());
    const internal = new Set<string>();
    for (const href of rulePages) {
      const text = await (await fetch(`${base}${href}`)).text();
      expect([href, /<(script|img|link)\b/.test(text)]).toEqual([href, false]);
      for (const link of linked(text)) {
        if (!/^https?:/.test(link)) expect([href, link]).not.toEqual([href, expect.stringMatching(/\.md(#|$)/)]);
        if (link.startsWith('/')) internal.add(link.replace(/#.*$/, ''));
      }
    }
    for (const link of internal) expect([link, (await fetch(`${base}${link}`)).status]).toEqual([link, 200]);
    expect(internal.size).toBeGreaterThan(10);
    // the source on request; an unknown rule is a 404 with the API's error body
    const markdown = await fetch(`${base}/docs/rules/prestop-hook-missing`, { headers: { accept: 'text/markdown' } });
    expect(await markdown.text()).toMatch(/^# prestop-hook-missing\n/);
    const missing = await call('GET', '/docs/rules/no-such-rule');
    expect([missing.status, (missing.body['error'] as Json)['code']]).toEqual([404, 'NOT_FOUND']);
  });

  it("README: the shell examples' commands reach no real host (only 127.0.0.1 and $API), and the quick start tells PORT and ROLLSAFE_OUTBOUND_ALLOW=loopback", () => {
    const readme = fs.readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const commands = [...readme.matchAll(/```(?:sh|bash)\n([\s\S]*?)```/g)]
      .flatMap((block) => (block[1] as string).split('\n'))
      .map((line) => line.replace(/(^|\s)#.*$/, '')) // comments show answers and explain; they run nothing
      .join('\n');
    const hosts = [...commands.matchAll(/https?:\/\/([^/\s"'\\:)]+)/g)].map((match) => match[1]);
    expect(hosts.length).toBeGreaterThan(2);
    expect([...new Set(hosts)]).toEqual(['127.0.0.1']);
    expect(commands).toContain('"kind\\":\\"slack\\",\\"url\\":\\"http://127.0.0.1:9099/');
    const quickStart = /<!-- section:quickstart -->([\s\S]*?)<!-- \/section:quickstart -->/.exec(readme)?.[1] ?? '';
    expect(quickStart).toContain('PORT=8080 npm start');
    expect(quickStart).toContain('ROLLSAFE_OUTBOUND_ALLOW=loopback npm start');
  });
});
