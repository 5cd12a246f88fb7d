// The node-postgres reads of the hot paths against the real Postgres: they answer what the
// Prisma reads answer, and only within the organization.
import 'reflect-metadata';
import { createTestDatabase, type TestDatabase } from '#rollsafe/testing';
import { PrismaService } from './prisma.service.js';
import { OrganizationRepository } from './organization.repository.js';
import { ScanRepository, type DiffStates, type FindingRow } from './scan.repository.js';
import { FindingRepository } from './finding.repository.js';
import { ScanFindingsReader } from './scan-findings.reader.js';
import { ScanReader, type ScanViewRow } from './scan.reader.js';
import type { Severity } from './generated/prisma/client.js';

const noPriorStates: DiffStates = (_prior, reported) => ({ opened: reported, reopened: [], resolved: [] });
const RULES = ['readiness-probe-missing', 'pdb-missing'];
const SEVERITIES: Severity[] = ['critical', 'warning', 'info'];

function finding(index: number): FindingRow {
  return {
    ruleId: RULES[index % 2] ?? 'pdb-missing',
    severity: SEVERITIES[index % 3] ?? 'info',
    kind: 'Deployment',
    namespace: 'shop',
    name: `web-${index}`,
    ...(index % 2 ? { container: 'web' } : {}),
    message: `finding ${index}`,
    evidence: { port: 8080 + index },
    remediation: { summary: 's', yaml: 'y' },
    docs: 'd',
    ...(index % 3 === 0 ? { locationFile: 'upload', locationLine: index + 1 } : {}),
    fingerprint: `f${index}`,
  };
}

const VIEW_FIELDS: Array<keyof ScanViewRow> = [
  'id',
  'status',
  'trigger',
  'provider',
  'critical',
  'warning',
  'info',
  'suppressed',
  'notEvaluated',
  'warnings',
  'servicesJudged',
  'servicesDropping',
  'servicesUnknown',
  'verdictChanges',
  'documentCount',
  'attempts',
  'error',
  'createdAt',
  'startedAt',
  'finishedAt',
  'durationMs',
  'target',
];

describe('ScanReader and ScanFindingsReader', () => {
  let db: TestDatabase;
  let prisma: PrismaService;
  let scans: ScanRepository;
  let organizationId: string;
  let otherOrganizationId: string;
  let scanId: string;
  let queuedScanId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    prisma = new PrismaService({ databaseUrl: db.url, poolSize: 4 });
    scans = new ScanRepository(prisma);
    const organizations = new OrganizationRepository(prisma);
    organizationId = (await organizations.createWithApiKey('acme', { prefix: 'rsk_a', keyHash: 'ha' })).id;
    otherOrganizationId = (await organizations.createWithApiKey('other', { prefix: 'rsk_b', keyHash: 'hb' })).id;
    const upload = { organizationId, target: { kind: 'manifests' as const, name: 'default' }, trigger: 'upload' as const, sizeBytes: 10, documentCount: 1 };
    const scan = await scans.createQueued({ ...upload, files: [{ name: 'upload', text: 'kind: List' }] });
    await scans.startAttempt(scan.id, new Date());
    await scans.complete(
      scan.id,
      {
        findings: Array.from({ length: 12 }, (_, index) => finding(index)),
        suppressed: 1,
        notEvaluated: ['endpoints-not-ready'],
        warnings: [{ message: 'skipped', location: { file: 'upload', line: 3 } }],
        documentCount: 4,
      },
      new Date(),
      noPriorStates,
    );
    scanId = scan.id;
    queuedScanId = (await scans.createQueued({ ...upload, files: [{ name: 'upload', text: 'kind: List' }] })).id;
  });

  afterAll(async () => {
    await prisma?.onModuleDestroy();
    await db?.drop();
  });

  it('reads a scan as Prisma does, within its organization only', async () => {
    const reader = new ScanReader(prisma);
    for (const id of [scanId, queuedScanId]) {
      const expected = await scans.findForOrganization(organizationId, id);
      const read = await reader.findForOrganization(organizationId, id);
      expect(expected).toBeDefined();
      expect(read).toEqual(Object.fromEntries(VIEW_FIELDS.map((field) => [field, expected?.[field]])));
    }
    expect(await reader.findForOrganization(otherOrganizationId, scanId)).toBeUndefined();
    expect(await reader.findForOrganization(organizationId, '00000000-0000-4000-8000-000000000000')).toBeUndefined();
  });

  it('reads a page of findings and its scan as the Prisma reads do, for every filter shape', async () => {
    const reader = new ScanFindingsReader(prisma);
    const findings = new FindingRepository(prisma);
    const shapes = [{}, { severity: 'critical' as const }, { ruleId: 'pdb-missing' }, { severity: 'warning' as const, ruleId: 'readiness-probe-missing' }];
    for (const filter of shapes) {
      for (const afterSeq of [undefined, 0, 5, 11]) {
        const query = { ...filter, limit: 3, ...(afterSeq !== undefined ? { afterSeq } : {}) };
        const read = await reader.page(organizationId, scanId, query);
        expect(read?.page).toEqual(await findings.listForScan(organizationId, scanId, query));
        expect(read?.scan).toEqual({ status: 'succeeded', critical: 4, warning: 4, info: 4, ruleCounts: expect.any(Object) });
      }
    }
    // the ids of a page's rows are the query's (in Postgres's spelling), not read from each row
    expect((await reader.page(organizationId, scanId.toUpperCase(), { limit: 3 }))?.page).toEqual(
      await findings.listForScan(organizationId, scanId, { limit: 3 }),
    );
    const first = await reader.page(organizationId, scanId, { limit: 5 });
    expect(first?.page.items.map((item) => item.seq)).toEqual([0, 1, 2, 3, 4]);
    expect(first?.page.hasMore).toBe(true);
    expect((await reader.page(organizationId, scanId, { limit: 5, afterSeq: 9 }))?.page).toMatchObject({ hasMore: false, items: [{ seq: 10 }, { seq: 11 }] });
  });

  it("reads the scan as ScanReader does with the page as page() does, in one query (GraphQL's scan { findings })", async () => {
    const reader = new ScanFindingsReader(prisma);
    const views = new ScanReader(prisma);
    const shapes = [{}, { severity: 'critical' as const }, { ruleId: 'pdb-missing' }, { severity: 'warning' as const, ruleId: 'readiness-probe-missing' }];
    for (const id of [scanId, queuedScanId]) {
      const view = await views.findForOrganization(organizationId, id);
      for (const filter of shapes) {
        for (const afterSeq of [undefined, 0, 5, 11]) {
          const query = { ...filter, limit: 3, ...(afterSeq !== undefined ? { afterSeq } : {}) };
          const read = await reader.viewAndPage(organizationId, id, query);
          const apart = await reader.page(organizationId, id, query);
          expect(read?.page).toEqual(apart?.page);
          expect(read?.scan).toEqual({ ...view, ...apart?.scan });
        }
      }
    }
    // the scan's columns come once, on the first row: every row of a page is still whole
    const page = await reader.viewAndPage(organizationId, scanId, { limit: 12 });
    expect(page?.page.items.map((item) => item.seq)).toEqual([...Array(12).keys()]);
    expect(page?.page.items.every((item) => Object.keys(item).length === 17 && item.scanId === scanId && item.organizationId === organizationId)).toBe(true);
    expect(await reader.viewAndPage(otherOrganizationId, scanId, { limit: 10 })).toBeUndefined();
    expect(await reader.viewAndPage(organizationId, '00000000-0000-4000-8000-000000000000', { limit: 10 })).toBeUndefined();
  });

  it('tells a scan with no findings from a scan that is not the organization', async () => {
    const reader = new ScanFindingsReader(prisma);
    expect(await reader.page(organizationId, queuedScanId, { limit: 10 })).toEqual({
      scan: { status: 'queued', critical: 0, warning: 0, info: 0, ruleCounts: null },
      page: { items: [], hasMore: false },
    });
    expect(await reader.page(organizationId, scanId, { limit: 10, severity: 'critical', ruleId: 'no-such-rule' })).toMatchObject({
      page: { items: [], hasMore: false },
    });
    expect(await reader.page(otherOrganizationId, scanId, { limit: 10 })).toBeUndefined();
    expect(await reader.page(organizationId, '00000000-0000-4000-8000-000000000000', { limit: 10 })).toBeUndefined();
  });
});
