// Issue 11 at the API: outages answer fast (503 with Retry-After, the rate limiter failing
// open within 100 ms), an accepted scan is never lost (the reconciler queues what Redis could
// not take), a client's retry is safe (Idempotency-Key), lists stay cheap (totalCount from the
// stored counts; GraphQL charges connections and counts and keeps a budget per organization),
// input is bounded (multipart as a whole, a List of a million items), and the small defects
// (forged cursors over GraphQL, introspection in production) stay fixed.
import 'reflect-metadata';
import net from 'node:net';
import { jest } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { PrismaService } from '#rollsafe/store';
import { OrganizationService, ScanQueryService, ScanReconciler, type ListView, type ScanView } from '#rollsafe/scans';
import { ADMISSION_WAIT_MS, OrganizationAdmission } from './auth/admission.js';
import { TcpProxy, UNSAFE_DEPLOYMENT, until } from '#rollsafe/testing';
import { ApiHarness, type Json } from '../test/api-harness.js';

const CLOSED_PORT_DB = 'postgresql://postgres@127.0.0.1:1/unreachable';
const CLOSED_PORT_REDIS = 'redis://127.0.0.1:1';

function cursorOf(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function errorsOf(body: Json): Json[] {
  return (body['errors'] as Json[] | undefined) ?? [];
}

describe('resilience (e2e)', () => {
  const harness = new ApiHarness();
  const { start, call, graphql, waitForScan, createOrg } = harness;
  let app: INestApplication;
  let keyA: string;
  let keyB: string;

  beforeAll(async () => {
    await harness.setUp();
    ({ app } = await start());
    harness.startScanWorker(app);
    keyA = await createOrg('res-a');
    keyB = await createOrg('res-b');
  }, 60_000);

  afterAll(async () => {
    await harness.tearDown();
  }, 30_000);

  describe('outages', () => {
    it('answers 503 with Retry-After at once while Postgres is unreachable (REST and GraphQL)', async () => {
      const down = await start({ databaseUrl: CLOSED_PORT_DB });
      const started = Date.now();
      const rest = await call('GET', '/api/v1/scans', { key: keyA, at: down.base });
      expect(rest).toMatchObject({ status: 503, body: { error: { code: 'UNAVAILABLE' } } });
      expect(rest.headers.get('retry-after')).toBe('5');
      // GraphQL: the API key is read before the operation, so the outage answers at the transport.
      const gql = await call('POST', '/graphql', { key: keyA, at: down.base, json: { query: '{ scans { totalCount } }' } });
      expect(gql).toMatchObject({ status: 503, body: { error: { code: 'UNAVAILABLE' } } });
      expect(gql.headers.get('retry-after')).toBe('5');
      expect(Date.now() - started).toBeLessThan(3000);
      expect(await call('GET', '/readyz', { at: down.base })).toMatchObject({ status: 503, body: { checks: { postgres: false, redis: true } } });
    });

    it('while Redis is unreachable: requests pass the limiter within 100 ms, a POST is accepted, and the reconciler queues it once Redis is back', async () => {
      const down = await start({ redisUrl: CLOSED_PORT_REDIS });
      const listed = Date.now();
      expect((await call('GET', '/api/v1/scans', { key: keyA, at: down.base })).status).toBe(200);
      expect(Date.now() - listed).toBeLessThan(1000);
      expect(await call('GET', '/readyz', { at: down.base })).toMatchObject({ status: 503, body: { checks: { postgres: true, redis: false } } });

      const posted = Date.now();
      const accepted = await call('POST', '/api/v1/scans', { key: keyA, at: down.base, json: { manifests: UNSAFE_DEPLOYMENT } });
      expect(accepted).toMatchObject({ status: 202, body: { status: 'queued' } });
      expect(Date.now() - posted).toBeLessThan(4000);
      const id = accepted.body['id'] as string;

      // The app with a working Redis runs the reconciler (as every worker does on a timer).
      const report = await app.get(ScanReconciler).reconcile(new Date(), 0);
      expect(report.requeued).toContain(id);
      expect(await waitForScan(keyA, id)).toMatchObject({ status: 'succeeded' });
      // A second pass finds nothing to do: the scan ran once.
      expect((await app.get(ScanReconciler).reconcile(new Date(), 0)).requeued).not.toContain(id);
      const row = await app.get(PrismaService).client.scan.findUniqueOrThrow({ where: { id } });
      expect(row.attempts).toBe(1);
    }, 30_000);

    it('when Redis goes away after the API connected, a POST is accepted at once and queued once Redis is back', async () => {
      const redis = new URL(harness.redis.url);
      const proxy = new TcpProxy(redis.hostname, Number(redis.port || 6379));
      const port = await proxy.listen();
      const through = new URL(harness.redis.url);
      through.hostname = '127.0.0.1';
      through.port = String(port);
      const api = await start({ redisUrl: through.toString() });
      try {
        await until('the API connected to Redis', async () => ((await call('GET', '/readyz', { at: api.base })).status === 200 ? true : undefined), 5000);
        await proxy.cut();
        await until('the API sees Redis gone', async () => ((await call('GET', '/readyz', { at: api.base })).status === 503 ? true : undefined), 5000);

        const posted = Date.now();
        const accepted = await call('POST', '/api/v1/scans', { key: keyA, at: api.base, json: { manifests: UNSAFE_DEPLOYMENT } });
        // Not the enqueue deadline (2 s): the queue's connection is known to be down.
        expect(Date.now() - posted).toBeLessThan(1000);
        expect(accepted).toMatchObject({ status: 202, body: { status: 'queued' } });
        const id = accepted.body['id'] as string;

        await proxy.restore();
        const report = await app.get(ScanReconciler).reconcile(new Date(), 0);
        expect(report.requeued).toContain(id);
        expect(await waitForScan(keyA, id)).toMatchObject({ status: 'succeeded' });
      } finally {
        await proxy.close();
      }
    }, 30_000);
  });

  describe('Idempotency-Key', () => {
    it('answers a retried POST with the scan the first one created', async () => {
      const headers = { 'idempotency-key': 'upload-7f3a' };
      const prisma = app.get(PrismaService).client;
      const first = await call('POST', '/api/v1/scans', { key: keyA, headers, json: { manifests: UNSAFE_DEPLOYMENT } });
      const scansAfterFirst = await prisma.scan.count();
      const again = await call('POST', '/api/v1/scans', { key: keyA, headers, json: { manifests: UNSAFE_DEPLOYMENT } });
      expect(first.status).toBe(202);
      expect(again).toMatchObject({ status: 202, body: { id: first.body['id'] } });
      expect(await prisma.scan.count()).toBe(scansAfterFirst);
      // Another organization's key space is its own; another key is another scan.
      const otherOrg = await call('POST', '/api/v1/scans', { key: keyB, headers, json: { manifests: UNSAFE_DEPLOYMENT } });
      const otherKey = await call('POST', '/api/v1/scans', {
        key: keyA,
        headers: { 'idempotency-key': 'upload-7f3b' },
        json: { manifests: UNSAFE_DEPLOYMENT },
      });
      expect(new Set([first.body['id'], otherOrg.body['id'], otherKey.body['id']]).size).toBe(3);
      // One key per organization (idempotency_keys), each with its own scan.
      expect(await prisma.idempotencyKey.count({ where: { key: 'upload-7f3a' } })).toBe(2);
      expect(
        await call('POST', '/api/v1/scans', { key: keyA, headers: { 'idempotency-key': 'x'.repeat(300) }, json: { manifests: UNSAFE_DEPLOYMENT } }),
      ).toMatchObject({
        status: 400,
        body: { error: { code: 'BAD_INPUT', details: { field: 'Idempotency-Key' } } },
      });
      for (const id of [first.body['id'], otherKey.body['id']]) await waitForScan(keyA, id as string);
      await waitForScan(keyB, otherOrg.body['id'] as string);
    });

    it('makes concurrent retries create one scan', async () => {
      const headers = { 'idempotency-key': 'race-1' };
      const answers = await Promise.all(
        Array.from({ length: 4 }, () => call('POST', '/api/v1/scans', { key: keyA, headers, json: { manifests: UNSAFE_DEPLOYMENT } })),
      );
      expect(new Set(answers.map((answer) => answer.body['id'])).size).toBe(1);
      expect(answers.map((answer) => answer.status)).toEqual([202, 202, 202, 202]);
      await waitForScan(keyA, answers[0]?.body['id'] as string);
    });
  });

  describe('lists at scale', () => {
    it("gives a findings page's totalCount from the scan's stored counts, for every filter", async () => {
      const queued = await call('POST', '/api/v1/scans', { key: keyA, json: { manifests: UNSAFE_DEPLOYMENT } });
      const id = queued.body['id'] as string;
      await waitForScan(keyA, id);
      const prisma = app.get(PrismaService).client;
      const rows = await prisma.finding.findMany({ where: { scanId: id }, select: { ruleId: true, severity: true } });
      expect(rows.length).toBeGreaterThan(1);
      const [first] = rows;
      const filters: Array<Record<string, string>> = [
        {},
        { severity: first?.severity ?? 'critical' },
        { ruleId: first?.ruleId ?? '' },
        { severity: 'info', ruleId: first?.ruleId ?? '' },
        { ruleId: 'no-such-rule' },
      ];
      for (const filter of filters) {
        const expected = rows.filter(
          (row) => (!filter['severity'] || row.severity === filter['severity']) && (!filter['ruleId'] || row.ruleId === filter['ruleId']),
        ).length;
        const page = await call('GET', `/api/v1/scans/${id}/findings?${new URLSearchParams({ ...filter, limit: '1' }).toString()}`, { key: keyA });
        expect(page.body['totalCount']).toBe(expected);
      }
      const stored = await prisma.scan.findUniqueOrThrow({ where: { id }, select: { ruleCounts: true } });
      expect(Object.keys(stored.ruleCounts as Json).sort()).toEqual([...new Set(rows.map((row) => row.ruleId))].sort());
    });

    it('charges GraphQL connections and their counts what they cost: 200 aliased counts are refused', async () => {
      const aliased = `{ ${Array.from({ length: 200 }, (_, i) => `a${i}: scans(first: 1) { totalCount }`).join(' ')} }`;
      const refused = await graphql(keyA, aliased);
      expect(errorsOf(refused.body)[0]).toMatchObject({
        message: expect.stringMatching(/^query complexity 22200 exceeds the limit of 20000/),
        extensions: { code: 'BAD_USER_INPUT' },
      });
      const ten = `{ ${Array.from({ length: 10 }, (_, i) => `a${i}: scans(first: 1) { totalCount }`).join(' ')} }`;
      expect(errorsOf((await graphql(keyA, ten)).body)).toEqual([]);
    });

    it("keeps a GraphQL budget per organization: one spending its budget does not touch another's", async () => {
      const budgeted = await start({ graphqlBudgetPerMinute: 1000 });
      const keyC = await createOrg('res-budget'); // a budget nothing else in this suite spent
      const query = '{ scans(first: 20) { totalCount nodes { id status } } }'; // 10 + 20 * 4 + 100 = 190
      const answers: Json[] = [];
      for (let i = 0; i < 6; i += 1) answers.push((await call('POST', '/graphql', { key: keyC, at: budgeted.base, json: { query } })).body);
      expect(answers.slice(0, 5).every((body) => errorsOf(body).length === 0)).toBe(true);
      expect(errorsOf(answers[5] as Json)[0]).toMatchObject({ extensions: { code: 'RATE_LIMITED', retryAfter: expect.any(Number) } });
      const other = await call('POST', '/graphql', { key: keyB, at: budgeted.base, json: { query } });
      expect(errorsOf(other.body)).toEqual([]);
    });
  });

  describe('admission per organization', () => {
    it("lets an organization's requests past its in-flight limit wait in a short line, refuses past it, and serves another organization meanwhile", async () => {
      const limited = await start({ orgMaxInFlight: 2 });
      const port = (limited.app.getHttpServer().address() as { port: number }).port;
      // Two uploads of organization A held in flight: headers sent, the body only begun.
      const hold = (): Promise<net.Socket> =>
        new Promise<net.Socket>((resolve) => {
          const socket = net.connect(port, '127.0.0.1', () => {
            socket.write(
              `POST /api/v1/scans HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${keyA}\r\n` +
                `Content-Type: multipart/form-data; boundary=held\r\nContent-Length: 100000\r\n\r\n--held\r\n`,
            );
            resolve(socket);
          });
          socket.on('error', () => undefined);
        });
      const held = await Promise.all([hold(), hold()]);
      const { organizationId } = await limited.app.get(OrganizationService).authenticate(keyA);
      const admission = limited.app.get(OrganizationAdmission);
      await until('both uploads to be admitted', () => (admission.inFlightOf(organizationId) === 2 ? true : undefined));

      // Two more wait in line (as many as the limit); a fifth is refused at once.
      const waited = Date.now();
      const inLine = [0, 1].map(() => call('GET', '/api/v1/scans', { key: keyA, at: limited.base }));
      await until('two requests in line', () => (admission.waitingOf(organizationId) === 2 ? true : undefined));
      const refusedAt = Date.now();
      const refused = await call('GET', '/api/v1/scans', { key: keyA, at: limited.base });
      expect(Date.now() - refusedAt).toBeLessThan(ADMISSION_WAIT_MS / 2);
      expect(refused).toMatchObject({ status: 429, body: { error: { code: 'RATE_LIMITED', details: { limit: 2 } } } });
      expect(refused.headers.get('retry-after')).toBe('1');
      // Another organization has a line of its own.
      expect((await call('GET', '/api/v1/scans', { key: keyB, at: limited.base })).status).toBe(200);
      // Nobody freed a slot: those in line are refused once their wait ran out.
      for (const answer of await Promise.all(inLine)) expect(answer).toMatchObject({ status: 429, body: { error: { code: 'RATE_LIMITED' } } });
      expect(Date.now() - waited).toBeGreaterThanOrEqual(ADMISSION_WAIT_MS - 50);

      // A request in line gets the slot an ending request frees.
      const next = call('GET', '/api/v1/scans', { key: keyA, at: limited.base });
      await until('one request in line', () => (admission.waitingOf(organizationId) === 1 ? true : undefined));
      held[0]?.destroy();
      expect((await next).status).toBe(200);
      held[1]?.destroy();
      await until('every slot free', () => (admission.inFlightOf(organizationId) === 0 ? true : undefined));
      expect(admission.waitingOf(organizationId)).toBe(0);
    }, 30_000);

    it('holds a GraphQL request (a JSON body, read before admission) in its slot until it is answered', async () => {
      const limited = await start({ orgMaxInFlight: 1 });
      const { organizationId } = await limited.app.get(OrganizationService).authenticate(keyA);
      const admission = limited.app.get(OrganizationAdmission);
      let answer: (() => void) | undefined;
      const list = jest.spyOn(limited.app.get(ScanQueryService), 'list');
      list.mockImplementationOnce(async () => {
        await new Promise<void>((resolve) => (answer = resolve));
        return { items: [] } as ListView<ScanView>;
      });
      try {
        const held = call('POST', '/graphql', { key: keyA, at: limited.base, json: { query: '{ scans { nodes { id } } }' } });
        await until('the GraphQL request to be running', () => answer);
        // It had given its slot back as soon as it got it: its body was read, so its request was "destroyed".
        expect(admission.inFlightOf(organizationId)).toBe(1);
        const next = call('POST', '/graphql', { key: keyA, at: limited.base, json: { query: '{ scans { nodes { id } } }' } });
        await until('the next one to wait in line', () => (admission.waitingOf(organizationId) === 1 ? true : undefined));
        answer?.();
        expect((await held).status).toBe(200);
        expect((await next).status).toBe(200);
        await until('every slot free', () => (admission.inFlightOf(organizationId) === 0 ? true : undefined));
      } finally {
        list.mockRestore();
      }
    }, 30_000);
  });

  describe('bounded input', () => {
    it('refuses a multipart upload over the limit in all while reading it, and one that declares it before reading', async () => {
      const part = 'x'.repeat(4 * 1024 * 1024);
      const boundary = 'rollsafe-boundary';
      const pieces = [0, 1, 2].map(
        (i) => `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="f${i}.yaml"\r\nContent-Type: application/yaml\r\n\r\n${part}\r\n`,
      );
      pieces.push(`--${boundary}--\r\n`);
      const encoder = new TextEncoder();
      // No Content-Length: sent chunked, so only the count while reading can stop it.
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (const piece of pieces) controller.enqueue(encoder.encode(piece));
          controller.close();
        },
      });
      const chunked = await fetch(`http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}/api/v1/scans`, {
        method: 'POST',
        headers: { authorization: `Bearer ${keyA}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
        body,
        duplex: 'half',
      } as RequestInit);
      expect(chunked.status).toBe(413);
      expect(((await chunked.json()) as Json)['error']).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });

      const declared = await call('POST', '/api/v1/scans', {
        key: keyA,
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
        body: pieces.join('') + part + part,
      });
      expect(declared).toMatchObject({ status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE' } } });
    });

    it('refuses a kind: List of 1,000,000 items fast, with the event loop answering meanwhile', async () => {
      const list = `apiVersion: v1\nkind: List\nitems: [${Array.from({ length: 1_000_000 }, () => '{}').join(',')}]\n`;
      expect(list.length).toBeLessThan(3_100_000);
      let answered = 0;
      const probe = setInterval(() => {
        void call('GET', '/healthz').then((r) => {
          if (r.status === 200) answered += 1;
        });
      }, 50);
      const started = Date.now();
      const refused = await call('POST', '/api/v1/scans', { key: keyA, json: { manifests: list } });
      clearInterval(probe);
      // The List's items count as documents while it is parsed (libs/manifests' RootItemBudget).
      expect(refused).toMatchObject({ status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE', details: { errors: [{ code: 'TOO_MANY_DOCUMENTS' }] } } } });
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(answered).toBeGreaterThan(0);
    }, 30_000);
  });

  describe('small defects', () => {
    it('answers forged cursors with BAD_USER_INPUT over GraphQL, never a database error or a server path', async () => {
      const forged = [
        'garbage',
        cursorOf({ t: 'x', i: 'y' }),
        cursorOf({ s: -1 }),
        cursorOf({ s: 1e30 }),
        cursorOf({ v: 'critical', t: '2026-01-01T00:00:00Z', i: "1' OR 1=1" }),
        cursorOf([1, 2]),
      ];
      const queued = await call('POST', '/api/v1/scans', { key: keyA, json: { manifests: UNSAFE_DEPLOYMENT } });
      await waitForScan(keyA, queued.body['id'] as string);
      for (const after of forged) {
        for (const [query, variables] of [
          ['query($a: String) { scans(after: $a) { totalCount } }', { a: after }],
          ['query($a: String) { webhooks(after: $a) { totalCount } }', { a: after }],
          ['query($a: String) { clusters(after: $a) { totalCount } }', { a: after }],
          ['query($a: String, $id: ID!) { scan(id: $id) { findings(after: $a) { totalCount } } }', { a: after, id: queued.body['id'] }],
        ] as const) {
          const answer = await graphql(keyA, query, variables);
          expect({ query, after, extensions: errorsOf(answer.body)[0]?.['extensions'] }).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
          expect(answer.text).not.toMatch(/prisma|node_modules|\/work\/|invalid input syntax|stack/i);
        }
        const rest = await call('GET', `/api/v1/scans?cursor=${encodeURIComponent(after)}`, { key: keyA });
        expect(rest).toMatchObject({ status: 400, body: { error: { code: 'BAD_INPUT' } } });
      }
    });

    it('deletes uploaded manifests ROLLSAFE_UPLOAD_RETENTION_DAYS (30) after their scan finished, and keeps the scan', async () => {
      const prisma = app.get(PrismaService).client;
      const [old, recent] = await Promise.all([0, 1].map(() => call('POST', '/api/v1/scans', { key: keyA, json: { manifests: UNSAFE_DEPLOYMENT } })));
      const oldId = old?.body['id'] as string;
      const recentId = recent?.body['id'] as string;
      await waitForScan(keyA, oldId);
      await waitForScan(keyA, recentId);
      await prisma.scan.update({ where: { id: oldId }, data: { finishedAt: new Date(Date.now() - 31 * 24 * 3600_000) } });
      const report = await app.get(ScanReconciler).reconcile(new Date(), 0);
      expect(report.inputsDeleted).toBeGreaterThanOrEqual(1);
      expect(await prisma.scanInput.findUnique({ where: { scanId: oldId } })).toBeNull();
      expect(await prisma.scanInput.findUnique({ where: { scanId: recentId } })).not.toBeNull();
      expect(await call('GET', `/api/v1/scans/${oldId}`, { key: keyA })).toMatchObject({ status: 200, body: { status: 'succeeded' } });
      expect((await call('GET', `/api/v1/scans/${oldId}/findings`, { key: keyA })).body['totalCount']).toBeGreaterThan(0);
    });

    it('answers introspection in production only with an API key', async () => {
      const production = await start({ nodeEnv: 'production', encryptionKey: Buffer.alloc(32, 7) });
      const query = '{ __schema { queryType { name } } }';
      const anonymous = await call('POST', '/graphql', { at: production.base, json: { query } });
      expect(errorsOf(anonymous.body)[0]?.['extensions']).toMatchObject({ code: 'UNAUTHENTICATED' });
      expect(anonymous.text).not.toContain('queryType');
      const typed = await call('POST', '/graphql', { at: production.base, json: { query: '{ __type(name: "Scan") { name } }' } });
      expect(errorsOf(typed.body)[0]?.['extensions']).toMatchObject({ code: 'UNAUTHENTICATED' });
      const keyed = await call('POST', '/graphql', { key: keyA, at: production.base, json: { query } });
      expect(keyed.body['data']).toEqual({ __schema: { queryType: { name: 'Query' } } });
      // Outside production, introspection stays open (tooling, the schema drift test).
      expect((await graphql(undefined, query)).body['data']).toEqual({ __schema: { queryType: { name: 'Query' } } });
    });
  });
});
