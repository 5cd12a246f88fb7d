// A fresh Postgres database per test suite (rollsafe_test_<random>), with the committed
// migrations applied, dropped afterwards: suites run in parallel and repeatedly.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const workspaceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The server tests use; override with ROLLSAFE_TEST_DATABASE_URL (any database on it). */
export function testServerUrl(): string {
  return process.env['ROLLSAFE_TEST_DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export function migrationStatements(): string[] {
  const dir = path.join(workspaceRoot, 'prisma', 'migrations');
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8'));
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `rollsafe_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: testServerUrl() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(testServerUrl(), name);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const sql of migrationStatements()) await client.query(sql);
  } finally {
    await client.end();
  }
  return {
    name,
    url,
    async drop() {
      const dropper = new pg.Client({ connectionString: testServerUrl() });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}
