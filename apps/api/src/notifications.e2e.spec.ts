// Schedules and webhooks over REST and GraphQL, against the real Postgres and Redis, the fake
// kube-apiserver and a local receiver on loopback: validation (422 naming the field), secrets
// and token-bearing URLs never returned, the outbound policy at create/update time
// (TARGET_FORBIDDEN), test messages logged with the deliveries, skipped scheduled runs listed
// by trigger, tenancy. (Deliveries after scans run in the worker: apps/worker's tests.)
import 'reflect-metadata';
import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { ScheduleService } from '#rollsafe/scans';
import { FakeKubeApiServer, kubeScenarios } from '#rollsafe/testing';
import { PrismaService } from '#rollsafe/store';
import { ApiHarness, type Json } from '../test/api-harness.js';

const SLACK_TOKEN = `T0AAA/B0BBB/${randomBytes(12).toString('hex')}`;
const GENERIC_SECRET = `whsec-${randomBytes(12).toString('hex')}`;

describe('schedules and webhooks (e2e)', () => {
  const harness = new ApiHarness({
    logLevel: 'debug',
    options: () => ({ encryptionKey: randomBytes(32), outboundAllow: ['loopback'], notifyTimeoutMs: 3000 }),
  });
  const { start, call, graphql, createOrg, logLines } = harness;
  let fake: FakeKubeApiServer;
  let app: INestApplication;
  let keyA: string;
  let keyB: string;
  let clusterId: string;
  const received: Array<{ path: string; headers: http.IncomingHttpHeaders; body: Buffer }> = [];
  let receiver: http.Server;
  let receiverUrl: string;

  beforeAll(async () => {
    await harness.setUp();
    fake = await FakeKubeApiServer.start({ scenario: kubeScenarios.smallAlibabaTerway() });
    receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks) });
        const failing = (req.url ?? '').startsWith('/broken');
        res.writeHead(failing ? 500 : 200, { 'content-type': 'application/json' });
        res.end(failing ? 'boom' : '{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    ({ app } = await start());
    keyA = await createOrg('org-a');
    keyB = await createOrg('org-b');
    const registered = await call('POST', '/api/v1/clusters', { key: keyA, json: { name: 'prod', kubeconfig: fake.kubeconfig({ auth: 'token' }) } });
    expect(registered.status).toBe(201);
    clusterId = registered.body['id'] as string;
  }, 60_000);

  afterAll(async () => {
    await harness.tearDown();
    await new Promise<void>((resolve) => {
      receiver?.closeAllConnections();
      receiver?.close(() => resolve());
    });
    await fake?.stop();
  });

  describe('webhooks', () => {
    it('creates webhooks without ever returning the secret or a token-bearing URL', async () => {
      const slack = await call('POST', '/api/v1/webhooks', { key: keyA, json: { kind: 'slack', url: `${receiverUrl}/services/${SLACK_TOKEN}` } });
      expect(slack.status).toBe(201);
      expect(slack.body).toMatchObject({
        id: expect.any(String),
        kind: 'slack',
        url: `${receiverUrl}/…`,
        urlRedacted: true,
        hasSecret: false,
        minSeverity: 'warning',
        clusterIds: [],
      });
      expect(slack.text).not.toContain(SLACK_TOKEN);

      const generic = await call('POST', '/api/v1/webhooks', {
        key: keyA,
        json: { kind: 'generic', url: `${receiverUrl}/hooks/rollsafe`, secret: GENERIC_SECRET, minSeverity: 'critical', clusterIds: [clusterId] },
      });
      expect(generic.status).toBe(201);
      expect(generic.body).toMatchObject({
        url: `${receiverUrl}/hooks/rollsafe`,
        urlRedacted: false,
        hasSecret: true,
        minSeverity: 'critical',
        clusterIds: [clusterId],
      });
      expect(generic.text).not.toContain(GENERIC_SECRET);
      expect(JSON.stringify(Object.keys(generic.body))).not.toMatch(/"secret"/);

      const tokenQuery = await call('POST', '/api/v1/webhooks', { key: keyA, json: { kind: 'generic', url: `${receiverUrl}/in?token=abc123def456` } });
      expect(tokenQuery.body).toMatchObject({ url: `${receiverUrl}/…`, urlRedacted: true });
      expect(tokenQuery.text).not.toContain('abc123def456');

      const list = await call('GET', '/api/v1/webhooks?limit=2&count=exact', { key: keyA });
      expect(list.status).toBe(200);
      expect(list.body).toMatchObject({ totalCount: 3, nextCursor: expect.any(String) });
      const next = await call('GET', `/api/v1/webhooks?limit=2&cursor=${list.body['nextCursor'] as string}`, { key: keyA });
      expect((next.body['items'] as Json[]).map((w) => w['id'])).toEqual([slack.body['id']]);
      for (const text of [list.text, next.text]) {
        expect(text).not.toContain(SLACK_TOKEN);
        expect(text).not.toContain(GENERIC_SECRET);
      }

      // At rest: only the sealed form; no row of any table holds the token or the secret.
      const prisma = app.get(PrismaService).client;
      const tables = await prisma.$queryRawUnsafe<Array<{ tablename: string }>>(
        "SELECT tablename::text AS tablename FROM pg_tables WHERE schemaname = 'public'",
      );
      for (const { tablename } of tables) {
        const rows = JSON.stringify(await prisma.$queryRawUnsafe<Json[]>(`SELECT t::text AS row FROM "${tablename}" t`));
        expect([tablename, rows.includes(SLACK_TOKEN) || rows.includes(GENERIC_SECRET)]).toEqual([tablename, false]);
      }
      expect(logLines.join('\n')).not.toContain(SLACK_TOKEN);
      expect(logLines.join('\n')).not.toContain(GENERIC_SECRET);
    });

    it('refuses bad input (400) and URLs the outbound policy refuses (422 TARGET_FORBIDDEN)', async () => {
      const bad = async (json: Json, status: number, code: string, field?: string) => {
        const response = await call('POST', '/api/v1/webhooks', { key: keyA, json });
        expect([json, response.status, (response.body['error'] as Json)['code']]).toEqual([json, status, code]);
        if (field) expect((response.body['error'] as Json)['details']).toMatchObject({ field });
        return response;
      };
      await bad({ kind: 'pager', url: `${receiverUrl}/x` }, 400, 'BAD_INPUT', 'kind');
      await bad({ kind: 'generic' }, 400, 'BAD_INPUT', 'url');
      await bad({ kind: 'generic', url: 'ftp://example.com/x' }, 400, 'BAD_INPUT', 'url');
      await bad({ kind: 'slack', url: `${receiverUrl}/x`, secret: 's' }, 400, 'BAD_INPUT', 'secret');
      await bad({ kind: 'generic', url: `${receiverUrl}/x`, minSeverity: 'fatal' }, 400, 'BAD_INPUT', 'minSeverity');
      await bad({ kind: 'generic', url: `${receiverUrl}/x`, clusterIds: ['00000000-0000-4000-8000-000000000000'] }, 400, 'BAD_INPUT', 'clusterIds');
      const metadata = await bad({ kind: 'generic', url: 'http://169.254.169.254/latest/meta-data' }, 422, 'TARGET_FORBIDDEN', 'url');
      expect(metadata.text).not.toContain('latest/meta-data');

      // Loopback is refused unless the operator allows it.
      const strict = await start({ outboundAllow: [] });
      const key = await createOrg('strict');
      const refused = await call('POST', '/api/v1/webhooks', {
        key,
        at: strict.base,
        json: { kind: 'wecom', url: `${receiverUrl}/cgi-bin/webhook/send?key=f00dbabe-1234` },
      });
      expect(refused.status).toBe(422);
      expect(refused.body['error']).toMatchObject({ code: 'TARGET_FORBIDDEN', message: expect.stringContaining('ROLLSAFE_OUTBOUND_ALLOW') });
      expect(refused.text).not.toContain('f00dbabe-1234');
      const strictGql = await call('POST', '/graphql', {
        key,
        at: strict.base,
        json: { query: 'mutation { createWebhook(kind: generic, url: "http://127.0.0.1:9/x") { id } }' },
      });
      expect((strictGql.body['errors'] as Json[])[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', reason: 'TARGET_FORBIDDEN' } });
    });

    it('updates, tests (logged with the deliveries) and deletes a webhook; another organization sees none of it', async () => {
      const created = await call('POST', '/api/v1/webhooks', { key: keyA, json: { kind: 'generic', url: `${receiverUrl}/test/hook`, secret: GENERIC_SECRET } });
      const id = created.body['id'] as string;

      const patched = await call('PATCH', `/api/v1/webhooks/${id}`, { key: keyA, json: { minSeverity: 'info', clusterIds: [clusterId] } });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ minSeverity: 'info', clusterIds: [clusterId], hasSecret: true, url: `${receiverUrl}/test/hook` });

      const before = received.length;
      const tested = await call('POST', `/api/v1/webhooks/${id}/test`, { key: keyA });
      expect(tested.status).toBe(200);
      expect(tested.body).toMatchObject({ event: 'test', attempt: 1, result: 'delivered', status: 200, durationMs: expect.any(Number) });
      const message = received[before] as { path: string; headers: http.IncomingHttpHeaders; body: Buffer };
      expect(message.path).toBe('/test/hook');
      expect(message.headers['x-rollsafe-signature']).toBe(`sha256=${createHmac('sha256', GENERIC_SECRET).update(message.body).digest('hex')}`);
      expect(JSON.parse(message.body.toString('utf8'))).toMatchObject({
        event: 'rollsafe.scan.changes',
        organization: { name: 'org-a' },
        new: [{ ruleId: 'rollsafe-test-message' }],
      });

      // The secret goes; the URL and the rest stay.
      const unsigned = await call('PATCH', `/api/v1/webhooks/${id}`, { key: keyA, json: { secret: null, clusterIds: null } });
      expect(unsigned.body).toMatchObject({ hasSecret: false, clusterIds: [], url: `${receiverUrl}/test/hook` });
      await call('POST', `/api/v1/webhooks/${id}/test`, { key: keyA });
      expect((received[received.length - 1] as { headers: http.IncomingHttpHeaders }).headers['x-rollsafe-signature']).toBeUndefined();
      // A new URL that fails: the test reports it, nothing retried.
      await call('PATCH', `/api/v1/webhooks/${id}`, { key: keyA, json: { url: `${receiverUrl}/broken/hook` } });
      const failed = await call('POST', `/api/v1/webhooks/${id}/test`, { key: keyA });
      expect(failed.body).toMatchObject({ result: 'gave_up', status: 500, error: expect.stringContaining('HTTP 500') });

      const deliveries = await call('GET', `/api/v1/webhooks/${id}/deliveries?limit=2&count=exact`, { key: keyA });
      expect(deliveries.status).toBe(200);
      expect(deliveries.body).toMatchObject({ totalCount: 3, nextCursor: expect.any(String) });
      expect((deliveries.body['items'] as Json[]).map((d) => d['result'])).toEqual(['gave_up', 'delivered']);
      const rest = await call('GET', `/api/v1/webhooks/${id}/deliveries?limit=2&cursor=${deliveries.body['nextCursor'] as string}`, { key: keyA });
      expect((rest.body['items'] as Json[]).map((d) => d['result'])).toEqual(['delivered']);
      expect(deliveries.text + rest.text).not.toContain(receiverUrl);

      for (const [method, path] of [
        ['GET', `/api/v1/webhooks/${id}`],
        ['PATCH', `/api/v1/webhooks/${id}`],
        ['POST', `/api/v1/webhooks/${id}/test`],
        ['GET', `/api/v1/webhooks/${id}/deliveries`],
        ['DELETE', `/api/v1/webhooks/${id}`],
      ] as const) {
        expect([method, path, (await call(method, path, { key: keyB, ...(method === 'PATCH' ? { json: { minSeverity: 'info' } } : {}) })).status]).toEqual([
          method,
          path,
          404,
        ]);
      }
      expect((await call('GET', '/api/v1/webhooks', { key: keyB })).body['items']).toEqual([]);

      expect((await call('DELETE', `/api/v1/webhooks/${id}`, { key: keyA })).status).toBe(204);
      expect((await call('GET', `/api/v1/webhooks/${id}`, { key: keyA })).status).toBe(404);
    });

    it('works over GraphQL too', async () => {
      const created = await graphql(
        keyA,
        'mutation($url: String!, $s: String) { createWebhook(kind: dingtalk, url: $url, secret: $s, minSeverity: critical) { id kind url urlRedacted hasSecret minSeverity } }',
        {
          url: `${receiverUrl}/robot/send?access_token=d1n6t4lk0000token`,
          s: 'SEC0123456789',
        },
      );
      expect(created.body['errors']).toBeUndefined();
      const hook = (created.body['data'] as Json)['createWebhook'] as Json;
      expect(hook).toMatchObject({ kind: 'dingtalk', url: `${receiverUrl}/…`, urlRedacted: true, hasSecret: true, minSeverity: 'critical' });
      expect(created.text).not.toContain('d1n6t4lk0000token');

      const tested = await graphql(keyA, 'mutation($id: ID!) { testWebhook(id: $id) { result status attempt event } }', { id: hook['id'] });
      expect((tested.body['data'] as Json)['testWebhook']).toMatchObject({ result: 'delivered', status: 200, attempt: 1, event: 'test' });
      const last = received[received.length - 1] as { path: string };
      expect(last.path).toMatch(/^\/robot\/send\?access_token=d1n6t4lk0000token&timestamp=\d+&sign=/);

      const read = await graphql(
        keyA,
        'query($id: ID!) { webhook(id: $id) { id deliveries(first: 5) { totalCount nodes { result event } } } webhooks(first: 50) { totalCount nodes { id } } }',
        { id: hook['id'] },
      );
      expect(read.body['errors']).toBeUndefined();
      const data = read.body['data'] as Json;
      expect(((data['webhook'] as Json)['deliveries'] as Json)['totalCount']).toBe(1);
      expect(((data['webhooks'] as Json)['nodes'] as Json[]).map((n) => n['id'])).toContain(hook['id']);

      const updated = await graphql(keyA, 'mutation($id: ID!) { updateWebhook(id: $id, removeSecret: true, minSeverity: info) { hasSecret minSeverity } }', {
        id: hook['id'],
      });
      expect((updated.body['data'] as Json)['updateWebhook']).toEqual({ hasSecret: false, minSeverity: 'info' });
      const other = await graphql(keyB, 'query($id: ID!) { webhook(id: $id) { id } }', { id: hook['id'] });
      expect((other.body['errors'] as Json[])[0]).toMatchObject({ extensions: { code: 'NOT_FOUND' } });
      expect((await graphql(keyA, 'mutation($id: ID!) { deleteWebhook(id: $id) }', { id: hook['id'] })).body['data']).toEqual({ deleteWebhook: true });
    });
  });

  describe('schedules', () => {
    it('sets, reads and deletes a cluster schedule; bad ones are 422 naming the field', async () => {
      const path = `/api/v1/clusters/${clusterId}/schedule`;
      expect((await call('GET', path, { key: keyA })).status).toBe(404);
      const invalid = async (json: Json, field: string) => {
        const response = await call('PUT', path, { key: keyA, json });
        expect([json, response.status, response.body['error']]).toEqual([json, 422, expect.objectContaining({ code: 'SCHEDULE_INVALID', details: { field } })]);
      };
      await invalid({}, 'everySeconds');
      await invalid({ cron: '0 3 * * *', everySeconds: 3600 }, 'cron');
      await invalid({ cron: 'every day at three' }, 'cron');
      await invalid({ cron: '61 * * * *' }, 'cron');
      await invalid({ cron: '* * * * *' }, 'cron'); // every 60 s: under the 300 s floor
      await invalid({ cron: '0 3 * * *', timezone: 'Mars/Olympus_Mons' }, 'timezone');
      await invalid({ everySeconds: 60 }, 'everySeconds');
      await invalid({ everySeconds: 600.5 }, 'everySeconds');
      await invalid({ everySeconds: 600, timezone: 'UTC' }, 'timezone');

      const set = await call('PUT', path, { key: keyA, json: { cron: '0  3 * * *', timezone: 'Asia/Shanghai' } });
      expect(set.status).toBe(200);
      expect(set.body).toMatchObject({ clusterId, cron: '0 3 * * *', timezone: 'Asia/Shanghai', nextRunAt: expect.any(String) });
      // 03:00 in Shanghai is 19:00 UTC.
      expect(new Date(set.body['nextRunAt'] as string).getUTCHours()).toBe(19);
      const replaced = await call('PUT', path, { key: keyA, json: { everySeconds: 3600 } });
      expect(replaced.body).toMatchObject({ everySeconds: 3600 });
      expect(replaced.body['cron']).toBeUndefined();
      expect((await call('GET', path, { key: keyA })).body).toMatchObject({ everySeconds: 3600, nextRunAt: expect.any(String) });
      expect((await call('GET', path, { key: keyB })).status).toBe(404);
      expect((await call('PUT', path, { key: keyB, json: { everySeconds: 3600 } })).status).toBe(404);

      expect((await call('DELETE', path, { key: keyA })).status).toBe(204);
      expect((await call('GET', path, { key: keyA })).status).toBe(404);
      expect((await call('DELETE', path, { key: keyA })).status).toBe(404);
    });

    it('records a scheduled run as skipped while a scan of the cluster is queued, listed by trigger', async () => {
      await call('PUT', `/api/v1/clusters/${clusterId}/schedule`, { key: keyA, json: { everySeconds: 86_400 } });
      const schedules = app.get(ScheduleService);
      // No worker here: the first run's scan stays queued, so the second run is skipped.
      expect(await schedules.runScheduled(clusterId, `repeat:${clusterId}:1`)).toBe('queued');
      expect(await schedules.runScheduled(clusterId, `repeat:${clusterId}:1`)).toBe('duplicate');
      expect(await schedules.runScheduled(clusterId, `repeat:${clusterId}:2`)).toBe('skipped');
      const listed = await call('GET', `/api/v1/scans?clusterId=${clusterId}&trigger=schedule`, { key: keyA });
      expect(listed.status).toBe(200);
      expect((listed.body['items'] as Json[]).map((s) => [s['status'], s['trigger'], s['clusterId']])).toEqual([
        ['skipped', 'schedule', clusterId],
        ['queued', 'schedule', clusterId],
      ]);
      const skipped = await call('GET', `/api/v1/scans?clusterId=${clusterId}&status=skipped`, { key: keyA });
      expect(skipped.body['totalCount']).toBe(1);
      expect((await call('GET', `/api/v1/scans?clusterId=${clusterId}&trigger=manual`, { key: keyA })).body['items']).toEqual([]);
      const gql = await graphql(keyA, 'query($id: ID!) { scans(clusterId: $id, trigger: schedule) { totalCount nodes { status trigger } } }', {
        id: clusterId,
      });
      expect(((gql.body['data'] as Json)['scans'] as Json)['nodes']).toEqual([
        { status: 'skipped', trigger: 'schedule' },
        { status: 'queued', trigger: 'schedule' },
      ]);
      await call('DELETE', `/api/v1/clusters/${clusterId}/schedule`, { key: keyA });
    });

    it('works over GraphQL: setSchedule, deleteSchedule and Cluster.schedule', async () => {
      const set = await graphql(
        keyA,
        'mutation($id: ID!) { setSchedule(clusterId: $id, cron: "*/30 * * * *", timezone: "Europe/Berlin") { clusterId cron timezone everySeconds nextRunAt } }',
        { id: clusterId },
      );
      expect(set.body['errors']).toBeUndefined();
      expect((set.body['data'] as Json)['setSchedule']).toMatchObject({
        clusterId,
        cron: '*/30 * * * *',
        timezone: 'Europe/Berlin',
        everySeconds: null,
        nextRunAt: expect.any(String),
      });
      const read = await graphql(keyA, 'query($id: ID!) { cluster(id: $id) { name schedule { cron everySeconds } } }', { id: clusterId });
      expect((read.body['data'] as Json)['cluster']).toEqual({ name: 'prod', schedule: { cron: '*/30 * * * *', everySeconds: null } });
      const bad = await graphql(keyA, 'mutation($id: ID!) { setSchedule(clusterId: $id, everySeconds: 5) { clusterId } }', { id: clusterId });
      expect((bad.body['errors'] as Json[])[0]).toMatchObject({
        extensions: { code: 'BAD_USER_INPUT', reason: 'SCHEDULE_INVALID', details: { field: 'everySeconds' } },
      });
      const other = await graphql(keyB, 'mutation($id: ID!) { setSchedule(clusterId: $id, everySeconds: 3600) { clusterId } }', { id: clusterId });
      expect((other.body['errors'] as Json[])[0]).toMatchObject({ extensions: { code: 'NOT_FOUND' } });
      expect((await graphql(keyA, 'mutation($id: ID!) { deleteSchedule(clusterId: $id) }', { id: clusterId })).body['data']).toEqual({ deleteSchedule: true });
      const gone = await graphql(keyA, 'query($id: ID!) { cluster(id: $id) { schedule { cron } } }', { id: clusterId });
      expect((gone.body['data'] as Json)['cluster']).toEqual({ schedule: null });
    });
  });
});
