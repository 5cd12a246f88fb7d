// ScanRepository against the real Postgres: concurrent completions of one scan write once.
import 'reflect-metadata';
import type { TestDatabase } from '#rollsafe/testing';
import { PrismaService } from './prisma.service.js';
import { OrganizationRepository } from './organization.repository.js';
import { ScanRepository, type DiffStates, type ScanOutcome } from './scan.repository.js';
import { createStoreFixture, dropStoreFixture } from '../test/store-fixture.js';

// The repository persists what the diff decides; this one opens every reported fingerprint.
const noPriorStates: DiffStates = (_prior, reported) => ({ opened: reported, reopened: [], resolved: [] });

describe('ScanRepository', () => {
  let db: TestDatabase;
  let prisma: PrismaService;
  let scans: ScanRepository;
  let organizationId: string;

  beforeAll(async () => {
    ({ db, prisma, scans, organizationId } = await createStoreFixture(4));
  });

  afterAll(() => dropStoreFixture({ db, prisma }));

  const outcome: ScanOutcome = {
    findings: [
      {
        ruleId: 'readiness-probe-missing',
        severity: 'critical',
        kind: 'Deployment',
        namespace: 'shop',
        name: 'web',
        container: 'web',
        message: 'm',
        evidence: { port: 8080 },
        remediation: { summary: 's', yaml: 'y' },
        docs: 'd',
        fingerprint: 'f1',
      },
    ],
    suppressed: 0,
    notEvaluated: ['endpoints-not-ready'],
    warnings: [],
    documentCount: 2,
  };

  it('lets exactly one of two concurrent completions write', async () => {
    const scan = await scans.createQueued({
      organizationId,
      target: { kind: 'manifests', name: 'default' },
      trigger: 'upload',
      files: [{ name: 'upload', text: 'kind: List' }],
      sizeBytes: 10,
      documentCount: 1,
    });
    expect(await scans.startAttempt(scan.id, new Date())).toBeDefined();
    const results = await Promise.all([
      scans.complete(scan.id, outcome, new Date(), noPriorStates),
      scans.complete(scan.id, outcome, new Date(), noPriorStates),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await prisma.client.finding.count({ where: { scanId: scan.id } })).toBe(1);
    const done = await scans.findForOrganization(organizationId, scan.id);
    expect(done).toMatchObject({ status: 'succeeded', critical: 1, notEvaluated: ['endpoints-not-ready'] });
    expect(await scans.startAttempt(scan.id, new Date())).toBeUndefined();
    expect(await scans.fail(scan.id, 'late failure', new Date())).toBe(false);
  });

  it('scopes reads by organization', async () => {
    const other = await new OrganizationRepository(prisma).createWithApiKey('other', { prefix: 'rsk_y', keyHash: 'h2' });
    const page = await scans.listForOrganization(other.id, { limit: 10 });
    expect(page.items).toHaveLength(0);
  });
});
