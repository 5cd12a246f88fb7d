// The cluster use cases against the real Postgres and Redis and the fake kube-apiserver,
// calling the worker-side runner directly: retries on an unreachable server and records the
// reason on the last attempt, re-runs write once, rotated keys still open credentials (and
// the scan re-seals them under the current key), a missing key fails the scan cleanly.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Test } from '@nestjs/testing';
import { BullModule } from '@nestjs/bullmq';
import type { INestApplicationContext } from '@nestjs/common';
import { PrismaService, StoreModule } from '#rollsafe/store';
import { FakeKubeApiServer, kubeScenarios, createTestDatabase, testConfig, createTestRedis, type TestDatabase, type TestRedis } from '#rollsafe/testing';
import { ScansModule } from '../scans.module.js';
import type { ScansConfig } from '../options.js';
import { OrganizationService } from '../organization.service.js';
import { ScanQueryService } from '../scan-query.service.js';
import { ClusterService } from './cluster.service.js';
import { ScanPipeline } from '../pipeline/scan-pipeline.js';
import { ScanRetry } from '../pipeline/scan-source.js';
import { encryptionKeyId } from './credential-cipher.js';

describe('cluster scans', () => {
  let db: TestDatabase;
  let redis: TestRedis;
  let fake: FakeKubeApiServer;
  const contexts: INestApplicationContext[] = [];
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);

  async function context(options: Partial<ScansConfig>): Promise<INestApplicationContext> {
    const moduleRef = await Test.createTestingModule({
      imports: [
        StoreModule.forRoot({ databaseUrl: db.url, poolSize: 4 }),
        BullModule.forRoot({ connection: { url: redis.url, maxRetriesPerRequest: null }, prefix: redis.prefix }),
        // Retries of an unreachable API server wait 1 ms, not 250 ms doubling: the test waits for the attempts, not for time.
        ScansModule.forRoot({ ...testConfig({ outboundAllow: ['loopback'] }), kubeRetryBaseDelayMs: 1, ...options }),
      ],
    }).compile();
    const app = await moduleRef.init();
    contexts.push(app);
    return app;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = createTestRedis();
    fake = await FakeKubeApiServer.start({ scenario: kubeScenarios.smallAlibabaTerway() });
  }, 60_000);

  afterAll(async () => {
    for (const app of contexts) await app.close();
    await fake?.stop();
    await db?.drop();
    await redis?.cleanup();
  });

  it('opens credentials sealed under a rotated-out key, re-seals them, and writes a scan once', async () => {
    const before = await context({ encryptionKey: oldKey });
    const org = await before.get(OrganizationService).create('acme');
    const cluster = await before.get(ClusterService).register(org.id, { name: 'prod', kubeconfig: fake.kubeconfig({ auth: 'token' }) });
    const prisma = before.get(PrismaService).client;
    expect((await prisma.cluster.findUniqueOrThrow({ where: { id: cluster.id } })).credentialsKeyId).toBe(encryptionKeyId(oldKey));

    const after = await context({ encryptionKey: newKey, oldEncryptionKeys: [oldKey] });
    const scan = await after.get(ClusterService).requestScan(org.id, cluster.id);
    const runner = after.get(ScanPipeline);
    expect(await runner.run(scan.id, { attempt: 1, maxAttempts: 1 }, cluster.id)).toBe('succeeded');
    expect(await runner.run(scan.id, { attempt: 1, maxAttempts: 1 }, cluster.id)).toBe('skipped');
    expect((await prisma.cluster.findUniqueOrThrow({ where: { id: cluster.id } })).credentialsKeyId).toBe(encryptionKeyId(newKey));
    const done = await after.get(ScanQueryService).get(org.id, scan.id);
    expect(done).toMatchObject({ status: 'succeeded', clusterId: cluster.id, provider: 'alibaba' });
    const findings = await after.get(ClusterService).findings(org.id, cluster.id, { limit: 200 });
    expect(findings.items.length).toBe(done.summary.critical + done.summary.warning + done.summary.info);

    // Without the key that sealed them, a scan fails with a reason and no secret.
    const lost = await context({ encryptionKey: oldKey });
    const orphan = await lost.get(ClusterService).requestScan(org.id, cluster.id);
    expect(await lost.get(ScanPipeline).run(orphan.id, { attempt: 1, maxAttempts: 1 }, cluster.id)).toBe('failed');
    const failed = await lost.get(ScanQueryService).get(org.id, orphan.id);
    expect(failed.error).toMatch(/not configured/);
  }, 30_000);

  it('retries an unreachable cluster, then records CLUSTER_UNREACHABLE with the reason', async () => {
    const app = await context({ encryptionKey: newKey });
    const org = await app.get(OrganizationService).create('flaky');
    const gone = await FakeKubeApiServer.start({ scenario: kubeScenarios.smallAlibabaTerway() });
    const cluster = await app.get(ClusterService).register(org.id, { name: 'gone', kubeconfig: gone.kubeconfig({ auth: 'token' }) });
    await gone.stop();
    const scan = await app.get(ClusterService).requestScan(org.id, cluster.id);
    const runner = app.get(ScanPipeline);
    await expect(runner.run(scan.id, { attempt: 1, maxAttempts: 3 }, cluster.id)).rejects.toBeInstanceOf(ScanRetry);
    expect((await app.get(ScanQueryService).get(org.id, scan.id)).status).toBe('running');
    expect(await runner.run(scan.id, { attempt: 3, maxAttempts: 3 }, cluster.id)).toBe('failed');
    const failed = await app.get(ScanQueryService).get(org.id, scan.id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 2 });
    expect(failed.error).toMatch(/^CLUSTER_UNREACHABLE: .*(ECONNREFUSED|refused)/i);
    expect(failed.error).not.toContain('reader-token');
  }, 30_000);

  it('refuses a scan job whose cluster does not match the scan', async () => {
    const app = await context({ encryptionKey: newKey });
    const org = await app.get(OrganizationService).create('mismatch');
    const one = await app.get(ClusterService).register(org.id, { name: 'one', kubeconfig: fake.kubeconfig({ auth: 'token' }) });
    const two = await app.get(ClusterService).register(org.id, { name: 'two', kubeconfig: fake.kubeconfig({ auth: 'token' }) });
    const scan = await app.get(ClusterService).requestScan(org.id, one.id);
    expect(await app.get(ScanPipeline).run(scan.id, { attempt: 1, maxAttempts: 1 }, two.id)).toBe('failed');
  }, 30_000);
});
