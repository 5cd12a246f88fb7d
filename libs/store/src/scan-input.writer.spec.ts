// An upload's input written with COPY (binary) against the real Postgres: what is read back is
// what was given, over many chunks and in any UTF-8, and a refused COPY fails its transaction
// without breaking the connection.
import 'reflect-metadata';
import type { TestDatabase } from '#rollsafe/testing';
import { PrismaService } from './prisma.service.js';
import { ScanRepository } from './scan.repository.js';
import { writeScanInput } from './scan-input.writer.js';
import { createStoreFixture, dropStoreFixture } from '../test/store-fixture.js';

const utf8 = new TextEncoder();

describe('writeScanInput', () => {
  let db: TestDatabase;
  let prisma: PrismaService;
  let scans: ScanRepository;
  let organizationId: string;

  beforeAll(async () => {
    ({ db, prisma, scans, organizationId } = await createStoreFixture(2));
  });

  afterAll(() => dropStoreFixture({ db, prisma }));

  const stored = async (scanId: string) =>
    (
      await prisma.bulk.query<{ files: unknown; size_bytes: number; snapshot: string | null }>(
        'SELECT files, size_bytes, snapshot FROM scan_inputs WHERE scan_id = $1',
        [scanId],
      )
    ).rows[0];

  it('keeps megabytes of files and snapshot as given (bytes, many chunks, non-ASCII)', async () => {
    const text = `# ünïcødé ✓ "quoted" \\ back\tslash\n${'kind: ConfigMap\n'.repeat(200_000)}`;
    const files = [{ name: 'big.yaml', text }];
    const snapshot = JSON.stringify({ version: 2, note: 'ümlaut ✓', padding: 'x'.repeat(700_000) });
    const scan = await scans.createQueued({
      organizationId,
      target: { kind: 'manifests', name: 'bytes' },
      trigger: 'upload',
      files: utf8.encode(JSON.stringify(files)),
      snapshot: utf8.encode(snapshot),
      sizeBytes: Buffer.byteLength(text),
      documentCount: 1,
    });
    expect(await stored(scan.id)).toEqual({ files, size_bytes: Buffer.byteLength(text), snapshot });
  });

  it('takes the files and snapshot as strings too, and no snapshot', async () => {
    const files = [
      { name: 'a.yaml', text: 'kind: List\n' },
      { name: 'b.yaml', text: 'kind: Service # ✓\n' },
    ];
    const scan = await scans.createQueued({
      organizationId,
      target: { kind: 'manifests', name: 'strings' },
      trigger: 'upload',
      files,
      sizeBytes: 31,
      documentCount: 2,
    });
    expect(await stored(scan.id)).toEqual({ files, size_bytes: 31, snapshot: null });
  });

  it('fails the transaction when Postgres refuses the row after megabytes, and the connection goes on', async () => {
    const client = await prisma.bulk.connect();
    try {
      await client.query('BEGIN');
      const missingScan = '00000000-0000-4000-8000-000000000000';
      const files = utf8.encode(JSON.stringify([{ name: 'a.yaml', text: 'x'.repeat(3_000_000) }]));
      await expect(writeScanInput(client, { scanId: missingScan, files, sizeBytes: 0, snapshot: null })).rejects.toThrow(/foreign key/);
      await client.query('ROLLBACK');
      expect((await client.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      client.release();
    }
  });

  it('lets other events run between the chunks of a large input', async () => {
    const scan = await scans.createQueuedForTarget({
      organizationId,
      targetId: (await prisma.client.target.findFirstOrThrow({ where: { organizationId } })).id,
      trigger: 'manual',
    });
    if (!scan) throw new Error('the target vanished');
    let turns = 0;
    let copying = true;
    const countTurns = (): void => {
      turns += 1;
      if (copying) setImmediate(countTurns);
    };
    setImmediate(countTurns);
    const client = await prisma.bulk.connect();
    try {
      const files = utf8.encode(JSON.stringify([{ name: 'a.yaml', text: 'x'.repeat(8 * 1024 * 1024) }]));
      await writeScanInput(client, { scanId: scan.id, files, sizeBytes: 0, snapshot: null });
    } finally {
      copying = false;
      client.release();
    }
    // 8 MiB go in 32 chunks of 256 KiB, with a turn of the loop after each.
    expect(turns).toBeGreaterThanOrEqual(32);
  });
});
