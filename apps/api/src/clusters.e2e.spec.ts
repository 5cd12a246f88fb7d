// Live clusters end to end: the API, a worker running the `scans` queue's jobs (libs/scans'
// ScanJobs, as apps/worker does), the real Postgres and Redis, and the fake kube-apiserver
// on loopback (ROLLSAFE_OUTBOUND_ALLOW=loopback). Registration decides (422 with the code for
// every refused kubeconfig, nothing sent for the ones that could run or read something),
// credentials are stored encrypted only, scans give live findings over REST and GraphQL, and
// a rescan keeps open findings' firstSeenAt and resolves the fixed ones.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { load, dump } from 'js-yaml';
import pg from 'pg';
import { FakeKubeApiServer, kubeScenarios } from '#rollsafe/testing';
import { ApiHarness, type Json } from '../test/api-harness.js';

const READER_TOKEN = `reader-${randomBytes(16).toString('hex')}`;
const WRITER_TOKEN = `writer-${randomBytes(16).toString('hex')}`;
const NO_PODS_TOKEN = `nopods-${randomBytes(16).toString('hex')}`;
const ENCRYPTION_KEY = randomBytes(32);

type YamlMap = Record<string, unknown>;

/** The kubeconfig with its (only) user replaced. */
function withUser(kubeconfig: string, user: YamlMap): string {
  const doc = load(kubeconfig) as { users: Array<{ user: YamlMap }> };
  for (const entry of doc.users) entry.user = user;
  return dump(doc);
}

/** The kubeconfig with its (only) cluster changed. */
function withCluster(kubeconfig: string, change: (cluster: YamlMap) => void): string {
  const doc = load(kubeconfig) as { clusters: Array<{ cluster: YamlMap }> };
  for (const entry of doc.clusters) change(entry.cluster);
  return dump(doc);
}

describe('clusters (e2e)', () => {
  const harness = new ApiHarness({ logLevel: 'debug', scanPolls: 300, options: () => ({ encryptionKey: ENCRYPTION_KEY, outboundAllow: ['loopback'] }) });
  const { start, call, graphql, waitForScan, createOrg, logLines } = harness;
  let fake: FakeKubeApiServer;
  let keyA: string;
  let keyB: string;

  async function register(key: string, json: Json, at?: string) {
    return call('POST', '/api/v1/clusters', { key, json, ...(at ? { at } : {}) });
  }

  beforeAll(async () => {
    await harness.setUp();
    fake = await FakeKubeApiServer.start({
      scenario: kubeScenarios.smallAlibabaTerway(),
      tokens: {
        [READER_TOKEN]: { name: 'system:serviceaccount:rollsafe:rollsafe-reader', rules: kubeScenarios.readOnlyRules },
        [WRITER_TOKEN]: { name: 'system:serviceaccount:ci:deployer', rules: kubeScenarios.writerRules },
        [NO_PODS_TOKEN]: {
          name: 'system:serviceaccount:rollsafe:no-pods',
          rules: kubeScenarios.readOnlyRules.map((rule) => ({ ...rule, resources: rule.resources.filter((resource) => resource !== 'pods') })),
        },
      },
      clientCertificateUsers: true,
    });
    harness.startScanWorker((await start()).app);
    keyA = await createOrg('org-a');
    keyB = await createOrg('org-b');
  }, 60_000);

  afterAll(async () => {
    await harness.tearDown();
    await fake?.stop();
  });

  describe('registration decides', () => {
    it('registers a cluster from a read-only kubeconfig (201) without echoing credentials', async () => {
      fake.clearRequests();
      const response = await register(keyA, {
        name: 'prod',
        kubeconfig: fake.kubeconfig({ auth: 'token', token: READER_TOKEN }),
        provider: 'alibaba',
        slbAttachmentQuota: 60,
      });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({
        id: expect.any(String),
        name: 'prod',
        server: fake.url,
        provider: 'alibaba',
        slbAttachmentQuota: 60,
        kubernetesVersion: expect.stringMatching(/^v1\.30/),
        warnings: [],
        unlistableKinds: [],
        notEvaluated: [],
      });
      expect(response.text).not.toContain(READER_TOKEN);
      expect(response.text).not.toContain('certificate-authority');
      expect(JSON.stringify(Object.keys(response.body))).not.toMatch(/kubeconfig|credential|token/i);
      // Verification read only: no write reached the API server.
      expect(fake.requests.length).toBeGreaterThan(0);
      expect(fake.requests.every((r) => r.method === 'GET' || (r.method === 'POST' && r.path.startsWith('/apis/authorization.k8s.io/v1/self')))).toBe(true);
      const got = await call('GET', `/api/v1/clusters/${response.body['id']}`, { key: keyA });
      expect(got.status).toBe(200);
      expect(got.text).not.toContain(READER_TOKEN);
      expect((await register(keyA, { name: 'prod', kubeconfig: fake.kubeconfig({ auth: 'token', token: READER_TOKEN }) })).status).toBe(409);
    });

    it('registers from a client certificate too', async () => {
      const kubeconfig = fake.kubeconfig({ auth: 'client-certificate', user: 'system:serviceaccount:rollsafe:rollsafe-reader' });
      const response = await register(keyA, { name: 'by-cert', kubeconfig });
      expect(response.status).toBe(201);
      const keyData = String((load(kubeconfig) as { users: Array<{ user: YamlMap }> }).users[0]?.user['client-key-data']);
      expect(response.text).not.toContain(keyData);
    });

    it('warns about kinds the credentials cannot list, and names the rules left unevaluated', async () => {
      const response = await register(keyA, { name: 'no-pods', kubeconfig: fake.kubeconfig({ auth: 'token', token: NO_PODS_TOKEN }) });
      expect(response.status).toBe(201);
      expect(response.body['unlistableKinds']).toEqual(['pods']);
      expect((response.body['warnings'] as string[]).join(' ')).toMatch(/pods/);
      expect(response.body['notEvaluated']).toEqual(expect.arrayContaining(['container-restart-loop', 'replicas-on-single-node']));
    });

    it('refuses every dangerous kubeconfig with 422 and its code; exec and file references send nothing', async () => {
      const good = fake.kubeconfig({ auth: 'token', token: READER_TOKEN });
      const cases: Array<[string, string, boolean]> = [
        [
          'KUBECONFIG_EXEC_FORBIDDEN',
          withUser(good, { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'sh', args: ['-c', 'touch /tmp/rollsafe-pwned'] } }),
          true,
        ],
        ['KUBECONFIG_EXEC_FORBIDDEN', withUser(good, { 'auth-provider': { name: 'gcp', config: { 'cmd-path': '/bin/sh' } } }), true],
        ['KUBECONFIG_FILE_REFERENCE', withUser(good, { tokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token' }), true],
        ['KUBECONFIG_FILE_REFERENCE', withUser(good, { 'client-certificate': '/etc/ssl/private/cert.pem', 'client-key': '/etc/ssl/private/key.pem' }), true],
        [
          'KUBECONFIG_FILE_REFERENCE',
          withCluster(good, (cluster) => {
            delete cluster['certificate-authority-data'];
            cluster['certificate-authority'] = '/etc/kubernetes/pki/ca.crt';
          }),
          true,
        ],
        [
          'KUBECONFIG_INSECURE',
          withCluster(good, (cluster) => {
            delete cluster['certificate-authority-data'];
            cluster['insecure-skip-tls-verify'] = true;
          }),
          true,
        ],
        ['KUBECONFIG_INVALID', 'clusters: [oops', true],
        [
          'TARGET_FORBIDDEN',
          withCluster(good, (cluster) => {
            cluster['server'] = 'https://169.254.169.254';
          }),
          true,
        ],
        ['KUBECONFIG_NOT_READ_ONLY', fake.kubeconfig({ auth: 'token', token: WRITER_TOKEN }), false],
        ['CLUSTER_FORBIDDEN', withUser(good, { token: 'a-token-the-cluster-does-not-know' }), false],
      ];
      for (const [code, kubeconfig, sendsNothing] of cases) {
        fake.clearRequests();
        const response = await register(keyA, { name: `refused-${code.toLowerCase().replace(/_/g, '-')}`, kubeconfig });
        expect({ code, status: response.status }).toEqual({ code, status: 422 });
        expect(response.body).toMatchObject({ error: { code, message: expect.any(String) } });
        expect(response.text).not.toContain(READER_TOKEN);
        expect(response.text).not.toContain(WRITER_TOKEN);
        expect(response.text).not.toContain('a-token-the-cluster-does-not-know');
        if (sendsNothing) expect({ code, requests: fake.requests }).toEqual({ code, requests: [] });
      }
      const writer = await register(keyA, { name: 'writer', kubeconfig: fake.kubeconfig({ auth: 'token', token: WRITER_TOKEN }) });
      expect(JSON.stringify(writer.body['error'])).toMatch(/create|update|patch|delete/);
      // Nothing refused was stored, and nothing was written to the cluster.
      expect(fake.requests.some((r) => !['GET', 'POST'].includes(r.method))).toBe(false);
      const list = await call('GET', '/api/v1/clusters', { key: keyA });
      expect((list.body['items'] as Json[]).map((c) => c['name'])).not.toContain('writer');
    });

    it('refuses an unreachable server with the reason, and loopback unless the operator allows it', async () => {
      const refusedPort = withCluster(fake.kubeconfig({ auth: 'token', token: READER_TOKEN }), (cluster) => {
        cluster['server'] = 'https://127.0.0.1:1';
      });
      const unreachable = await register(keyA, { name: 'unreachable', kubeconfig: refusedPort });
      expect(unreachable).toMatchObject({ status: 422, body: { error: { code: 'CLUSTER_UNREACHABLE' } } });
      expect((unreachable.body['error'] as Json)['message']).toMatch(/ECONNREFUSED|refused/i);

      const strict = await start({ outboundAllow: [] });
      const key = await createOrg('strict');
      fake.clearRequests();
      const loopback = await register(key, { name: 'loopback', kubeconfig: fake.kubeconfig({ auth: 'token', token: READER_TOKEN }) }, strict.base);
      expect(loopback).toMatchObject({ status: 422, body: { error: { code: 'TARGET_FORBIDDEN' } } });
      expect(fake.requests).toEqual([]);

      const insecureOk = await start({ allowInsecureKubeconfig: true });
      const insecure = withCluster(fake.kubeconfig({ auth: 'token', token: READER_TOKEN }), (cluster) => {
        delete cluster['certificate-authority-data'];
        cluster['insecure-skip-tls-verify'] = true;
      });
      expect((await register(keyA, { name: 'insecure', kubeconfig: insecure }, insecureOk.base)).status).toBe(201);

      const noKey = await start({ encryptionKey: undefined });
      const refused = await register(keyA, { name: 'no-key', kubeconfig: fake.kubeconfig({ auth: 'token', token: READER_TOKEN }) }, noKey.base);
      expect(refused).toMatchObject({ status: 503, body: { error: { code: 'UNAVAILABLE' } } });
    }, 30_000);

    it('answers the same refusals over GraphQL, with the code as extensions.reason', async () => {
      const exec = withUser(fake.kubeconfig({ auth: 'token', token: READER_TOKEN }), { exec: { command: 'sh', args: ['-c', 'id'] } });
      fake.clearRequests();
      const refused = await graphql(keyA, 'mutation($k: String!) { registerCluster(name: "gql-exec", kubeconfig: $k) { id } }', { k: exec });
      expect((refused.body['errors'] as Json[])[0]?.['extensions']).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'KUBECONFIG_EXEC_FORBIDDEN' });
      expect(fake.requests).toEqual([]);
      const ok = await graphql(
        keyA,
        'mutation($k: String!) { registerCluster(name: "gql-ok", kubeconfig: $k, slbAttachmentQuota: 40) { id name slbAttachmentQuota warnings } }',
        {
          k: fake.kubeconfig({ auth: 'token', token: READER_TOKEN }),
        },
      );
      expect((ok.body['data'] as Json)['registerCluster']).toMatchObject({ name: 'gql-ok', slbAttachmentQuota: 40, warnings: [] });
      expect(ok.text).not.toContain(READER_TOKEN);
      const doc = await call('GET', '/api/docs-json');
      expect(Object.keys(doc.body['paths'] as Json)).toEqual(
        expect.arrayContaining(['/api/v1/clusters', '/api/v1/clusters/{id}', '/api/v1/clusters/{id}/scans', '/api/v1/clusters/{id}/findings']),
      );
    });

    it('answers bad input with 400', async () => {
      expect((await register(keyA, { kubeconfig: 'x' })).status).toBe(400);
      expect((await register(keyA, { name: 'x' })).status).toBe(400);
      expect((await register(keyA, { name: '../x', kubeconfig: 'x' })).status).toBe(400);
      expect((await register(keyA, { name: 'x', kubeconfig: 'x', provider: 'oracle' })).status).toBe(400);
      expect((await register(keyA, { name: 'x', kubeconfig: 'x', slbAttachmentQuota: -1 })).status).toBe(400);
      expect((await call('GET', '/api/v1/clusters/not-a-uuid', { key: keyA })).status).toBe(404);
    });
  });

  describe('credentials at rest', () => {
    it('are never in clear in the database (rows and the raw table files) nor in the logs', async () => {
      const admin = new pg.Client({ connectionString: harness.db.url });
      await admin.connect();
      try {
        const clientKey = (
          load(fake.kubeconfig({ auth: 'client-certificate', user: 'system:serviceaccount:rollsafe:rollsafe-reader' })) as { users: Array<{ user: YamlMap }> }
        ).users[0]?.user['client-key-data'] as string;
        const clientKeyPem = Buffer.from(clientKey, 'base64').toString('utf8');
        const keyBody = clientKeyPem.split('\n').find((line) => line.length > 40) as string;
        const secrets = [READER_TOKEN, Buffer.from(READER_TOKEN).toString('base64'), NO_PODS_TOKEN, keyBody, clientKey.slice(0, 60)];

        const { rows } = await admin.query<{ id: string; credentials_key_id: string }>('SELECT id, credentials_key_id FROM clusters');
        expect(rows.length).toBeGreaterThanOrEqual(3);
        expect(new Set(rows.map((r) => r.credentials_key_id)).size).toBe(1);
        // Every row of every table, as text.
        const tables = await admin.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public'");
        for (const { tablename } of tables.rows) {
          const dump = await admin.query<{ row: string }>(`SELECT t::text AS row FROM "${tablename}" t`);
          const text = dump.rows.map((r) => r.row).join('\n');
          for (const secret of secrets) expect({ tablename, leaked: text.includes(secret) }).toEqual({ tablename, leaked: false });
        }
        // The bytes of the table's files on disk (and its TOAST table), after a checkpoint.
        await admin.query('CHECKPOINT');
        const files = await admin.query<{ path: string }>(
          "SELECT pg_relation_filepath(c.oid) AS path FROM pg_class c WHERE c.oid = 'clusters'::regclass OR c.oid = (SELECT reltoastrelid FROM pg_class WHERE oid = 'clusters'::regclass)",
        );
        let bytes = 0;
        for (const { path } of files.rows) {
          const raw = await admin.query<{ data: Buffer }>('SELECT pg_read_binary_file($1) AS data', [path]);
          const data = raw.rows[0]?.data as Buffer;
          bytes += data.length;
          for (const secret of secrets) expect(data.includes(Buffer.from(secret))).toBe(false);
        }
        expect(bytes).toBeGreaterThan(0);
        // ...while the name, which is not secret, is there: the scan did read the right bytes.
        const heap = await admin.query<{ data: Buffer }>("SELECT pg_read_binary_file(pg_relation_filepath('clusters'::regclass)) AS data");
        expect((heap.rows[0]?.data as Buffer).includes(Buffer.from('no-pods'))).toBe(true);
      } finally {
        await admin.end();
      }
      const logs = logLines.join('\n');
      expect(logs).toContain('cluster registered');
      for (const secret of [READER_TOKEN, WRITER_TOKEN, NO_PODS_TOKEN]) expect(logs).not.toContain(secret);
    });
  });

  describe('scans and live findings', () => {
    it('scans a cluster (only GETs), serves its findings over REST and GraphQL; a rescan keeps firstSeenAt and resolves what was fixed', async () => {
      const registered = await register(keyA, { name: 'live', kubeconfig: fake.kubeconfig({ auth: 'token', token: READER_TOKEN }) });
      const clusterId = registered.body['id'] as string;
      fake.clearRequests();
      const queued = await call('POST', `/api/v1/clusters/${clusterId}/scans`, { key: keyA });
      expect(queued).toMatchObject({ status: 202, body: { id: expect.any(String), status: 'queued' } });
      const first = await waitForScan(keyA, queued.body['id'] as string);
      expect(first).toMatchObject({ status: 'succeeded', trigger: 'manual', clusterId, target: 'live', provider: 'alibaba' });
      expect(first['documentCount']).toBeGreaterThan(10);
      expect(fake.requests.length).toBeGreaterThan(0);
      expect(fake.requests.filter((r) => r.method !== 'GET')).toEqual([]);

      const open = await call('GET', `/api/v1/clusters/${clusterId}/findings?limit=200`, { key: keyA });
      expect(open.status).toBe(200);
      const items = open.body['items'] as Json[];
      const rank = { critical: 0, warning: 1, info: 2 } as Record<string, number>;
      const ranks = items.map((f) => rank[f['severity'] as string] as number);
      expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
      const rules = new Set(items.map((f) => f['ruleId']));
      for (const rule of kubeScenarios.smallAlibabaTerway().expected.firingLiveRules) expect(rules).toContain(rule);
      expect(items.every((f) => f['status'] === 'open' && f['firstSeenAt'] === f['lastSeenAt'] && f['resolvedAt'] === undefined)).toBe(true);
      expect(items[0]).toMatchObject({
        message: expect.any(String),
        remediation: { summary: expect.any(String) },
        resource: { kind: expect.any(String) },
        lastScanId: first['id'],
      });
      const legacy = items.find((f) => f['ruleId'] === 'endpoints-not-ready' && (f['resource'] as Json)['namespace'] === 'legacy') as Json;
      expect(legacy).toBeDefined();

      // Paging.
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 100; page += 1) {
        const { body } = await call('GET', `/api/v1/clusters/${clusterId}/findings?limit=3${cursor ? `&cursor=${cursor}` : ''}`, { key: keyA });
        seen.push(...(body['items'] as Json[]).map((f) => f['id'] as string));
        cursor = body['nextCursor'] as string | undefined;
        if (!cursor) break;
      }
      expect(seen).toEqual(items.map((f) => f['id']));

      // The legacy app goes away; rescan.
      fake.setScenario(kubeScenarios.withoutNamespace(kubeScenarios.smallAlibabaTerway(), 'legacy'));
      await new Promise((resolve) => setTimeout(resolve, 20));
      const rescan = await graphql(keyA, 'mutation($id: ID!) { scanCluster(id: $id) { id status clusterId } }', { id: clusterId });
      const second = (rescan.body['data'] as Json)['scanCluster'] as Json;
      expect(second).toMatchObject({ status: 'queued', clusterId });
      await waitForScan(keyA, second['id'] as string);

      const after = await call('GET', `/api/v1/clusters/${clusterId}/findings?status=all&limit=200`, { key: keyA });
      const byId = new Map((after.body['items'] as Json[]).map((f) => [f['id'], f]));
      const fixed = byId.get(legacy['id']) as Json;
      expect(fixed).toMatchObject({ status: 'resolved', resolvedAt: expect.any(String), firstSeenAt: legacy['firstSeenAt'], lastScanId: first['id'] });
      const kept = items.filter((f) => (f['resource'] as Json)['namespace'] !== 'legacy');
      expect(kept.length).toBeGreaterThan(0);
      for (const before of kept) {
        const now = byId.get(before['id']) as Json;
        expect(now).toMatchObject({ status: 'open', firstSeenAt: before['firstSeenAt'], lastScanId: second['id'] });
        expect(Date.parse(now['lastSeenAt'] as string)).toBeGreaterThan(Date.parse(before['lastSeenAt'] as string));
      }
      const resolved = await call('GET', `/api/v1/clusters/${clusterId}/findings?status=resolved`, { key: keyA });
      expect((resolved.body['items'] as Json[]).every((f) => f['status'] === 'resolved' && (f['resource'] as Json)['namespace'] === 'legacy')).toBe(true);
      expect((await call('GET', `/api/v1/clusters/${clusterId}/findings`, { key: keyA })).body['totalCount']).toBe(kept.length);

      // GraphQL: the cluster with its findings and scans.
      const gql = await graphql(
        keyA,
        `
          query ($id: ID!) {
            cluster(id: $id) {
              id
              name
              kubernetesVersion
              findings(first: 200, status: all) {
                totalCount
                nodes {
                  ruleId
                  status
                  firstSeenAt
                  lastSeenAt
                  resolvedAt
                  resource {
                    namespace
                    name
                  }
                  message
                }
              }
              scans(first: 5) {
                totalCount
                nodes {
                  id
                  status
                  trigger
                }
              }
            }
          }
        `,
        { id: clusterId },
      );
      expect(gql.body['errors']).toBeUndefined();
      const cluster = (gql.body['data'] as Json)['cluster'] as Json;
      expect(cluster['kubernetesVersion']).toMatch(/^v1\.30/);
      expect((cluster['scans'] as Json)['totalCount']).toBe(2);
      const nodes = (cluster['findings'] as Json)['nodes'] as Json[];
      expect(nodes.length).toBe(byId.size);
      expect(nodes.filter((n) => n['status'] === 'resolved').every((n) => typeof n['resolvedAt'] === 'string')).toBe(true);
      const list = await graphql(keyA, '{ clusters { totalCount nodes { id name warnings } } }');
      expect(((list.body['data'] as Json)['clusters'] as Json)['nodes']).toEqual(
        expect.arrayContaining([expect.objectContaining({ id: clusterId, name: 'live' })]),
      );

      // Scans by cluster and trigger.
      const scans = await call('GET', `/api/v1/scans?clusterId=${clusterId}&trigger=manual`, { key: keyA });
      expect((scans.body['items'] as Json[]).map((s) => s['id'])).toEqual([second['id'], first['id']]);
      expect((await call('GET', `/api/v1/scans?clusterId=${clusterId}&trigger=upload`, { key: keyA })).body['items']).toEqual([]);
      expect((await call('GET', `/api/v1/clusters/${clusterId}/scans?limit=1`, { key: keyA })).body['nextCursor']).toEqual(expect.any(String));
      fake.setScenario(kubeScenarios.smallAlibabaTerway());
    }, 60_000);

    it('deletes a cluster with its scans', async () => {
      const registered = await register(keyA, { name: 'deleted', kubeconfig: fake.kubeconfig({ auth: 'token', token: READER_TOKEN }) });
      const id = registered.body['id'] as string;
      const queued = await call('POST', `/api/v1/clusters/${id}/scans`, { key: keyA });
      expect((await call('DELETE', `/api/v1/clusters/${id}`, { key: keyA })).status).toBe(204);
      expect((await call('GET', `/api/v1/clusters/${id}`, { key: keyA })).status).toBe(404);
      expect((await call('GET', `/api/v1/scans/${queued.body['id']}`, { key: keyA })).status).toBe(404);
    });
  });

  describe('tenancy and updates', () => {
    it("never shows one organization another's clusters (REST 404, GraphQL NOT_FOUND)", async () => {
      const registered = await register(keyA, { name: 'private', kubeconfig: fake.kubeconfig({ auth: 'token', token: READER_TOKEN }) });
      const id = registered.body['id'] as string;
      for (const [method, url] of [
        ['GET', `/api/v1/clusters/${id}`],
        ['PATCH', `/api/v1/clusters/${id}`],
        ['DELETE', `/api/v1/clusters/${id}`],
        ['POST', `/api/v1/clusters/${id}/scans`],
        ['GET', `/api/v1/clusters/${id}/findings`],
        ['GET', `/api/v1/clusters/${id}/scans`],
        ['GET', `/api/v1/scans?clusterId=${id}`],
      ] as const) {
        const response = await call(method, url, { key: keyB, ...(method === 'PATCH' ? { json: { name: 'stolen' } } : {}) });
        expect({ method, url, status: response.status, code: (response.body['error'] as Json | undefined)?.['code'] }).toEqual({
          method,
          url,
          status: 404,
          code: 'NOT_FOUND',
        });
      }
      expect((await call('GET', '/api/v1/clusters', { key: keyB })).body).toMatchObject({ items: [], totalCount: 0 });
      for (const query of [
        'query($id: ID!) { cluster(id: $id) { id } }',
        'mutation($id: ID!) { scanCluster(id: $id) { id } }',
        'mutation($id: ID!) { deleteCluster(id: $id) }',
        'mutation($id: ID!) { updateCluster(id: $id, name: "stolen") { id } }',
      ]) {
        const gql = await graphql(keyB, query, { id });
        expect((gql.body['errors'] as Json[])[0]?.['extensions']).toMatchObject({ code: 'NOT_FOUND' });
      }
      expect(((await graphql(keyB, '{ clusters { totalCount } }')).body['data'] as Json)['clusters']).toEqual({ totalCount: 0 });
      expect((await call('GET', `/api/v1/clusters/${id}`, { key: keyA })).body['name']).toBe('private');
    });

    it('updates name, provider and quota; a new kubeconfig is verified again', async () => {
      const registered = await register(keyA, { name: 'to-update', kubeconfig: fake.kubeconfig({ auth: 'token', token: READER_TOKEN }) });
      const id = registered.body['id'] as string;
      const patched = await call('PATCH', `/api/v1/clusters/${id}`, { key: keyA, json: { name: 'updated', provider: 'aws', slbAttachmentQuota: 80 } });
      expect(patched).toMatchObject({ status: 200, body: { name: 'updated', provider: 'aws', slbAttachmentQuota: 80 } });
      const cleared = await call('PATCH', `/api/v1/clusters/${id}`, { key: keyA, json: { provider: null, slbAttachmentQuota: null } });
      expect(cleared.body).toMatchObject({ slbAttachmentQuota: 50 });
      expect(cleared.body['provider']).toBeUndefined();
      const writer = await call('PATCH', `/api/v1/clusters/${id}`, {
        key: keyA,
        json: { kubeconfig: fake.kubeconfig({ auth: 'token', token: WRITER_TOKEN }) },
      });
      expect(writer).toMatchObject({ status: 422, body: { error: { code: 'KUBECONFIG_NOT_READ_ONLY' } } });
      const renewed = await call('PATCH', `/api/v1/clusters/${id}`, {
        key: keyA,
        json: { kubeconfig: fake.kubeconfig({ auth: 'token', token: NO_PODS_TOKEN }) },
      });
      expect(renewed).toMatchObject({ status: 200, body: { unlistableKinds: ['pods'] } });
      expect((await call('PATCH', `/api/v1/clusters/${id}`, { key: keyA, json: { name: 'prod' } })).status).toBe(409);
    });
  });
});
