// PrismaService's plain pool against the real Postgres: a connection that Postgres ends while a
// transaction holds it fails that transaction's statements and leaves the process running.
import 'reflect-metadata';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '#rollsafe/testing';
import { PrismaService } from './prisma.service.js';

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
});
