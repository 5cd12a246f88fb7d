// Contracts third-party tools accept (issue 14), each checked by the real tool: the OpenAPI
// document by @redocly/cli lint, the GraphQL connections by Apollo Client's Relay pagination,
// the GraphQL IDE by headless Chromium with the network outside 127.0.0.1 blocked.
import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { relayStylePagination } from '@apollo/client/utilities';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { GraphQLList, GraphQLNonNull, GraphQLObjectType, getNamedType, isObjectType, type GraphQLOutputType } from 'graphql';
import { chromium } from 'playwright-core';
import { FakeKubeApiServer, UNSAFE_DEPLOYMENT, kubeScenarios } from '#rollsafe/testing';
import { ApiHarness, type Json } from '../test/api-harness.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

describe('contracts (e2e)', () => {
  // loopback allowed: a fake API server and a webhook receiver on 127.0.0.1
  const harness = new ApiHarness({ scanPolls: 300, options: () => ({ encryptionKey: randomBytes(32), outboundAllow: ['loopback'] }) });
  const { start, call, createOrg, waitForScan, graphql } = harness;
  let dir: string;
  let base: string;
  let schemaHost: GraphQLSchemaHost;
  let fake: FakeKubeApiServer;
  let receiver: http.Server;
  let receiverUrl: string;

  beforeAll(async () => {
    await harness.setUp();
    const started = await start();
    base = started.base;
    schemaHost = started.app.get(GraphQLSchemaHost);
    harness.startScanWorker(started.app);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollsafe-contracts-'));
    fake = await FakeKubeApiServer.start({ scenario: kubeScenarios.demoCluster(), tokens: { 'rollsafe-demo-reader': kubeScenarios.readOnlyUser } });
    receiver = http.createServer((request, response) => {
      request.resume();
      request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  }, 60_000);

  afterAll(async () => {
    await harness.tearDown();
    await fake?.stop();
    await new Promise((resolve) => receiver?.close(resolve));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves an OpenAPI document that @redocly/cli lint accepts with no error (redocly.yaml)', async () => {
    const doc = await call('GET', '/api/docs-json');
    expect(doc.status).toBe(200);
    const file = path.join(dir, 'openapi.json');
    fs.writeFileSync(file, doc.text);
    const lint = spawnSync(
      process.execPath,
      [path.join(root, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js'), 'lint', file, '--config', path.join(root, 'redocly.yaml'), '--format', 'json'],
      { encoding: 'utf8', env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' }, timeout: 60_000 },
    );
    const report = JSON.parse(lint.stdout) as {
      totals: { errors: number; warnings: number };
      problems: Array<{ ruleId: string; severity: string; message: string; location: Array<{ pointer: string }> }>;
    };
    const errors = report.problems.map((p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer ?? ''}: ${p.message}`);
    expect(errors).toEqual([]);
    expect(lint.status).toBe(0);
  });

  it('documents each error with the body the API really answers (400, 401, 413, 429)', async () => {
    const doc = (await call('GET', '/api/docs-json')).body as { paths: Record<string, Record<string, { responses: Record<string, Json> }>> };
    const example = (pathName: string, method: string, status: number): Json => {
      const response = doc.paths[pathName]?.[method]?.responses[String(status)] as { content?: Record<string, { example?: Json }> } | undefined;
      return (response?.content?.['application/json']?.example ?? {})['error'] as Json;
    };
    const key = await createOrg('contracts-errors');
    const badLimit = await call('GET', '/api/v1/scans?limit=0', { key });
    expect(badLimit.status).toBe(400);
    expect(badLimit.body['error']).toEqual(example('/api/v1/scans', 'get', 400));
    const noKey = await call('GET', '/api/v1/scans');
    expect(noKey.status).toBe(401);
    expect(noKey.body['error']).toEqual(example('/api/v1/scans', 'get', 401));
    const tooLarge = await call('POST', '/api/v1/suppressions', { key, json: { ruleId: 'pdb-missing', reason: 'x'.repeat(11 * 1024 * 1024) } });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body['error']).toEqual(example('/api/v1/suppressions', 'post', 413));
    // 429: an app of its own with a limit of 2 requests a minute
    const limited = await start({ rateLimitPerMinute: 2 });
    let answer = await call('GET', '/api/v1/scans', { key, at: limited.base });
    for (let i = 0; i < 3 && answer.status !== 429; i += 1) answer = await call('GET', '/api/v1/scans', { key, at: limited.base });
    expect(answer.status).toBe(429);
    expect(answer.headers.get('retry-after')).toMatch(/^\d+$/);
    const documented = example('/api/v1/scans', 'get', 429);
    expect(Object.keys(answer.body['error'] as Json).sort()).toEqual(Object.keys(documented).sort());
    expect((answer.body['error'] as Json)['code']).toBe(documented['code']);
    expect((answer.body['error'] as Json)['message']).toMatch(/^rate limit of \d+ requests per minute exceeded; retry in \d+ s$/);
    expect(documented['message']).toMatch(/^rate limit of \d+ requests per minute exceeded; retry in \d+ s$/);
  });

  describe('GraphQL connections (Relay)', () => {
    /** The Relay cursor connections specification, checked on the served schema. */
    it('every ...Connection has edges { cursor node }, nodes and a full PageInfo; Node types implement Node', () => {
      const schema = schemaHost.schema;
      const unwrap = (type: GraphQLOutputType): string => type.toString();
      const connections = Object.values(schema.getTypeMap()).filter(
        (type): type is GraphQLObjectType => isObjectType(type) && type.name.endsWith('Connection'),
      );
      expect(connections.map((type) => type.name).sort()).toEqual(
        [
          'ClusterConnection',
          'ClusterFindingConnection',
          'DeliveryConnection',
          'FindingConnection',
          'ScanConnection',
          'ServiceVerdictConnection',
          'WebhookConnection',
        ].sort(),
      );
      for (const connection of connections) {
        const fields = connection.getFields();
        const item = connection.name.replace(/Connection$/, '');
        expect([connection.name, unwrap(fields['edges']?.type as GraphQLOutputType)]).toEqual([connection.name, `[${item}Edge!]!`]);
        expect(unwrap(fields['nodes']?.type as GraphQLOutputType)).toBe(`[${item}!]!`);
        expect(unwrap(fields['pageInfo']?.type as GraphQLOutputType)).toBe('PageInfo!');
        const edge = getNamedType(fields['edges']?.type as GraphQLOutputType) as GraphQLObjectType;
        expect(unwrap(edge.getFields()['cursor']?.type as GraphQLOutputType)).toBe('String!');
        expect(unwrap(edge.getFields()['node']?.type as GraphQLOutputType)).toBe(`${item}!`);
        expect((schema.getType(item) as GraphQLObjectType).getInterfaces().map((i) => i.name)).toEqual(['Node']);
      }
      const pageInfo = (schema.getType('PageInfo') as GraphQLObjectType).getFields();
      expect(Object.fromEntries(Object.entries(pageInfo).map(([name, field]) => [name, unwrap(field.type)]))).toEqual({
        hasNextPage: 'Boolean!',
        hasPreviousPage: 'Boolean!',
        startCursor: 'String',
        endCursor: 'String',
      });
      const node = schema.getQueryType()?.getFields()['node'];
      expect(node?.type.toString()).toBe('Node');
      expect(node?.args.map((arg) => `${arg.name}: ${arg.type.toString()}`)).toEqual(['id: ID!']);
      expect(node?.type).not.toBeInstanceOf(GraphQLNonNull);
      expect(node?.type).not.toBeInstanceOf(GraphQLList);
    });

    it("pages with Apollo Client's relayStylePagination (fetchMore merges edges by cursor) and refetches every Node type by node(id)", async () => {
      const key = await createOrg('relay');
      const scanIds: string[] = [];
      for (const target of ['one', 'two', 'three']) {
        const queued = await call('POST', '/api/v1/scans', { key, json: { manifests: UNSAFE_DEPLOYMENT, target } });
        expect(queued.status).toBe(202);
        expect((await waitForScan(key, queued.body['id'] as string))['status']).toBe('succeeded');
        scanIds.unshift(queued.body['id'] as string);
      }
      const client = new ApolloClient({
        link: new HttpLink({ uri: `${base}/graphql`, headers: { authorization: `Bearer ${key}` }, fetch }),
        cache: new InMemoryCache({
          possibleTypes: { Node: ['Scan', 'Finding', 'Cluster', 'ClusterFinding', 'Webhook', 'Delivery', 'ServiceVerdict'] },
          typePolicies: {
            Query: { fields: { scans: relayStylePagination(['status', 'trigger', 'clusterId']) } },
            Scan: { fields: { findings: relayStylePagination(['severity', 'ruleId']) } },
          },
        }),
      });
      const SCANS = gql`
        query Scans($first: Int, $after: String) {
          scans(first: $first, after: $after) {
            edges {
              cursor
              node {
                id
                globalId
                target
              }
            }
            pageInfo {
              hasNextPage
              hasPreviousPage
              startCursor
              endCursor
            }
            totalCount
          }
        }
      `;
      type ScansData = {
        scans: {
          edges: Array<{ cursor: string; node: { id: string; globalId: string; target: string } }>;
          pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
          totalCount: number;
        };
      };
      const watched = client.watchQuery<ScansData>({ query: SCANS, variables: { first: 2 } });
      const first = await watched.refetch();
      expect(first.data?.scans.edges.map((edge) => edge.node.id)).toEqual(scanIds.slice(0, 2));
      expect(first.data?.scans.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false, startCursor: first.data?.scans.edges[0]?.cursor });
      await watched.fetchMore({ variables: { after: first.data?.scans.pageInfo.endCursor } });
      const merged = client.readQuery<ScansData>({ query: SCANS, variables: { first: 2 } });
      expect(merged?.scans.edges.map((edge) => edge.node.id)).toEqual(scanIds);
      expect(merged?.scans.pageInfo.hasNextPage).toBe(false);
      expect(merged?.scans.totalCount).toBe(3);
      // the raw second page: after a cursor, so there is a previous page; its end cursor is its last edge's
      const second = await graphql(
        key,
        'query($after: String) { scans(first: 2, after: $after) { edges { cursor } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }',
        {
          after: first.data?.scans.pageInfo.endCursor,
        },
      );
      const page = (second.body['data'] as { scans: { edges: Array<{ cursor: string }>; pageInfo: Json } }).scans;
      expect(page.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true, startCursor: page.edges[0]?.cursor, endCursor: page.edges[0]?.cursor });

      // a scan's findings: the nested connection, page by page through the same helper
      const FINDINGS = gql`
        query Findings($id: ID!, $after: String) {
          scan(id: $id) {
            id
            findings(first: 1, after: $after) {
              edges {
                cursor
                node {
                  id
                  ruleId
                }
              }
              pageInfo {
                hasNextPage
                endCursor
              }
            }
          }
        }
      `;
      type FindingsData = {
        scan: { id: string; findings: { edges: Array<{ node: { id: string; ruleId: string } }>; pageInfo: { hasNextPage: boolean; endCursor: string } } };
      };
      const findingsQuery = client.watchQuery<FindingsData>({ query: FINDINGS, variables: { id: scanIds[0] } });
      let findings = (await findingsQuery.refetch()).data as FindingsData;
      while (findings.scan.findings.pageInfo.hasNextPage) {
        await findingsQuery.fetchMore({ variables: { after: findings.scan.findings.pageInfo.endCursor } });
        findings = client.readQuery<FindingsData>({ query: FINDINGS, variables: { id: scanIds[0] } }) as FindingsData;
      }
      const rest = await call('GET', `/api/v1/scans/${scanIds[0]}/findings?limit=200`, { key });
      expect(findings.scan.findings.edges.map((edge) => edge.node.id)).toEqual((rest.body['items'] as Array<{ id: string }>).map((item) => item.id));
      expect(findings.scan.findings.edges.length).toBeGreaterThan(1);

      // one object of every Node type, refetched by node(id) with its UUID and with its global id
      const registered = await call('POST', '/api/v1/clusters', {
        key,
        json: { name: 'relay', kubeconfig: fake.kubeconfig({ auth: 'token', contextName: 'rollsafe-demo' }) },
      });
      expect(registered.status).toBe(201);
      const clusterId = registered.body['id'] as string;
      const clusterScan = await call('POST', `/api/v1/clusters/${clusterId}/scans`, { key });
      expect((await waitForScan(key, clusterScan.body['id'] as string))['status']).toBe('succeeded');
      const webhook = await call('POST', '/api/v1/webhooks', { key, json: { kind: 'generic', url: receiverUrl } });
      expect(webhook.status).toBe(201);
      const delivery = await call('POST', `/api/v1/webhooks/${webhook.body['id'] as string}/test`, { key });
      expect(delivery.body).toMatchObject({ result: 'delivered' });
      const firstOf = async (url: string): Promise<string> => ((await call('GET', url, { key })).body['items'] as Array<{ id: string }>)[0]?.id as string;
      const objects: Record<string, string> = {
        Scan: scanIds[0] as string,
        Finding: await firstOf(`/api/v1/scans/${scanIds[0]}/findings`),
        ServiceVerdict: await firstOf(`/api/v1/scans/${scanIds[0]}/services`),
        Cluster: clusterId,
        ClusterFinding: await firstOf(`/api/v1/clusters/${clusterId}/findings`),
        Webhook: webhook.body['id'] as string,
        Delivery: delivery.body['id'] as string,
      };
      const NODE = gql`
        query Node($id: ID!) {
          node(id: $id) {
            __typename
            id
            globalId
          }
        }
      `;
      for (const [type, id] of Object.entries(objects)) {
        const globalId = Buffer.from(`${type}:${id}`).toString('base64');
        for (const asked of [id, globalId]) {
          const { data } = await client.query<{ node: { __typename: string; id: string; globalId: string } | null }>({
            query: NODE,
            variables: { id: asked },
            fetchPolicy: 'network-only',
          });
          expect([asked, data?.node]).toEqual([asked, { __typename: type, id, globalId }]);
        }
      }
      // another organization's object, a wrong type in the global id, and garbage: null
      const other = await createOrg('relay-other');
      for (const asked of [objects['Scan'] as string, Buffer.from(`Cluster:${objects['Scan']}`).toString('base64'), 'not-an-id']) {
        const answer = await graphql(asked === 'not-an-id' ? key : other, 'query($id: ID!) { node(id: $id) { id } }', { id: asked });
        expect(answer.body).toEqual({ data: { node: null } });
      }
      const typed = await graphql(key, 'query($id: ID!) { node(id: $id) { ... on Scan { target findings(first: 1) { totalCount } } } }', {
        id: objects['Scan'],
      });
      expect(typed.body).toMatchObject({ data: { node: { target: 'three', findings: { totalCount: expect.any(Number) } } } });
      client.stop();
    }, 30_000); // three scans through the worker, each waited for up to 10 s (waitForScan)
  });

  it('serves the GraphQL IDE from the package: it renders and runs a query with every host but 127.0.0.1 blocked', async () => {
    const key = await createOrg('ide');
    const assets = await fetch(`${base}/graphiql/graphiql.min.js`);
    expect([assets.status, assets.headers.get('content-type')]).toEqual([200, 'text/javascript; charset=utf-8']);
    expect((await fetch(`${base}/graphiql/../package.json`)).status).toBe(404);
    const browser = await chromium.launch({ executablePath: process.env['ROLLSAFE_CHROMIUM'] ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage();
      const blocked: string[] = [];
      await page.route('**/*', (route) => {
        const url = new URL(route.request().url());
        if (url.hostname === '127.0.0.1') return route.continue();
        blocked.push(url.href);
        return route.abort('internetdisconnected');
      });
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      const response = await page.goto(`${base}/graphql`);
      expect(response?.status()).toBe(200);
      await page.locator('.graphiql-container .graphiql-query-editor .CodeMirror').waitFor({ timeout: 15_000 });
      expect(
        await page
          .locator('.graphiql-query-editor .CodeMirror')
          .evaluate((node) => (node as typeof node & { CodeMirror: { getValue(): string } }).CodeMirror.getValue()),
      ).toContain('scans(first: 5)');
      // the API key in the headers editor, then run the default query
      await page.getByRole('button', { name: 'Headers' }).click();
      await page
        .locator('.graphiql-editor-tool .CodeMirror')
        .last()
        .evaluate(
          (node, header) => (node as typeof node & { CodeMirror: { setValue(value: string): void } }).CodeMirror.setValue(header),
          JSON.stringify({ Authorization: `Bearer ${key}` }),
        );
      await page.locator('.graphiql-execute-button').click();
      // runs in the page: the result pane's CodeMirror text
      const responseText = (): string | undefined => {
        const { document } = globalThis as typeof globalThis & {
          document: { querySelector(selector: string): { CodeMirror?: { getValue(): string } } | null };
        };
        return document.querySelector('.graphiql-response .CodeMirror')?.CodeMirror?.getValue();
      };
      await page.waitForFunction(`(${responseText.toString()})()?.includes('totalCount')`, undefined, { timeout: 15_000 });
      expect(JSON.parse((await page.evaluate(responseText)) ?? '{}')).toEqual({
        data: { scans: { totalCount: 0, edges: [], pageInfo: { hasNextPage: false, endCursor: null } } },
      });
      expect(blocked).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
