// The scan use cases against the real Postgres and Redis (a database and key prefix of
// their own): request -> run -> findings, idempotent reruns, finding states across scans.
import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { BullModule } from '@nestjs/bullmq';
import type { INestApplicationContext } from '@nestjs/common';
import { FindingRepository, PrismaService, StoreModule } from '#rollsafe/store';
import { createTestDatabase, createTestRedis, UNSAFE_DEPLOYMENT, BROKEN_YAML, type TestDatabase, type TestRedis } from '#rollsafe/testing';
import { DomainError } from './errors.js';
import { ScansModule } from './scans.module.js';
import { OrganizationService } from './organization.service.js';
import { ScanRequestService } from './scan-request.service.js';
import { ScanQueryService } from './scan-query.service.js';
import { ScanRunner } from './scan-runner.service.js';

const SAFE_DEPLOYMENT = UNSAFE_DEPLOYMENT.replace(
  '          ports:\n            - containerPort: 8080\n',
  `          ports:
            - containerPort: 8080
          readinessProbe:
            httpGet: { path: /ready, port: 8080 }
          lifecycle:
            preStop:
              sleep: { seconds: 20 }
`,
);

describe('scan use cases', () => {
  let db: TestDatabase;
  let redis: TestRedis;
  let app: INestApplicationContext;
  let orgId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = createTestRedis();
    const moduleRef = await Test.createTestingModule({
      imports: [
        StoreModule.forRoot({ databaseUrl: db.url, poolSize: 4 }),
        BullModule.forRoot({ connection: { url: redis.url, maxRetriesPerRequest: null }, prefix: redis.prefix }),
        ScansModule.forRoot(),
      ],
    }).compile();
    app = await moduleRef.init();
    orgId = (await app.get(OrganizationService).create('acme')).id;
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
    await redis?.cleanup();
  });

  it('queues a scan, runs it once, and a rerun writes nothing twice', async () => {
    const scan = await app.get(ScanRequestService).request({ organizationId: orgId, files: [{ name: 'upload', text: UNSAFE_DEPLOYMENT }], trigger: 'upload' });
    expect(scan.status).toBe('queued');
    const runner = app.get(ScanRunner);
    expect(await runner.run(scan.id)).toBe('succeeded');
    expect(await runner.run(scan.id)).toBe('skipped');
    const done = await app.get(ScanQueryService).get(orgId, scan.id);
    expect(done.status).toBe('succeeded');
    expect(done.summary.critical).toBeGreaterThan(0);
    const findings = await app.get(ScanQueryService).findings(orgId, scan.id, {});
    expect(findings.items.length).toBe(done.summary.critical + done.summary.warning + done.summary.info);
    expect(findings.items.map((f) => f.ruleId)).toContain('readiness-probe-missing');
  });

  it('opens finding states, keeps firstSeenAt, resolves what a later scan no longer reports', async () => {
    const request = app.get(ScanRequestService);
    const runner = app.get(ScanRunner);
    const first = await request.request({ organizationId: orgId, files: [{ name: 'a.yaml', text: UNSAFE_DEPLOYMENT }], target: 'states', trigger: 'upload' });
    await runner.run(first.id);
    const second = await request.request({ organizationId: orgId, files: [{ name: 'a.yaml', text: SAFE_DEPLOYMENT }], target: 'states', trigger: 'upload' });
    await runner.run(second.id);
    const prisma = app.get(PrismaService).client;
    const target = await prisma.target.findFirstOrThrow({ where: { organizationId: orgId, name: 'states' } });
    const states = await app.get(FindingRepository).statesForTarget(orgId, target.id);
    const readiness = await prisma.findingState.findFirstOrThrow({ where: { targetId: target.id, ruleId: 'readiness-probe-missing' } });
    expect(readiness.status).toBe('resolved');
    expect(readiness.resolvedAt).not.toBeNull();
    expect(states.some((state) => state.status === 'open' || state.status === 'resolved')).toBe(true);
  });

  it('refuses broken YAML before queueing, naming the line', async () => {
    const attempt = app.get(ScanRequestService).request({ organizationId: orgId, files: [{ name: 'upload', text: BROKEN_YAML }], trigger: 'upload' });
    await expect(attempt).rejects.toBeInstanceOf(DomainError);
    await expect(attempt).rejects.toMatchObject({ code: 'INVALID_MANIFESTS' });
    const error = (await attempt.catch((e: unknown) => e)) as DomainError;
    expect(JSON.stringify(error.details)).toMatch(/"line":\d+/);
  });

  it('does not show another organization its scans', async () => {
    const other = await app.get(OrganizationService).create('other');
    const scan = await app.get(ScanRequestService).request({ organizationId: orgId, files: [{ name: 'upload', text: UNSAFE_DEPLOYMENT }], trigger: 'upload' });
    await expect(app.get(ScanQueryService).get(other.id, scan.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await app.get(ScanQueryService).list(other.id, {})).items).toHaveLength(0);
  });
});
