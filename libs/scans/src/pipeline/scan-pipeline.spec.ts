// The scan pipeline's decisions, without Postgres or Redis: the repository and the
// notifications are in-memory stand-ins; the manifest source and the advisor are the real ones.
import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { ScanRepository, type DiffStates, type ScanOutcome, type StartedScan } from '#rollsafe/store';
import { BROKEN_YAML, UNSAFE_DEPLOYMENT, testConfig } from '#rollsafe/testing';
import { SCANS_CONFIG } from '../options.js';
import { ScanEngine } from '../scan-engine.js';
import { NotificationService } from '../webhooks/notification.service.js';
import { ClusterSource } from './cluster-source.js';
import { ManifestSource } from './manifest-source.js';
import { VerdictJudge } from './verdict-judge.js';
import { ScanPipeline } from './scan-pipeline.js';
import { ScanRetry, type SourcedSnapshot } from './scan-source.js';
import { encodeSnapshot } from './snapshot-codec.js';
import { parseManifests } from '#rollsafe/manifests';

const WITH_SKIPPED = `${UNSAFE_DEPLOYMENT}\n---\njust a string\n`;

/** The repository calls the pipeline makes, kept in memory. */
class InMemoryScans {
  started: StartedScan | undefined;
  completed: Array<{ id: string; outcome: ScanOutcome; diff: DiffStates }> = [];
  failed: Array<{ id: string; message: string }> = [];

  startAttempt(id: string): Promise<StartedScan | undefined> {
    const started = this.started && this.started.scan.id === id ? this.started : undefined;
    this.started = undefined;
    return Promise.resolve(started);
  }

  complete(id: string, outcome: ScanOutcome, _now: Date, diff: DiffStates): Promise<boolean> {
    this.completed.push({ id, outcome, diff });
    return Promise.resolve(true);
  }

  fail(id: string, message: string): Promise<boolean> {
    this.failed.push({ id, message });
    return Promise.resolve(true);
  }
}

class RecordedNotifications {
  afterScans: string[] = [];
  afterScan(scanId: string): Promise<number> {
    this.afterScans.push(scanId);
    return Promise.resolve(0);
  }
}

class CannedClusterSource {
  next: (() => Promise<SourcedSnapshot>) | undefined;
  collect(): Promise<SourcedSnapshot> {
    if (!this.next) throw new Error('no cluster answer set');
    return this.next();
  }
}

function scanRow(id: string, overrides: Partial<StartedScan['scan']> = {}): StartedScan['scan'] {
  return { id, organizationId: 'org', provider: null, documentCount: 2, ...overrides };
}

describe('ScanPipeline (use case, in memory)', () => {
  let pipeline: ScanPipeline;
  let scans: InMemoryScans;
  let notifications: RecordedNotifications;
  let clusterSource: CannedClusterSource;

  async function build(engine: Pick<ScanEngine, 'run'> = new ScanEngine()): Promise<void> {
    scans = new InMemoryScans();
    notifications = new RecordedNotifications();
    clusterSource = new CannedClusterSource();
    const moduleRef = await Test.createTestingModule({
      providers: [
        ScanPipeline,
        ManifestSource,
        VerdictJudge,
        { provide: ScanEngine, useValue: engine },
        { provide: ClusterSource, useValue: clusterSource },
        { provide: ScanRepository, useValue: scans },
        { provide: NotificationService, useValue: notifications },
        { provide: SCANS_CONFIG, useValue: testConfig() },
      ],
    }).compile();
    pipeline = moduleRef.get(ScanPipeline);
  }

  beforeEach(() => build());

  it('runs the advisor on the snapshot kept at upload, writes once with the pure diff, then notifies', async () => {
    const parsed = parseManifests([{ name: 'a.yaml', text: WITH_SKIPPED }]);
    scans.started = {
      scan: scanRow('s1'),
      loadFiles: () => Promise.resolve([{ name: 'a.yaml', text: BROKEN_YAML }]),
      snapshot: encodeSnapshot(parsed.snapshot),
      suppressions: [],
    };
    expect(await pipeline.run('s1')).toBe('succeeded');
    const [written] = scans.completed;
    expect(written?.outcome.findings.map((f) => f.ruleId)).toContain('readiness-probe-missing');
    expect(written?.outcome.warnings).toEqual([
      { message: 'document is not a mapping: skipped', location: { file: 'a.yaml', line: WITH_SKIPPED.split('\n').indexOf('just a string') + 1 } },
    ]);
    expect(written?.outcome.documentCount).toBe(2);
    expect(written?.diff([{ fingerprint: 'gone', status: 'open', lastScanId: 's0' }], ['new'])).toEqual({
      opened: ['new'],
      reopened: [],
      stillOpen: [],
      resolved: [{ fingerprint: 'gone', lastScanId: 's0' }],
    });
    expect(notifications.afterScans).toEqual(['s1']);
  });

  it('parses the files of an older row that kept no snapshot, and fails the scan on a parse error', async () => {
    scans.started = { scan: scanRow('s2'), loadFiles: () => Promise.resolve([{ name: 'b.yaml', text: BROKEN_YAML }]), suppressions: [] };
    expect(await pipeline.run('s2')).toBe('failed');
    expect(scans.failed).toEqual([{ id: 's2', message: expect.stringMatching(/^manifests could not be parsed: b\.yaml:\d+: /) }]);
    expect(scans.completed).toEqual([]);
  });

  it('skips a finished scan but still queues its notifications (a run that died after writing)', async () => {
    expect(await pipeline.run('done')).toBe('skipped');
    expect(notifications.afterScans).toEqual(['done']);
    expect(scans.completed).toEqual([]);
  });

  it('records an advisor failure once, without a retry', async () => {
    await build({ run: () => Promise.reject(new Error('advisor exploded')) });
    const parsed = parseManifests([{ name: 'a.yaml', text: UNSAFE_DEPLOYMENT }]);
    scans.started = {
      scan: scanRow('s3'),
      loadFiles: () => Promise.resolve([]),
      snapshot: encodeSnapshot(parsed.snapshot),
      suppressions: [{ ruleId: '', namespace: null, kind: null, name: null }],
    };
    expect(await pipeline.run('s3')).toBe('failed');
    expect(scans.failed).toEqual([{ id: 's3', message: 'advisor exploded' }]);
  });

  it("hands a cluster source's retry to the queue, and fails a job whose cluster is not the scan's", async () => {
    clusterSource.next = () => Promise.reject(new ScanRetry('CLUSTER_UNREACHABLE: connect ECONNREFUSED'));
    scans.started = { scan: scanRow('s4'), clusterId: 'c1', loadFiles: () => Promise.resolve([]), suppressions: [] };
    await expect(pipeline.run('s4', { attempt: 1, maxAttempts: 3 }, 'c1')).rejects.toBeInstanceOf(ScanRetry);
    scans.started = { scan: scanRow('s5'), clusterId: 'c1', loadFiles: () => Promise.resolve([]), suppressions: [] };
    expect(await pipeline.run('s5', { attempt: 1, maxAttempts: 3 }, 'c2')).toBe('failed');
    expect(scans.failed).toEqual([{ id: 's5', message: 'the cluster of this scan is not registered any more' }]);
  });

  it("records the provider a cluster's nodes showed, and runs the cluster's follow-up after the write", async () => {
    const parsed = parseManifests([{ name: 'live', text: UNSAFE_DEPLOYMENT }]);
    const followUps: string[] = [];
    clusterSource.next = () =>
      Promise.resolve({
        snapshot: { ...parsed.snapshot, facts: { source: 'cluster', detectedProvider: 'alibaba' } },
        documentCount: 9,
        warnings: [{ message: 'the credentials cannot list pods: rules that read them were not evaluated' }],
        settings: { provider: null, slbAttachmentQuota: 40 },
        recordsProvider: true,
        drawTimelines: true,
        afterComplete: () => {
          followUps.push(`after ${scans.completed.length} write(s)`);
          return Promise.resolve();
        },
      });
    scans.started = { scan: scanRow('s6'), clusterId: 'c1', loadFiles: () => Promise.resolve([]), suppressions: [] };
    expect(await pipeline.run('s6', { attempt: 1, maxAttempts: 3 }, 'c1')).toBe('succeeded');
    expect(scans.completed[0]?.outcome).toMatchObject({ provider: 'alibaba', documentCount: 9 });
    expect(scans.completed[0]?.outcome.warnings[0]).toEqual({ message: 'the credentials cannot list pods: rules that read them were not evaluated' });
    expect(followUps).toEqual(['after 1 write(s)']);
  });
});
