// PrismaService's plain pool against the real Postgres: a connection that Postgres ends while a
// transaction holds it fails that transaction's statements and leaves the process running; its
// sessions plan a named statement once, and a transaction can plan for the values again.
import 'reflect-metadata';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '#rollsafe/testing';
import { PLAN_FOR_VALUES, PrismaService } from './prisma.service.js';

describe('PrismaService.bulk', () => {
  let db: TestDatabase;
  let prisma: PrismaService;

  beforeAll(async () => {
    db = await createTestDatabase();
    prisma = new PrismaService({ databaseUrl: db.url, poolSize: 4 });
  });

  afterAll(async () => {
    await prisma?.onModuleDestroy();
    await db?.drop();
  });

  it('survives Postgres ending a checked-out connection between two statements of a transaction', async () => {
    const uncaught: Error[] = [];
    const onUncaught = (error: Error) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    const client = await prisma.bulk.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const admin = new pg.Client({ connectionString: db.url });
      await admin.connect();
      await admin.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
      await admin.end();
      // The socket's end reaches the idle client before its next statement.
      await new Promise((resolve) => setTimeout(resolve, 200));
      await expect(client.query('SELECT 1')).rejects.toThrow();
    } finally {
      client.release(true);
      process.off('uncaughtException', onUncaught);
    }
    expect(uncaught).toEqual([]);
    const { rows } = await prisma.bulk.query<{ one: number }>('SELECT 1 AS one');
    expect(rows[0]?.one).toBe(1);
  });

  it('plans a named statement once: three executions on one connection use the generic plan', async () => {
    const client = await prisma.bulk.connect();
    try {
      // Postgres's default would plan each of the first five executions for its values.
      for (const value of [1, 2, 3]) await client.query({ name: 'plus-one', text: 'SELECT $1::int + 1 AS n', values: [value] });
      const { rows } = await client.query<{ generic_plans: string; custom_plans: string }>(
        "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = 'plus-one'",
      );
      expect(rows).toEqual([{ generic_plans: '3', custom_plans: '0' }]);
    } finally {
      client.release();
    }
  });

  it('plans for the values inside a transaction begun with PLAN_FOR_VALUES, and only there', async () => {
    const client = await prisma.bulk.connect();
    const mode = async (): Promise<string | undefined> => (await client.query<{ plan_cache_mode: string }>('SHOW plan_cache_mode')).rows[0]?.plan_cache_mode;
    try {
      expect(await mode()).toBe('force_generic_plan');
      await client.query(`BEGIN; ${PLAN_FOR_VALUES}`);
      expect(await mode()).toBe('auto');
      await client.query('COMMIT');
      expect(await mode()).toBe('force_generic_plan');
    } finally {
      client.release();
    }
  });
});
