// No COUNT on the hot path of a list (issue 11): every list page is read with a query log on
// the API's Prisma client. A page without its total runs no count; `?count=exact` (REST) or a
// selected `totalCount` (GraphQL) counts, and the total is the number of items the list has.
// A scan's findings and its Services' verdicts take their totals from the scan's stored
// figures, so they never count.
import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { PrismaService } from '#rollsafe/store';
import { FakeKubeApiServer, UNSAFE_DEPLOYMENT, kubeScenarios } from '#rollsafe/testing';
import { ApiHarness, type Json } from '../test/api-harness.js';

interface LoggedQuery {
  model: string | undefined;
  operation: string;
  sql: string;
}

/** A list as both transports page it. */
interface ListCase {
  name: string;
  rest: string;
  /** The connection's query with `TOTAL` where totalCount goes (or nothing). */
  graphql: string;
  variables: () => Json;
  /** The connection in the answer's data. */
  connection: (data: Json) => Json;
  /** The total comes from stored figures: given with every page, never counted. */
  stored?: true;
}

describe('list totals without COUNT (e2e)', () => {
  const harness = new ApiHarness({ options: () => ({ encryptionKey: randomBytes(32), outboundAllow: ['loopback'] }) });
  const { start, call, createOrg, waitForScan } = harness;
  let app: INestApplication;
  let fake: FakeKubeApiServer;
  let key: string;
  const queries: LoggedQuery[] = [];
  const ids: Record<string, string> = {};

  /** Every query the API's Prisma client runs from now on is logged (model, operation and raw SQL). */
  function logQueries(store: PrismaService): void {
    const logged = store.client.$extends({
      query: {
        $allOperations({ model, operation, args, query }) {
          queries.push({ model, operation, sql: JSON.stringify(args ?? null) });
          return query(args);
        },
      },
    });
    Object.defineProperty(store, 'client', { value: logged, configurable: true });
  }

  const countsRun = (): LoggedQuery[] =>
    queries.filter((query) => query.operation === 'count' || query.operation === 'aggregate' || query.operation === 'groupBy' || /count\s*\(/i.test(query.sql));

  beforeAll(async () => {
    await harness.setUp();
    fake = await FakeKubeApiServer.start({ scenario: kubeScenarios.smallAlibabaTerway() });
    ({ app } = await start());
    harness.startScanWorker(app);
    key = await createOrg('lists');
    const prisma = app.get(PrismaService).client;
    const organizationId = (await prisma.organization.findFirstOrThrow({ where: { name: 'lists' } })).id;

    // Upload scans on two targets, so that a suppression hides findings of two scans.
    const uploads = await Promise.all(
      ['one', 'two', 'three'].map((target) => call('POST', '/api/v1/scans', { key, json: { manifests: UNSAFE_DEPLOYMENT, target } })),
    );
    for (const upload of uploads) await waitForScan(key, upload.body['id'] as string);
    ids['scan'] = uploads[0]?.body['id'] as string;
    const findings = await call('GET', `/api/v1/scans/${ids['scan']}/findings`, { key });
    const ruleId = ((findings.body['items'] as Json[])[0] as Json)['ruleId'] as string;
    const suppression = await call('POST', '/api/v1/suppressions', { key, json: { ruleId, reason: 'counted' } });
    ids['suppression'] = suppression.body['id'] as string;

    for (const name of ['prod', 'stage']) {
      const registered = await call('POST', '/api/v1/clusters', { key, json: { name, kubeconfig: fake.kubeconfig({ auth: 'token' }) } });
      expect(registered.status).toBe(201);
      ids[name] = registered.body['id'] as string;
    }
    for (let i = 0; i < 2; i += 1) {
      const scan = await call('POST', `/api/v1/clusters/${ids['prod']}/scans`, { key });
      await waitForScan(key, scan.body['id'] as string);
    }
    const cluster = await prisma.cluster.findUniqueOrThrow({ where: { id: ids['prod'] } });
    const lastScan = await prisma.scan.findFirstOrThrow({ where: { targetId: cluster.targetId }, orderBy: { createdAt: 'desc' } });
    await prisma.findingState.createMany({
      data: Array.from({ length: 3 }, (_, i) => ({
        organizationId,
        targetId: cluster.targetId,
        fingerprint: `extra-${i}`,
        ruleId: 'readiness-probe-missing',
        severity: 'warning' as const,
        kind: 'Deployment',
        namespace: 'shop',
        name: `web-${i}`,
        firstSeenAt: new Date(Date.now() - i * 1000),
        lastSeenAt: new Date(),
        lastScanId: lastScan.id,
      })),
    });

    for (const path of ['a', 'b']) {
      const webhook = await call('POST', '/api/v1/webhooks', { key, json: { kind: 'generic', url: `http://127.0.0.1:9/${path}` } });
      expect(webhook.status).toBe(201);
      ids[`webhook-${path}`] = webhook.body['id'] as string;
    }
    await prisma.webhookDelivery.createMany({
      data: Array.from({ length: 3 }, (_, attempt) => ({
        organizationId,
        webhookId: ids['webhook-a'] as string,
        scanId: randomUUID(),
        event: 'scan.completed',
        attempt: attempt + 1,
        result: 'delivered' as const,
        durationMs: 5,
      })),
    });
    logQueries(app.get(PrismaService));
  }, 120_000);

  afterAll(async () => {
    await harness.tearDown();
    await fake?.stop();
  });

  const lists: ListCase[] = [
    {
      name: 'scans',
      rest: '/api/v1/scans',
      graphql: 'query($after: String) { list: scans(first: 1, after: $after) { nodes { id } TOTAL } }',
      variables: () => ({}),
      connection: (data) => data['list'] as Json,
    },
    {
      name: "a cluster's scans",
      rest: '/api/v1/clusters/{prod}/scans',
      graphql: 'query($id: ID!) { cluster(id: $id) { list: scans(first: 1) { nodes { id } TOTAL } } }',
      variables: () => ({ id: ids['prod'] }),
      connection: (data) => (data['cluster'] as Json)['list'] as Json,
    },
    {
      name: 'clusters',
      rest: '/api/v1/clusters',
      graphql: '{ list: clusters(first: 1) { nodes { id } TOTAL } }',
      variables: () => ({}),
      connection: (data) => data['list'] as Json,
    },
    {
      name: "a cluster's finding states",
      rest: '/api/v1/clusters/{prod}/findings',
      graphql: 'query($id: ID!) { cluster(id: $id) { list: findings(first: 1) { nodes { id } TOTAL } } }',
      variables: () => ({ id: ids['prod'] }),
      connection: (data) => (data['cluster'] as Json)['list'] as Json,
    },
    {
      name: 'webhooks',
      rest: '/api/v1/webhooks',
      graphql: '{ list: webhooks(first: 1) { nodes { id } TOTAL } }',
      variables: () => ({}),
      connection: (data) => data['list'] as Json,
    },
    {
      name: "a webhook's deliveries",
      rest: '/api/v1/webhooks/{webhook-a}/deliveries',
      graphql: 'query($id: ID!) { webhook(id: $id) { list: deliveries(first: 1) { nodes { id } TOTAL } } }',
      variables: () => ({ id: ids['webhook-a'] }),
      connection: (data) => (data['webhook'] as Json)['list'] as Json,
    },
    {
      name: 'what a suppression hid (REST only)',
      rest: '/api/v1/suppressions/{suppression}/findings',
      graphql: '',
      variables: () => ({}),
      connection: () => ({}),
    },
    {
      name: "a scan's findings",
      rest: '/api/v1/scans/{scan}/findings',
      graphql: 'query($id: ID!) { scan(id: $id) { list: findings(first: 1) { nodes { id } TOTAL } } }',
      variables: () => ({ id: ids['scan'] }),
      connection: (data) => (data['scan'] as Json)['list'] as Json,
      stored: true,
    },
    {
      name: "a scan's Service verdicts",
      rest: '/api/v1/scans/{scan}/services',
      graphql: 'query($id: ID!) { scan(id: $id) { list: services(first: 1) { nodes { id } TOTAL } } }',
      variables: () => ({ id: ids['scan'] }),
      connection: (data) => (data['scan'] as Json)['list'] as Json,
      stored: true,
    },
    {
      name: "a cluster's Service verdicts",
      rest: '/api/v1/clusters/{prod}/services',
      graphql: 'query($id: ID!) { cluster(id: $id) { list: services(first: 1) { nodes { id } TOTAL } } }',
      variables: () => ({ id: ids['prod'] }),
      connection: (data) => (data['cluster'] as Json)['list'] as Json,
      stored: true,
    },
  ];

  const pathOf = (list: ListCase): string => list.rest.replace(/\{([a-z-]+)\}/g, (_, name: string) => ids[name] as string);
  const withQuery = (path: string, query: string): string => `${path}${path.includes('?') ? '&' : '?'}${query}`;

  async function graphql(list: ListCase, total: boolean): Promise<Json> {
    const response = await call('POST', '/graphql', {
      key,
      json: { query: list.graphql.replace('TOTAL', total ? 'totalCount' : ''), variables: list.variables() },
    });
    expect(response.body['errors']).toBeUndefined();
    return list.connection(response.body['data'] as Json);
  }

  describe.each(lists)('$name', (list) => {
    it('pages without counting, and counts only when asked, rightly', async () => {
      const everything = await call('GET', withQuery(pathOf(list), 'limit=200'), { key });
      expect(everything.status).toBe(200);
      const expected = (everything.body['items'] as Json[]).length;
      expect(everything.body['nextCursor']).toBeUndefined();

      queries.length = 0;
      const page = await call('GET', withQuery(pathOf(list), 'limit=1'), { key });
      expect(page.status).toBe(200);
      expect(countsRun()).toEqual([]);
      if (list.stored) expect(page.body['totalCount']).toBe(expected);
      else {
        // More than a page, so that the total is not simply the page's length.
        expect(expected).toBeGreaterThan(1);
        expect(page.body['totalCount']).toBeUndefined();
      }

      queries.length = 0;
      const counted = await call('GET', withQuery(pathOf(list), 'limit=1&count=exact'), { key });
      expect(counted.body['totalCount']).toBe(expected);
      if (list.stored) expect(countsRun()).toEqual([]);
      else expect(countsRun().length).toBeGreaterThan(0);

      if (!list.graphql) return;
      queries.length = 0;
      const nodesOnly = await graphql(list, false);
      expect(nodesOnly['nodes']).toHaveLength(Math.min(1, expected));
      expect(countsRun()).toEqual([]);
      queries.length = 0;
      expect((await graphql(list, true))['totalCount']).toBe(expected);
      if (list.stored) expect(countsRun()).toEqual([]);
      else expect(countsRun().length).toBeGreaterThan(0);
    });
  });

  it('gives the total of a list that fits in its first page without counting', async () => {
    queries.length = 0;
    const clusters = await call('GET', '/api/v1/clusters?limit=50', { key });
    expect(clusters.body).toMatchObject({ totalCount: 2 });
    expect(countsRun()).toEqual([]);
  });

  it('refuses another count value naming the parameter', async () => {
    expect(await call('GET', '/api/v1/scans?count=estimate', { key })).toMatchObject({
      status: 400,
      body: { error: { code: 'BAD_INPUT', details: { field: 'count' } } },
    });
  });
});
