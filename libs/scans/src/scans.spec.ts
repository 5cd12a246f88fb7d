// The scan use cases against the real Postgres and Redis (a database and key prefix of
// their own): request -> run -> findings, idempotent reruns, finding states across scans.
import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { BullModule } from '@nestjs/bullmq';
import type { INestApplicationContext } from '@nestjs/common';
import { FindingRepository, PrismaService, ScanRepository, StoreModule } from '#rollsafe/store';
import { createTestDatabase, createTestRedis, testConfig, UNSAFE_DEPLOYMENT, BROKEN_YAML, type TestDatabase, type TestRedis } from '#rollsafe/testing';
import { DomainError } from './errors.js';
import { ScansModule } from './scans.module.js';
import { OrganizationService } from './organization.service.js';
import { ScanRequestService } from './scan-request.service.js';
import { ScanQueryService } from './scan-query.service.js';
import { ScanPipeline } from './pipeline/scan-pipeline.js';
import { VerdictsService } from './verdicts.service.js';
import { diffFindings } from './pipeline/finding-diff.js';

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
        ScansModule.forRoot(testConfig()),
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
    const runner = app.get(ScanPipeline);
    expect(await runner.run(scan.id)).toBe('succeeded');
    expect(await runner.run(scan.id)).toBe('skipped');
    const done = await app.get(ScanQueryService).get(orgId, scan.id);
    expect(done.status).toBe('succeeded');
    expect(done.summary.critical).toBeGreaterThan(0);
    const findings = await app.get(ScanQueryService).findings(orgId, scan.id, {});
    expect(findings.items.length).toBe(done.summary.critical + done.summary.warning + done.summary.info);
    expect(findings.items.map((f) => f.ruleId)).toContain('readiness-probe-missing');
    // Each finding carries the patch to apply, or why a human must decide: never both, never neither.
    for (const finding of findings.items) {
      expect(finding.remediation.patch === undefined).toBe(finding.remediation.needsDecision !== undefined);
    }
    const patched = findings.items.find((f) => f.remediation.patch !== undefined);
    expect(patched?.remediation).toMatchObject({ target: { kind: 'Deployment', name: patched?.resource.name }, patch: expect.any(Object) });
  });

  it('opens finding states, keeps firstSeenAt, resolves what a later scan no longer reports', async () => {
    const request = app.get(ScanRequestService);
    const runner = app.get(ScanPipeline);
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

  it('keeps a finding state on the severity, rule and resource of the latest scan (it used to keep the first)', async () => {
    const prisma = app.get(PrismaService).client;
    const scans = app.get(ScanRepository);
    const organizationId = orgId;
    async function scanReporting(severity: 'critical' | 'info'): Promise<string> {
      const scan = await scans.createQueued({
        organizationId,
        target: { kind: 'manifests', name: 'severity-band' },
        trigger: 'upload',
        files: [{ name: 'a.yaml', text: 'kind: List' }],
        sizeBytes: 10,
        documentCount: 1,
      });
      await scans.startAttempt(scan.id, new Date());
      const finding = {
        ruleId: 'termination-grace-too-short',
        severity,
        kind: 'Deployment',
        namespace: 'shop',
        name: 'web',
        message: `grace is ${severity}`,
        evidence: {},
        remediation: { summary: 's', yaml: 'y' },
        docs: 'd',
        fingerprint: 'grace-web',
      };
      await scans.complete(scan.id, { findings: [finding], suppressed: 0, notEvaluated: [], warnings: [], documentCount: 1 }, new Date(), diffFindings);
      return scan.id;
    }
    await scanReporting('critical');
    await scanReporting('info');
    const target = await prisma.target.findFirstOrThrow({ where: { organizationId, name: 'severity-band' } });
    const states = app.get(FindingRepository);
    const page = await states.listStates(organizationId, target.id, { limit: 10 });
    expect(page.items.map(({ state, finding }) => [state.severity, finding?.message])).toEqual([['info', 'grace is info']]);
    expect(await states.countStates(organizationId, target.id, { severity: 'critical' })).toBe(0);
    expect(await states.countStates(organizationId, target.id, { severity: 'info' })).toBe(1);
  });

  it('stores the skipped-document warnings once, with file and line, and serves them', async () => {
    const text = `${UNSAFE_DEPLOYMENT}\n---\njust a string\n---\napiVersion: v1\nmetadata: { name: nameless }\n`;
    const scan = await app.get(ScanRequestService).request({ organizationId: orgId, files: [{ name: 'mixed.yaml', text }], trigger: 'upload' });
    await app.get(ScanPipeline).run(scan.id);
    const row = await app.get(PrismaService).client.scan.findUniqueOrThrow({ where: { id: scan.id } });
    expect(row.warnings).toHaveLength(2);
    const view = await app.get(ScanQueryService).get(orgId, scan.id);
    expect(view.warnings).toEqual([
      { message: 'document is not a mapping: skipped', location: { file: 'mixed.yaml', line: expect.any(Number) } },
      { message: 'document has no kind: skipped', location: { file: 'mixed.yaml', line: expect.any(Number) } },
    ]);
  });

  it('parses an upload once: the worker runs on the snapshot the API kept, not on the files again', async () => {
    const scan = await app.get(ScanRequestService).request({ organizationId: orgId, files: [{ name: 'a.yaml', text: UNSAFE_DEPLOYMENT }], trigger: 'upload' });
    const prisma = app.get(PrismaService).client;
    const input = await prisma.scanInput.findUniqueOrThrow({ where: { scanId: scan.id } });
    expect(input.snapshot).toEqual(expect.any(String));
    // Were the worker to parse the files again, this would fail the scan.
    await prisma.scanInput.update({ where: { scanId: scan.id }, data: { files: [{ name: 'a.yaml', text: BROKEN_YAML }] } });
    expect(await app.get(ScanPipeline).run(scan.id)).toBe('succeeded');
    const done = await app.get(ScanQueryService).get(orgId, scan.id);
    expect(done.summary.critical).toBeGreaterThan(0);
  });

  it('stores a verdict per load-balanced Service, draws its timeline from the kept snapshot, and tells which Services stopped dropping', async () => {
    const request = app.get(ScanRequestService);
    const pipeline = app.get(ScanPipeline);
    const verdicts = app.get(VerdictsService);
    const first = await request.request({ organizationId: orgId, files: [{ name: 'a.yaml', text: UNSAFE_DEPLOYMENT }], target: 'verdicts', trigger: 'upload' });
    await pipeline.run(first.id);
    const judged = await app.get(ScanQueryService).get(orgId, first.id);
    expect(judged.verdictSummary).toEqual({ services: 1, drops: 1, safe: 0, unknown: 0, headline: '1 of 1 Service drop traffic on rollout' });
    expect(judged.verdictChanges?.startedDropping.map((c) => c.name)).toEqual(['web']);
    const page = await verdicts.forScan(orgId, first.id, {});
    const [web] = page.items;
    expect(web).toMatchObject({ service: { namespace: 'shop', name: 'web' }, workload: { kind: 'Deployment', name: 'web' }, verdict: 'drops' });
    expect(web?.droppedTrafficSeconds).toBeGreaterThan(0);
    expect(web?.windows.length).toBeGreaterThan(0);
    expect(web?.ruleIds).toContain('readiness-probe-missing');
    expect(web?.fixes.length).toBeGreaterThan(0);
    expect(web?.afterFixes?.verdict).toBe('safe');
    expect(web?.timelineUrl).toBe(`/api/v1/scans/${first.id}/services/shop/web/timeline.svg`);
    expect(await verdicts.timeline(orgId, first.id, 'shop', 'web')).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    expect((await verdicts.forScan(orgId, first.id, { verdict: 'safe' })).items).toEqual([]);
    await expect(verdicts.forScan(orgId, first.id, { verdict: 'maybe' })).rejects.toMatchObject({ code: 'BAD_INPUT', details: { field: 'verdict' } });

    const second = await request.request({ organizationId: orgId, files: [{ name: 'a.yaml', text: SAFE_DEPLOYMENT }], target: 'verdicts', trigger: 'upload' });
    await pipeline.run(second.id);
    const after = await app.get(ScanQueryService).get(orgId, second.id);
    expect(after.verdictChanges).toEqual({
      startedDropping: [],
      stoppedDropping: [expect.objectContaining({ name: 'web', verdict: expect.not.stringMatching(/^drops$/) })],
    });
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
