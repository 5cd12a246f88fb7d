// The API end to end over HTTP, against the real Postgres and Redis (a database and key
// prefix of this suite's own), with a BullMQ worker running the scans as apps/worker does.
import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { INestApplication } from '@nestjs/common';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { printSchema, type GraphQLObjectType } from 'graphql';
import { jest } from '@jest/globals';
import { PrismaService, ScanFindingsReader, ScanReader } from '#rollsafe/store';
import { UNSAFE_DEPLOYMENT, BROKEN_YAML, aliasBomb, until } from '#rollsafe/testing';
import { RedisConnection } from './auth/redis.provider.js';
import { ADMIN_TOKEN, ApiHarness, type Json } from '../test/api-harness.js';

function errorsOf(body: Json): Json[] {
  return (body['errors'] as Json[] | undefined) ?? [];
}

const SCHEMA_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'schema.graphql');

describe('api (e2e)', () => {
  const harness = new ApiHarness();
  const { start, call, graphql, waitForScan, createOrg, logLines } = harness;
  let app: INestApplication;
  let base: string;
  let keyA: string;
  let keyB: string;

  beforeAll(async () => {
    await harness.setUp();
    ({ app, base } = await start());
    harness.startScanWorker(app);
    keyA = await createOrg('org-a');
    keyB = await createOrg('org-b');
  });

  afterAll(async () => {
    await harness.tearDown();
  });

  describe('operations', () => {
    it('answers /healthz, /readyz and /metrics', async () => {
      expect((await call('GET', '/healthz')).body).toEqual({ status: 'ok' });
      expect(await call('GET', '/readyz')).toMatchObject({ status: 200, body: { status: 'ok', checks: { postgres: true, redis: true } } });
      const metrics = await fetch(`${base}/metrics`).then((r) => r.text());
      for (const name of [
        'rollsafe_http_request_duration_seconds',
        'rollsafe_scans{',
        'rollsafe_queue_jobs{',
        'rollsafe_findings_open{',
        'rollsafe_scan_duration_seconds_count',
      ]) {
        expect(metrics).toContain(name);
      }
    });

    it('serves the OpenAPI document and Swagger UI', async () => {
      const doc = await call('GET', '/api/docs-json');
      expect(doc.status).toBe(200);
      expect(Object.keys(doc.body['paths'] as Json)).toEqual(
        expect.arrayContaining(['/api/v1/scans', '/api/v1/scans/{id}', '/api/v1/scans/{id}/findings', '/api/v1/organizations']),
      );
      // Every reference resolves, and a response is described by the same class GraphQL uses.
      const schemas = ((doc.body['components'] as Json)['schemas'] ?? {}) as Record<string, Json>;
      const refs = [...doc.text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((match) => match[1] ?? '');
      expect(refs.length).toBeGreaterThan(20);
      expect(refs.filter((name) => !(name in schemas))).toEqual([]);
      expect(Object.keys((schemas['ScanView'] ?? {})['properties'] as Json)).toEqual(expect.arrayContaining(['summary', 'warnings', 'attempts']));
      expect(((schemas['FindingView'] ?? {})['properties'] as Record<string, Json>)['severity']).toMatchObject({ enum: ['critical', 'warning', 'info'] });
      expect(
        Object.keys(schemas).filter(
          (name) => name.endsWith('Dto') && !/^(Create|Update|Register|Simulate|Error|ScanQueued|OrganizationCreated|ScheduleInput)/.test(name),
        ),
      ).toEqual([]);
      const ui = await fetch(`${base}/api/docs`);
      expect(ui.status).toBe(200);
      expect(await ui.text()).toContain('swagger');
    });

    it('echoes a sane X-Request-Id and logs JSON lines with request ids and no secrets', async () => {
      const response = await fetch(`${base}/api/v1/scans`, { headers: { authorization: `Bearer ${keyA}`, 'x-request-id': 'trace-123' } });
      expect(response.headers.get('x-request-id')).toBe('trace-123');
      await new Promise((resolve) => setTimeout(resolve, 50));
      const line = logLines.map((l) => JSON.parse(l) as Json).find((l) => l['requestId'] === 'trace-123');
      expect(line).toMatchObject({ method: 'GET', route: '/api/v1/scans', status: 200 });
      const all = logLines.join('\n');
      expect(all).not.toContain(keyA);
      expect(all).not.toContain(ADMIN_TOKEN);
    });
  });

  describe('auth and tenancy', () => {
    it('creates organizations only with the admin token, and stores keys hashed', async () => {
      expect((await call('POST', '/api/v1/organizations', { json: { name: 'x' } })).status).toBe(401);
      expect((await call('POST', '/api/v1/organizations', { key: 'wrong', json: { name: 'x' } })).status).toBe(401);
      expect((await call('POST', '/api/v1/organizations', { key: keyA, json: { name: 'x' } })).status).toBe(401);
      expect((await call('POST', '/api/v1/organizations', { key: ADMIN_TOKEN, json: { name: '' } })).body).toMatchObject({ error: { code: 'BAD_INPUT' } });
      const created = await call('POST', '/api/v1/organizations', { key: ADMIN_TOKEN, json: { name: 'hashed' } });
      expect(created.body).toMatchObject({ name: 'hashed', apiKey: expect.stringMatching(/^rsk_/) });
      const keys = await app.get(PrismaService).client.apiKey.findMany();
      expect(JSON.stringify(keys)).not.toContain(created.body['apiKey'] as string);
    });

    it('answers 401 without a key or with a wrong one (REST and GraphQL)', async () => {
      expect(await call('GET', '/api/v1/scans')).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHENTICATED' } } });
      expect(await call('GET', '/api/v1/scans', { key: 'rsk_not-a-key' })).toMatchObject({ status: 401 });
      expect(await call('GET', '/api/v1/scans', { key: ADMIN_TOKEN })).toMatchObject({ status: 401 });
      const gql = await graphql(undefined, '{ scans { totalCount } }');
      expect((gql.body['errors'] as Json[])[0]?.['extensions']).toMatchObject({ code: 'UNAUTHENTICATED' });
      const wrong = await graphql('rsk_nope', '{ scans { totalCount } }');
      expect((wrong.body['errors'] as Json[])[0]?.['extensions']).toMatchObject({ code: 'UNAUTHENTICATED' });
    });

    it("never shows one organization another's scans or findings", async () => {
      const queued = await call('POST', '/api/v1/scans', { key: keyA, json: { manifests: UNSAFE_DEPLOYMENT } });
      const id = queued.body['id'] as string;
      await waitForScan(keyA, id);
      expect(await call('GET', `/api/v1/scans/${id}`, { key: keyB })).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
      expect((await call('GET', `/api/v1/scans/${id}/findings`, { key: keyB })).status).toBe(404);
      expect((await call('GET', '/api/v1/scans', { key: keyB })).body['items']).toEqual([]);
      const gql = await graphql(keyB, 'query($id: ID!) { scan(id: $id) { id findings { totalCount } } }', { id });
      expect((gql.body['errors'] as Json[])[0]?.['extensions']).toMatchObject({ code: 'NOT_FOUND' });
      expect(gql.body['data']).toBeNull();
      const list = await graphql(keyB, '{ scans { totalCount nodes { id } } }');
      expect(list.body['data']).toEqual({ scans: { totalCount: 0, nodes: [] } });
      // ...and the owner sees it.
      expect((await graphql(keyA, 'query($id: ID!) { scan(id: $id) { id } }', { id })).body['data']).toEqual({ scan: { id } });
    });
  });

  describe('REST scans', () => {
    it('queues a scan (202), runs it on the worker, and pages through its findings', async () => {
      const queued = await call('POST', '/api/v1/scans', { key: keyA, json: { manifests: UNSAFE_DEPLOYMENT, provider: 'alibaba' } });
      expect(queued).toMatchObject({ status: 202, body: { id: expect.any(String), status: 'queued' } });
      const scan = await waitForScan(keyA, queued.body['id'] as string);
      expect(scan).toMatchObject({
        status: 'succeeded',
        trigger: 'upload',
        provider: 'alibaba',
        summary: { critical: expect.any(Number), warning: expect.any(Number), info: expect.any(Number), suppressed: 0 },
      });
      expect(scan['createdAt']).toEqual(expect.any(String));
      expect(scan['startedAt']).toEqual(expect.any(String));
      expect(scan['finishedAt']).toEqual(expect.any(String));
      const summary = scan['summary'] as Record<string, number>;
      const total = (summary['critical'] ?? 0) + (summary['warning'] ?? 0) + (summary['info'] ?? 0);
      expect(total).toBeGreaterThan(1);

      const all = await call('GET', `/api/v1/scans/${scan['id']}/findings?limit=200`, { key: keyA });
      const items = all.body['items'] as Json[];
      expect(items).toHaveLength(total);
      expect(all.body['nextCursor']).toBeUndefined();
      expect(items[0]).toMatchObject({
        ruleId: expect.any(String),
        severity: expect.stringMatching(/critical|warning|info/),
        resource: { kind: expect.any(String), namespace: expect.any(String), name: expect.any(String) },
        message: expect.any(String),
        evidence: expect.any(Object),
        remediation: { summary: expect.any(String), yaml: expect.any(String) },
        docs: expect.any(String),
        fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
      });

      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 50; page += 1) {
        const { body } = await call('GET', `/api/v1/scans/${scan['id']}/findings?limit=1${cursor ? `&cursor=${cursor}` : ''}`, { key: keyA });
        seen.push(...(body['items'] as Json[]).map((f) => f['id'] as string));
        cursor = body['nextCursor'] as string | undefined;
        if (!cursor) break;
      }
      expect(seen).toEqual(items.map((f) => f['id']));

      const critical = await call('GET', `/api/v1/scans/${scan['id']}/findings?severity=critical`, { key: keyA });
      expect((critical.body['items'] as Json[]).every((f) => f['severity'] === 'critical')).toBe(true);
      expect(critical.body['items']).toHaveLength(summary['critical'] ?? 0);
      const byRule = await call('GET', `/api/v1/scans/${scan['id']}/findings?ruleId=readiness-probe-missing`, { key: keyA });
      expect((byRule.body['items'] as Json[]).map((f) => f['ruleId'])).toEqual(['readiness-probe-missing']);

      const list = await call('GET', '/api/v1/scans?limit=1', { key: keyA });
      expect(list.body['items']).toHaveLength(1);
      expect(list.body['nextCursor']).toEqual(expect.any(String));
      const next = await call('GET', `/api/v1/scans?limit=1&cursor=${list.body['nextCursor']}`, { key: keyA });
      expect((next.body['items'] as Json[])[0]?.['id']).not.toEqual((list.body['items'] as Json[])[0]?.['id']);
      expect((await call('GET', '/api/v1/scans?status=succeeded', { key: keyA })).status).toBe(200);
    });

    it('accepts multipart files and raw YAML bodies', async () => {
      const form = new FormData();
      form.append('files', new Blob([UNSAFE_DEPLOYMENT], { type: 'application/yaml' }), 'deploy.yaml');
      form.append('provider', 'aws');
      const multipart = await call('POST', '/api/v1/scans', { key: keyA, body: form });
      expect(multipart).toMatchObject({ status: 202, body: { status: 'queued' } });
      const scan = await waitForScan(keyA, multipart.body['id'] as string);
      expect(scan).toMatchObject({ status: 'succeeded', provider: 'aws' });
      const findings = await call('GET', `/api/v1/scans/${scan['id']}/findings`, { key: keyA });
      expect((findings.body['items'] as Json[]).some((f) => (f['location'] as Json | undefined)?.['file'] === 'deploy.yaml')).toBe(true);

      const raw = await call('POST', '/api/v1/scans', { key: keyA, body: UNSAFE_DEPLOYMENT, headers: { 'content-type': 'application/yaml' } });
      expect(raw).toMatchObject({ status: 202 });
    });

    it('answers every bad input with a 4xx and keeps answering', async () => {
      const post = (json: unknown) => call('POST', '/api/v1/scans', { key: keyA, json });
      const broken = await post({ manifests: BROKEN_YAML });
      expect(broken.status).toBe(422);
      expect(broken.body).toMatchObject({ error: { code: 'INVALID_MANIFESTS', details: { errors: [{ file: 'upload', line: expect.any(Number) }] } } });
      expect((broken.body['error'] as Json)['message']).toMatch(/line \d+/);
      expect((await post({ manifests: '{"kind": "Service", ' })).status).toBe(422);
      expect((await post({ manifests: '   ' })).body).toMatchObject({ error: { code: 'BAD_INPUT' } });
      expect((await post({})).status).toBe(400);
      expect((await post({ manifests: 42 })).status).toBe(400);
      expect((await post([1, 2])).status).toBe(400);
      expect((await post({ manifests: UNSAFE_DEPLOYMENT, provider: 'oracle' })).body).toMatchObject({
        error: { code: 'BAD_INPUT', details: { field: 'provider' } },
      });
      expect((await post({ manifests: UNSAFE_DEPLOYMENT, target: '../etc' })).status).toBe(400);
      expect((await call('POST', '/api/v1/scans', { key: keyA, body: '{not json', headers: { 'content-type': 'application/json' } })).status).toBe(400);

      const started = Date.now();
      const bomb = await post({ manifests: aliasBomb() });
      expect(bomb.status).toBeGreaterThanOrEqual(400);
      expect(bomb.status).toBeLessThan(500);
      expect(Date.now() - started).toBeLessThan(3000);

      const manyDocs = Array.from({ length: 10_001 }, (_, i) => `kind: ConfigMap\nmetadata: {name: c${i}}`).join('\n---\n');
      expect((await post({ manifests: manyDocs })).status).toBe(413);

      const huge = 'x'.repeat(10 * 1024 * 1024 + 10);
      const tooBig = await post({ manifests: huge });
      expect(tooBig).toMatchObject({ status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE' } } });
      const form = new FormData();
      form.append('files', new Blob([huge]), 'big.yaml');
      expect((await call('POST', '/api/v1/scans', { key: keyA, body: form })).status).toBe(413);

      expect((await call('GET', '/api/v1/scans/not-a-uuid', { key: keyA })).status).toBe(404);
      expect((await call('GET', '/api/v1/scans/00000000-0000-4000-8000-000000000000', { key: keyA })).status).toBe(404);
      expect((await call('GET', '/api/v1/scans?limit=0', { key: keyA })).status).toBe(400);
      expect((await call('GET', '/api/v1/scans?limit=abc', { key: keyA })).status).toBe(400);
      expect((await call('GET', '/api/v1/scans?status=done', { key: keyA })).status).toBe(400);
      expect((await call('GET', '/api/v1/scans?cursor=garbage', { key: keyA })).status).toBe(400);
      const queued = await post({ manifests: UNSAFE_DEPLOYMENT });
      const id = queued.body['id'] as string;
      expect((await call('GET', `/api/v1/scans/${id}/findings?severity=fatal`, { key: keyA })).status).toBe(400);
      expect((await call('GET', `/api/v1/scans/${id}/findings?cursor=%%%`, { key: keyA })).status).toBe(400);
      expect((await call('GET', `/api/v1/scans/${id}/findings?ruleId=DROP%20TABLE`, { key: keyA })).status).toBe(400);
      expect((await call('GET', '/api/v1/nothing-here', { key: keyA })).body).toMatchObject({ error: { code: 'NOT_FOUND' } });

      expect((await call('GET', '/healthz')).status).toBe(200);
      expect((await call('GET', '/api/v1/scans', { key: keyA })).status).toBe(200);
    }, 30_000);

    it('applies organization suppressions to later scans', async () => {
      const created = await call('POST', '/api/v1/suppressions', { key: keyA, json: { ruleId: 'readiness-probe-missing', namespace: 'shop', reason: 'test' } });
      expect(created.status).toBe(201);
      expect((await call('GET', '/api/v1/suppressions', { key: keyB })).body['items']).toEqual([]);
      const queued = await call('POST', '/api/v1/scans', { key: keyA, json: { manifests: UNSAFE_DEPLOYMENT, target: 'suppressed' } });
      const scan = await waitForScan(keyA, queued.body['id'] as string);
      expect((scan['summary'] as Json)['suppressed']).toBeGreaterThan(0);
      const byRule = await call('GET', `/api/v1/scans/${scan['id']}/findings?ruleId=readiness-probe-missing`, { key: keyA });
      expect(byRule.body['items']).toEqual([]);
      expect((await call('DELETE', `/api/v1/suppressions/${created.body['id']}`, { key: keyB })).status).toBe(404);
      expect((await call('DELETE', `/api/v1/suppressions/${created.body['id']}`, { key: keyA })).status).toBe(204);
    });
  });

  describe('GraphQL', () => {
    it('scans manifests and pages through findings as a connection', async () => {
      const mutation = await graphql(keyA, 'mutation($m: String!) { scanManifests(manifests: $m, provider: "alibaba") { id status } }', {
        m: UNSAFE_DEPLOYMENT,
      });
      const queued = (mutation.body['data'] as Json)['scanManifests'] as Json;
      expect(queued['status']).toBe('queued');
      await waitForScan(keyA, queued['id'] as string);
      const query = `query($id: ID!, $after: String) { scan(id: $id) { id status summary { critical warning info suppressed }
        findings(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor }
          nodes { ruleId severity resource { kind namespace name } message evidence remediation { summary yaml } docs fingerprint location { file line } } } } }`;
      const first = await graphql(keyA, query, { id: queued['id'] });
      const scan = (first.body['data'] as Json)['scan'] as Json;
      expect(scan['status']).toBe('succeeded');
      const findings = scan['findings'] as Json;
      expect((findings['nodes'] as Json[]).length).toBe(2);
      expect(findings['totalCount']).toBeGreaterThan(2);
      const pageInfo = findings['pageInfo'] as Json;
      expect(pageInfo['hasNextPage']).toBe(true);
      const second = await graphql(keyA, query, { id: queued['id'], after: pageInfo['endCursor'] });
      const nextNodes = ((((second.body['data'] as Json)['scan'] as Json)['findings'] as Json)['nodes'] as Json[]).map((n) => n['fingerprint']);
      expect(nextNodes).not.toContain((findings['nodes'] as Json[])[0]?.['fingerprint']);
      const filtered = await graphql(
        keyA,
        'query($id: ID!) { scan(id: $id) { findings(severity: critical, ruleId: "readiness-probe-missing") { totalCount nodes { ruleId severity } } } }',
        { id: queued['id'] },
      );
      expect((((filtered.body['data'] as Json)['scan'] as Json)['findings'] as Json)['nodes']).toEqual([
        { ruleId: 'readiness-probe-missing', severity: 'critical' },
      ]);
      const scans = await graphql(keyA, '{ scans(first: 1) { totalCount pageInfo { hasNextPage endCursor } nodes { id } } }');
      expect(((scans.body['data'] as Json)['scans'] as Json)['pageInfo']).toMatchObject({ hasNextPage: true });
    });

    it("answers a document's compiled runs (graphql-jit, Nest's property resolvers left out) as its first run (graphql-js)", async () => {
      const { jitSchemaOf } = await import('./graphql/jit.js');
      const schema = app.get(GraphQLSchemaHost).schema;
      const fieldsOf = (s: typeof schema, type: string) => (s.getType(type) as GraphQLObjectType).getFields();
      const jit = jitSchemaOf(schema);
      expect(jitSchemaOf(schema)).toBe(jit);
      // a property read where Nest read the property; every resolver of our own kept
      expect(fieldsOf(schema, 'Finding')['resource']?.resolve).toBeDefined();
      expect(fieldsOf(jit, 'Finding')['resource']?.resolve).toBeUndefined();
      expect(fieldsOf(jit, 'Finding')['globalId']?.resolve).toBeDefined();
      expect(fieldsOf(jit, 'Scan')['findings']?.resolve).toBe(fieldsOf(schema, 'Scan')['findings']?.resolve);
      expect(fieldsOf(jit, 'Query')['scan']?.resolve).toBe(fieldsOf(schema, 'Query')['scan']?.resolve);

      const queued = await call('POST', '/api/v1/scans', { key: keyA, json: { manifests: UNSAFE_DEPLOYMENT } });
      const id = queued.body['id'] as string;
      await waitForScan(keyA, id);
      const query = `query($id: ID!) { scan(id: $id) { id globalId status trigger target summary { critical warning info suppressed notEvaluated }
        verdictSummary { services drops safe unknown } documentCount createdAt
        findings(first: 50) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id globalId } }
          nodes { id globalId ruleId severity message fingerprint container docs evidence resource { kind namespace name }
            remediation { __typename needsDecision patch patchType summary yaml target { kind namespace name } } location { file line } } } } }`;
      const first = await graphql(keyA, query, { id });
      expect(first.body['errors']).toBeUndefined();
      expect((((first.body['data'] as Json)['scan'] as Json)['findings'] as Json)['totalCount']).toBeGreaterThan(0);
      for (let run = 0; run < 2; run += 1) expect((await graphql(keyA, query, { id })).body).toEqual(first.body);
    });

    it('reads scan(id) and its findings page in one query: the same page, the same errors as the field read on its own', async () => {
      const queued = await call('POST', '/api/v1/scans', { key: keyA, json: { manifests: UNSAFE_DEPLOYMENT } });
      const id = queued.body['id'] as string;
      await waitForScan(keyA, id);
      const page = `findings(first: $first, after: $after, severity: $severity, ruleId: $ruleId) {
        totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor } nodes { id ruleId severity message fingerprint } }`;
      const variables = '$id: ID!, $first: Int, $after: String, $severity: Severity, $ruleId: String';
      const together = `query(${variables}) { scan(id: $id) { id status ${page} } }`;
      // Through a fragment, findings is not read ahead: its field reads it as before.
      const apart = `query(${variables}) { scan(id: $id) { id status ... on Scan { ${page} } } }`;
      const reader = app.get(ScanFindingsReader);
      const calls = { both: jest.spyOn(reader, 'viewAndPage'), page: jest.spyOn(reader, 'page'), scan: jest.spyOn(app.get(ScanReader), 'findForOrganization') };
      const counted = () => Object.fromEntries(Object.entries(calls).map(([name, spy]) => [name, spy.mock.calls.length]));
      const reset = () => Object.values(calls).forEach((spy) => spy.mockClear());
      try {
        const first = await graphql(keyA, together, { id, first: 1 });
        const cursor = ((((first.body['data'] as Json)['scan'] as Json)['findings'] as Json)['pageInfo'] as Json)['endCursor'];
        for (const args of [{}, { first: 1 }, { first: 2, after: cursor }, { severity: 'critical' }, { ruleId: 'readiness-probe-missing', first: 1 }]) {
          reset();
          const one = await graphql(keyA, together, { id, ...args });
          expect(counted()).toEqual({ both: 1, page: 0, scan: 0 });
          reset();
          const two = await graphql(keyA, apart, { id, ...args });
          expect(counted()).toEqual({ both: 0, page: 1, scan: 1 });
          expect(one.body['errors']).toBeUndefined();
          expect(one.body).toEqual(two.body);
          expect(((one.body['data'] as Json)['scan'] as Json)['id']).toBe(id);
        }
        for (const [key, scanId] of [
          [keyA, '00000000-0000-4000-8000-000000000000'],
          [keyB, id],
          [keyA, 'not-a-uuid'],
        ] as const) {
          const one = await graphql(key, together, { id: scanId });
          expect(one.body).toEqual((await graphql(key, apart, { id: scanId })).body);
          expect(errorsOf(one.body)[0]).toMatchObject({ path: ['scan'], extensions: { code: 'NOT_FOUND' } });
        }
        // Arguments the field refuses are not read ahead: the field refuses them, at its own path.
        const withoutLocations = (body: Json) => ({ ...body, errors: errorsOf(body).map(({ locations: _locations, ...error }) => error) });
        for (const args of [{ after: 'garbage' }, { first: 500 }, { ruleId: 'Not A Rule' }]) {
          const one = await graphql(keyA, together, { id, ...args });
          expect(withoutLocations(one.body)).toEqual(withoutLocations((await graphql(keyA, apart, { id, ...args })).body));
          expect(errorsOf(one.body)[0]).toMatchObject({ path: ['scan', 'findings'], extensions: { code: 'BAD_USER_INPUT' } });
        }
      } finally {
        Object.values(calls).forEach((spy) => spy.mockRestore());
      }
    });

    it('answers bad input with BAD_USER_INPUT and NOT_FOUND codes', async () => {
      const broken = await graphql(keyA, 'mutation($m: String!) { scanManifests(manifests: $m) { id } }', { m: BROKEN_YAML });
      const error = (broken.body['errors'] as Json[])[0] as Json;
      expect(error['extensions']).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_MANIFESTS' });
      expect(error['message']).toMatch(/line \d+/);
      const provider = await graphql(keyA, 'mutation { scanManifests(manifests: "kind: Service", provider: "oracle") { id } }');
      expect((provider.body['errors'] as Json[])[0]?.['extensions']).toMatchObject({ code: 'BAD_USER_INPUT' });
      const missing = await graphql(keyA, '{ scan(id: "00000000-0000-4000-8000-000000000000") { id } }');
      expect((missing.body['errors'] as Json[])[0]?.['extensions']).toMatchObject({ code: 'NOT_FOUND' });
      const badCursor = await graphql(keyA, '{ scans(after: "garbage") { totalCount } }');
      expect((badCursor.body['errors'] as Json[])[0]?.['extensions']).toMatchObject({ code: 'BAD_USER_INPUT' });
      const bomb = await graphql(keyA, 'mutation($m: String!) { scanManifests(manifests: $m) { id } }', { m: aliasBomb() });
      expect((bomb.body['errors'] as Json[])[0]?.['extensions']).toMatchObject({ code: 'BAD_USER_INPUT' });
    });

    it('refuses queries that are too deep or too costly', async () => {
      const deep = await graphql(keyA, '{ scans { nodes { findings { nodes { resource { kind } } } } pageInfo { endCursor } } }');
      expect(deep.body['errors']).toBeUndefined();
      const introspection = await graphql(
        keyA,
        '{ __schema { types { name fields { name type { name ofType { name ofType { name ofType { name } } } } } } } }',
      );
      expect(introspection.body['errors']).toBeUndefined();
      const fragmentLoop = '{ scans { nodes { ...A } } } fragment A on Scan { findings { nodes { resource { kind } } } }';
      expect((await graphql(keyA, fragmentLoop)).body['errors']).toBeUndefined();
      const costly = await graphql(
        keyA,
        '{ scans(first: 200) { nodes { findings(first: 200) { nodes { ruleId message docs fingerprint resource { kind namespace name } } } } } }',
      );
      expect((costly.body['errors'] as Json[])[0]?.['message']).toMatch(/complexity/);
    });

    it('refuses queries nested beyond the depth limit', async () => {
      const { depthLimit } = await import('./graphql/limits.js');
      const { parse, validate } = await import('graphql');
      const schema = app.get(GraphQLSchemaHost).schema;
      const deep = parse('{ scans { nodes { findings { nodes { resource { kind } } } } } }');
      expect(validate(schema, deep, [depthLimit(4)]).map((e) => e.message)).toEqual([expect.stringMatching(/depth 6 exceeds the limit of 4/)]);
      expect(validate(schema, deep, [depthLimit(6)])).toEqual([]);
    });

    it('serves the committed schema (apps/api/schema.graphql); regenerate with ROLLSAFE_UPDATE_SCHEMA=1', () => {
      const printed = printSchema(app.get(GraphQLSchemaHost).schema) + '\n';
      if (process.env['ROLLSAFE_UPDATE_SCHEMA'] === '1') fs.writeFileSync(SCHEMA_FILE, printed);
      expect(fs.existsSync(SCHEMA_FILE)).toBe(true);
      expect(printed).toEqual(fs.readFileSync(SCHEMA_FILE, 'utf8'));
    });
  });

  it('limits each API key to its rate (429 with Retry-After)', async () => {
    const limited = await start({ rateLimitPerMinute: 3 });
    const key = await createOrg('rate-limited');
    const other = await createOrg('not-limited');
    // The window is a minute: do not straddle its end.
    const intoWindow = Date.now() % 60_000;
    if (intoWindow > 57_000) await new Promise((resolve) => setTimeout(resolve, 60_100 - intoWindow));
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 5; i += 1) {
      last = await fetch(`${limited.base}/api/v1/scans`, { headers: { authorization: `Bearer ${key}` } });
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses[4]).toBe(429);
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await last?.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    const gql = await fetch(`${limited.base}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ scans { totalCount } }' }),
    });
    expect(gql.status).toBe(429);
    expect(Number(gql.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(gql.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(errorsOf((await gql.json()) as Json)[0]).toMatchObject({
      message: expect.stringMatching(/^rate limit of 3 requests per minute exceeded; retry in \d+ s$/),
      extensions: { code: 'RATE_LIMITED', details: { limit: 3 }, retryAfter: expect.any(Number) },
    });
    // Another key is not affected.
    expect((await fetch(`${limited.base}/api/v1/scans`, { headers: { authorization: `Bearer ${other}` } })).status).toBe(200);
  }, 15_000);

  it("counts a GraphQL operation's rate limit with its budget in one Redis command, and an operation that fails to parse once answered", async () => {
    const limited = await start({ rateLimitPerMinute: 3 });
    const key = await createOrg('graphql-rate-limited');
    const intoWindow = Date.now() % 60_000;
    if (intoWindow > 57_000) await new Promise((resolve) => setTimeout(resolve, 60_100 - intoWindow));
    const redis = limited.app.get(RedisConnection).client;
    const commands = jest.spyOn(redis, 'eval');
    const graphqlAt = (query: string) => call('POST', '/graphql', { key, at: limited.base, json: { query } });
    try {
      const ok = await graphqlAt('{ scans { totalCount } }');
      expect(ok.status).toBe(200);
      expect(commands).toHaveBeenCalledTimes(1);
      expect(ok.headers.get('x-ratelimit-limit')).toBe('3');
      expect(ok.headers.get('x-ratelimit-remaining')).toBe('2');
      // never reaches its operation: counted once answered
      expect((await graphqlAt('{ scans { totalCount ')).status).toBe(400);
      await until('the parse error to be counted', () => (commands.mock.calls.length === 2 ? true : undefined));
      expect((await graphqlAt('{ scans { totalCount } }')).headers.get('x-ratelimit-remaining')).toBe('0');
      const refused = await fetch(`${limited.base}/api/v1/scans`, { headers: { authorization: `Bearer ${key}` } });
      expect(refused.status).toBe(429);
    } finally {
      commands.mockRestore();
    }
  }, 15_000);
});
