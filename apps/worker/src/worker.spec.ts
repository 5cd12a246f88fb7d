// The worker against the real Postgres and Redis: it runs queued scans, a scan whose worker
// dies mid-run reruns on another worker and is written once, SIGTERM-style close finishes
// the job in flight, and a worker missing a handler refuses to start.
import 'reflect-metadata';
import { Injectable, type INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Worker } from 'bullmq';
import { PrismaService } from '#rollsafe/store';
import { randomBytes } from 'node:crypto';
import { assertHandlesAll, ClusterService, OrganizationService, QUEUES, ScanEngine, ScanRequestService, type EngineOptions } from '#rollsafe/scans';
import { FakeKubeApiServer, kubeScenarios, testConfig, UNSAFE_DEPLOYMENT, until } from '#rollsafe/testing';
import type { AdvisorResult, Snapshot } from '#rollsafe/advisor';
import { WorkerModule } from './worker.module.js';
import { ScansProcessor } from './scans.processor.js';
import { WorkerHarness } from '../test/worker-harness.js';

/** An engine that stops mid-scan until the test lets it go on. */
@Injectable()
class HeldEngine extends ScanEngine {
  started!: Promise<void>;
  private markStarted!: () => void;
  private gate!: Promise<void>;
  release!: () => void;

  constructor() {
    super();
    this.started = new Promise((resolve) => (this.markStarted = resolve));
    this.gate = new Promise((resolve) => (this.release = resolve));
  }

  override async run(snapshot: Snapshot, options: EngineOptions): Promise<AdvisorResult> {
    this.markStarted();
    await this.gate;
    return super.run(snapshot, options);
  }
}

describe('worker', () => {
  const workers = new WorkerHarness();
  const heldEngines: HeldEngine[] = [];

  beforeAll(async () => {
    await workers.setUp();
  });

  afterAll(async () => {
    for (const engine of heldEngines) engine.release();
    await workers.tearDown();
  });

  async function startWorker(engine?: ScanEngine, clusters: { encryptionKey?: Buffer; outboundAllow?: string[] } = {}): Promise<INestApplicationContext> {
    return workers.start({ workerConcurrency: 1, workerLockDurationMs: 1000, workerStalledIntervalMs: 500, ...clusters }, (builder) =>
      engine ? builder.overrideProvider(ScanEngine).useValue(engine) : builder,
    );
  }

  async function scanRow(context: INestApplicationContext, id: string) {
    return context.get(PrismaService).client.scan.findUniqueOrThrow({ where: { id } });
  }

  async function queueScan(context: INestApplicationContext): Promise<string> {
    const org = await context.get(OrganizationService).create('acme');
    const scan = await context
      .get(ScanRequestService)
      .request({ organizationId: org.id, files: [{ name: 'upload', text: UNSAFE_DEPLOYMENT }], trigger: 'upload' });
    return scan.id;
  }

  function workerOf(context: INestApplicationContext): Worker {
    const processor = context.get(ScansProcessor);
    return processor.worker;
  }

  it('runs a queued scan to success', async () => {
    const context = await startWorker();
    const id = await queueScan(context);
    const scan = await until(
      'the scan to succeed',
      async () => {
        const row = await scanRow(context, id);
        return row.status === 'succeeded' ? row : undefined;
      },
      15_000,
    );
    expect(scan.critical).toBeGreaterThan(0);
    await context.close();
  });

  it("records a scan's failure message (and does not retry what cannot succeed)", async () => {
    @Injectable()
    class FailingEngine extends ScanEngine {
      override run(): Promise<AdvisorResult> {
        return Promise.reject(new Error('advisor exploded on purpose'));
      }
    }
    const context = await startWorker(new FailingEngine());
    const id = await queueScan(context);
    const scan = await until(
      'the scan to fail',
      async () => {
        const row = await scanRow(context, id);
        return row.status === 'failed' ? row : undefined;
      },
      15_000,
    );
    expect(scan.error).toContain('advisor exploded on purpose');
    expect(scan.attempts).toBe(1);
    expect(scan.finishedAt).not.toBeNull();
    await context.close();
  });

  it('reruns a scan whose worker died mid-run, and writes its result once', async () => {
    const held = new HeldEngine();
    heldEngines.push(held);
    const doomed = await startWorker(held);
    const id = await queueScan(doomed);
    await held.started;
    expect((await scanRow(doomed, id)).status).toBe('running');
    // The worker "dies": it stops renewing the job's lock and never reports back.
    await workerOf(doomed).close(true);

    const survivor = await startWorker();
    const done = await until(
      'the rerun to succeed',
      async () => {
        const row = await scanRow(survivor, id);
        return row.status === 'succeeded' ? row : undefined;
      },
      15_000,
    );
    expect(done.attempts).toBe(2);
    const written = await survivor.get(PrismaService).client.finding.count({ where: { scanId: id } });
    expect(written).toBe(done.critical + done.warning + done.info);

    // The dead worker's run, if it ever finished, would not write a second result.
    held.release();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await survivor.get(PrismaService).client.finding.count({ where: { scanId: id } })).toBe(written);
    await survivor.close();
  }, 30_000);

  it('finishes the job in flight when closed (SIGTERM), then stops', async () => {
    const held = new HeldEngine();
    heldEngines.push(held);
    const context = await startWorker(held);
    const id = await queueScan(context);
    await held.started;
    const closing = context.close();
    setTimeout(() => held.release(), 200);
    await closing;
    const prisma = new PrismaService({ databaseUrl: workers.db.url, poolSize: 2 });
    try {
      expect((await prisma.client.scan.findUniqueOrThrow({ where: { id } })).status).toBe('succeeded');
    } finally {
      await prisma.onModuleDestroy();
    }
  });

  it('runs a cluster scan job against the API server with GETs only', async () => {
    const fake = await FakeKubeApiServer.start({ scenario: kubeScenarios.quotaHeavy() });
    try {
      const context = await startWorker(undefined, { encryptionKey: randomBytes(32), outboundAllow: ['loopback'] });
      const org = await context.get(OrganizationService).create('live');
      const cluster = await context.get(ClusterService).register(org.id, { name: 'quota', kubeconfig: fake.kubeconfig({ auth: 'token' }) });
      fake.clearRequests();
      const scan = await context.get(ClusterService).requestScan(org.id, cluster.id);
      const done = await until(
        'the cluster scan to succeed',
        async () => {
          const row = await scanRow(context, scan.id);
          return row.status === 'succeeded' || row.status === 'failed' ? row : undefined;
        },
        15_000,
      );
      expect(done).toMatchObject({ status: 'succeeded', provider: 'alibaba', error: null });
      expect(fake.requests.length).toBeGreaterThan(0);
      expect(fake.requests.filter((r) => r.method !== 'GET')).toEqual([]);
      const findings = await context.get(ClusterService).findings(org.id, cluster.id, { ruleId: 'slb-quota-per-node', status: 'all' });
      expect(findings.items.length).toBeGreaterThan(0);
      expect(findings.items.map((f) => f.severity)).toContain('critical');
      await context.close();
    } finally {
      await fake.stop();
    }
  }, 30_000);

  it('refuses to start without a handler for every job of its queue', () => {
    expect(() => assertHandlesAll(QUEUES.scans, {})).toThrow(/cannot handle job\(s\) scan.run, cluster.scan/);
    expect(() => assertHandlesAll(QUEUES.scans, { 'scan.run': () => Promise.resolve() })).toThrow(/cluster.scan/);
    expect(() => assertHandlesAll(QUEUES.scans, { 'scan.run': () => Promise.resolve(), 'cluster.scan': () => Promise.resolve() })).not.toThrow();
  });

  it('does not boot a processor whose handler map misses a job', async () => {
    @Injectable()
    class IncompleteProcessor extends ScansProcessor {
      protected override handlers() {
        return {} as ReturnType<ScansProcessor['handlers']>;
      }
    }
    const moduleRef = Test.createTestingModule({
      imports: [
        WorkerModule.forRoot(
          testConfig({ databaseUrl: workers.db.url, redisUrl: workers.redis.url, queuePrefix: `${workers.redis.prefix}-x`, workerConcurrency: 1 }),
        ),
      ],
    })
      .overrideProvider(ScansProcessor)
      .useClass(IncompleteProcessor);
    const compiled = await moduleRef.compile().catch((error: unknown) => error);
    if (compiled instanceof Error) {
      expect(compiled.message).toMatch(/refusing to start/);
      return;
    }
    const app = compiled as Awaited<ReturnType<typeof moduleRef.compile>>;
    await expect(app.init()).rejects.toThrow(/refusing to start/);
    await app.close().catch(() => undefined);
  });
});
