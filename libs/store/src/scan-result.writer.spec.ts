// A scan's result written by binary COPY against the real Postgres: every field reads back as
// given (any UTF-8, characters COPY's text format would escape, absent optional fields as NULL,
// more rows than one slice of COPY data), and a row Postgres refuses fails the whole write.
import 'reflect-metadata';
import type { TestDatabase } from '#rollsafe/testing';
import { PrismaService } from './prisma.service.js';
import { ScanRepository, type DiffStates, type FindingRow, type ScanOutcome, type VerdictRow } from './scan.repository.js';
import { createStoreFixture, dropStoreFixture } from '../test/store-fixture.js';

const openEverything: DiffStates = (_prior, reported) => ({ opened: reported, reopened: [], resolved: [] });

/** libs/scans' diff, as the pipeline passes it (the store cannot import it). */
const diffStates: DiffStates = (prior, reported) => {
  const before = new Map(prior.map((state) => [state.fingerprint, state]));
  const seen = new Set(reported);
  return {
    opened: reported.filter((fingerprint) => !before.has(fingerprint)),
    reopened: reported.filter((fingerprint) => before.get(fingerprint)?.status === 'resolved'),
    resolved: prior
      .filter((state) => state.status === 'open' && !seen.has(state.fingerprint))
      .map(({ fingerprint, lastScanId }) => ({ fingerprint, lastScanId })),
  };
};

const awkward = 'ünïcødé ✓ 🚀 "quoted" \\ back\tslash\nnew line\r';

function finding(index: number, overrides: Partial<FindingRow> = {}): FindingRow {
  return {
    ruleId: 'prestop-hook-missing',
    severity: index % 3 === 0 ? 'critical' : index % 3 === 1 ? 'warning' : 'info',
    kind: 'Deployment',
    namespace: 'shop',
    name: `web-${index}`,
    container: 'app',
    message: `${awkward} ${index}`,
    evidence: { services: [`web-${index}`], grace: 30, ratio: 0.25, nothing: null, text: awkward },
    remediation: { summary: 's', yaml: 'spec:\n  template: {}', patch: { spec: { replicas: 2 } } },
    docs: 'https://example.test/rules/prestop-hook-missing.md',
    locationFile: 'upload',
    locationLine: 1000 + index,
    fingerprint: `fp-${index}`,
    ...overrides,
  };
}

describe('writeScanResult', () => {
  let db: TestDatabase;
  let prisma: PrismaService;
  let scans: ScanRepository;
  let organizationId: string;

  beforeAll(async () => {
    ({ db, prisma, scans, organizationId } = await createStoreFixture(2));
  });

  afterAll(() => dropStoreFixture({ db, prisma }));

  async function runningScan(name: string): Promise<string> {
    await new Promise((resolve) => setTimeout(resolve, 5)); // scans of one target are ordered by created_at
    const scan = await scans.createQueued({
      organizationId,
      target: { kind: 'manifests', name },
      trigger: 'upload',
      files: [{ name: 'upload', text: 'kind: List' }],
      sizeBytes: 10,
      documentCount: 1,
    });
    expect(await scans.startAttempt(scan.id, new Date())).toBeDefined();
    return scan.id;
  }

  function outcomeOf(findings: FindingRow[], verdicts: VerdictRow[]): ScanOutcome {
    return { findings, suppressed: 0, notEvaluated: [], warnings: [], verdicts, documentCount: 1 };
  }

  it('stores findings and verdicts field for field, over many slices of COPY data', async () => {
    const scanId = await runningScan('fields');
    // About 1 MB of findings: several 256 KiB slices, rows split across them.
    const findings = Array.from({ length: 2500 }, (_, index) => finding(index));
    const { container: _container, locationFile: _file, locationLine: _line, ...bare } = finding(2500);
    findings.push(bare);
    const verdicts: VerdictRow[] = [
      {
        namespace: 'shop',
        name: 'web-0',
        verdict: 'drops',
        droppedTrafficSeconds: 12.345678901234567,
        data: { windows: [{ start: 2, end: 4 }], note: awkward },
      },
      { namespace: 'shop', name: 'web-1', verdict: 'safe', droppedTrafficSeconds: 0, data: {}, timelineSvg: `<svg>${awkward}</svg>` },
    ];

    expect(await scans.complete(scanId, outcomeOf(findings, verdicts), new Date(), openEverything)).toBe(true);

    const stored = await prisma.client.finding.findMany({ where: { scanId }, orderBy: { seq: 'asc' } });
    expect(stored).toHaveLength(findings.length);
    expect(new Set(stored.map((row) => row.id)).size).toBe(findings.length);
    expect(stored.map(({ id: _id, ...row }) => row)).toEqual(
      findings.map((given, seq) => ({
        organizationId,
        scanId,
        seq,
        ruleId: given.ruleId,
        severity: given.severity,
        kind: given.kind,
        namespace: given.namespace,
        name: given.name,
        container: given.container ?? null,
        message: given.message,
        evidence: given.evidence,
        remediation: given.remediation,
        docs: given.docs,
        locationFile: given.locationFile ?? null,
        locationLine: given.locationLine ?? null,
        fingerprint: given.fingerprint,
      })),
    );
    const storedVerdicts = await prisma.client.serviceVerdict.findMany({ where: { scanId }, orderBy: { seq: 'asc' } });
    expect(storedVerdicts.map(({ id: _id, ...row }) => row)).toEqual([
      {
        organizationId,
        scanId,
        seq: 0,
        namespace: 'shop',
        name: 'web-0',
        verdict: 'drops',
        droppedTrafficSeconds: 12.345678901234567,
        data: verdicts[0]?.data,
        timelineSvg: null,
      },
      {
        organizationId,
        scanId,
        seq: 1,
        namespace: 'shop',
        name: 'web-1',
        verdict: 'safe',
        droppedTrafficSeconds: 0,
        data: {},
        timelineSvg: `<svg>${awkward}</svg>`,
      },
    ]);
    const changes = await scans.changesOf(scanId);
    expect(changes.opened.map((row) => row.fingerprint)).toEqual(findings.map((row) => row.fingerprint));
  });

  it('writes nothing when Postgres refuses a row, and the scan can be completed again', async () => {
    const scanId = await runningScan('refused');
    const refused = outcomeOf([finding(0), finding(1, { severity: 'fatal' as FindingRow['severity'] })], []);

    await expect(scans.complete(scanId, refused, new Date(), openEverything)).rejects.toThrow(/Severity/);
    expect(await prisma.client.finding.count({ where: { scanId } })).toBe(0);
    expect(await prisma.client.scan.findUniqueOrThrow({ where: { id: scanId } })).toMatchObject({ status: 'running' });

    expect(await scans.complete(scanId, outcomeOf([finding(0)], []), new Date(), openEverything)).toBe(true);
    expect(await prisma.client.finding.count({ where: { scanId } })).toBe(1);
  });

  it('rewrites the finding states of a finding seen again in place (HOT updates: fillfactor 50)', async () => {
    const findings = Array.from({ length: 300 }, (_, index) => finding(index));
    const hotUpdates = async (): Promise<number> =>
      Number(
        (await prisma.bulk.query<{ hot: string }>("SELECT n_tup_hot_upd AS hot FROM pg_stat_user_tables WHERE relname = 'finding_states'")).rows[0]?.hot ?? 0,
      );
    const complete = async (at: number) => {
      const scanId = await runningScan('in-place');
      expect(await scans.complete(scanId, outcomeOf(findings, []), new Date(at), diffStates)).toBe(true);
    };
    await complete(1000);
    const before = await hotUpdates();
    await complete(2000);
    // Statistics reach pg_stat_user_tables within about a second of the writing transaction.
    let after = before;
    for (let waited = 0; waited < 5000 && after - before < findings.length; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await hotUpdates();
    }
    expect(after - before).toBeGreaterThanOrEqual(findings.length);
  });

  it("keeps the target's finding states across scans: updated, resolved, reopened, and new ones added", async () => {
    const states = async () =>
      Object.fromEntries(
        (await prisma.client.findingState.findMany({ where: { target: { name: 'states' } } })).map((state) => [
          state.fingerprint,
          {
            status: state.status,
            severity: state.severity,
            name: state.name,
            firstScanId: state.firstScanId,
            lastScanId: state.lastScanId,
            openedScanId: state.openedScanId,
            resolvedScanId: state.resolvedScanId,
            firstSeenAt: state.firstSeenAt.getTime(),
            lastSeenAt: state.lastSeenAt.getTime(),
            resolvedAt: state.resolvedAt?.getTime() ?? null,
          },
        ]),
      );
    const complete = async (findings: FindingRow[], at: number) => {
      const scanId = await runningScan('states');
      expect(await scans.complete(scanId, outcomeOf(findings, []), new Date(at), diffStates)).toBe(true);
      return scanId;
    };
    const first = await complete([finding(0), finding(1), finding(1, { message: 'the same fingerprint twice' })], 1000);
    const second = await complete([finding(0, { severity: 'info', name: 'renamed' }), finding(2)], 2000);

    expect(await states()).toEqual({
      'fp-0': {
        status: 'open',
        severity: 'info',
        name: 'renamed',
        firstScanId: first,
        lastScanId: second,
        openedScanId: first,
        resolvedScanId: null,
        firstSeenAt: 1000,
        lastSeenAt: 2000,
        resolvedAt: null,
      },
      'fp-1': {
        status: 'resolved',
        severity: 'warning',
        name: 'web-1',
        firstScanId: first,
        lastScanId: first,
        openedScanId: first,
        resolvedScanId: second,
        firstSeenAt: 1000,
        lastSeenAt: 1000,
        resolvedAt: 2000,
      },
      'fp-2': {
        status: 'open',
        severity: 'info',
        name: 'web-2',
        firstScanId: second,
        lastScanId: second,
        openedScanId: second,
        resolvedScanId: null,
        firstSeenAt: 2000,
        lastSeenAt: 2000,
        resolvedAt: null,
      },
    });
    const fingerprints = (rows: Array<{ fingerprint: string; scanId: string }>) =>
      rows.map((row) => `${row.fingerprint}@${row.scanId === first ? 'first' : 'second'}`);
    const secondChanges = await scans.changesOf(second);
    expect({
      opened: fingerprints(secondChanges.opened),
      reopened: fingerprints(secondChanges.reopened),
      resolved: fingerprints(secondChanges.resolved),
    }).toEqual({
      opened: ['fp-2@second'],
      reopened: [],
      resolved: ['fp-1@first'],
    });

    const third = await complete([finding(1)], 3000);
    expect((await states())['fp-1']).toEqual({
      status: 'open',
      severity: 'warning',
      name: 'web-1',
      firstScanId: first,
      lastScanId: third,
      openedScanId: third,
      resolvedScanId: null,
      firstSeenAt: 1000,
      lastSeenAt: 3000,
      resolvedAt: null,
    });
    const thirdChanges = await scans.changesOf(third);
    expect(thirdChanges.reopened.map((row) => row.fingerprint)).toEqual(['fp-1']);
    expect(thirdChanges.resolved.map((row) => row.fingerprint).sort()).toEqual(['fp-0', 'fp-2']);
  });
});
