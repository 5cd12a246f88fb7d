// The committed migrations must produce exactly the schema in schema.prisma: a change to
// the schema without its migration fails here. (Prisma replays the migrations into a
// temporary shadow database on the test Postgres.)
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const adminUrl = process.env['ROLLSAFE_TEST_DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

describe('prisma migrations', () => {
  it('match schema.prisma (no drift)', () => {
    const result = spawnSync(
      process.execPath,
      [
        path.join(root, 'node_modules/prisma/build/index.js'),
        'migrate',
        'diff',
        '--from-migrations',
        'prisma/migrations',
        '--to-schema-datamodel',
        'prisma/schema.prisma',
        '--exit-code',
      ],
      { cwd: root, env: { ...process.env, DATABASE_URL: adminUrl }, encoding: 'utf8', timeout: 60_000 },
    );
    if (result.status !== 0) throw new Error(`migrate diff exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
    expect(result.stdout).toContain('No difference detected');
  }, 60_000);
});
