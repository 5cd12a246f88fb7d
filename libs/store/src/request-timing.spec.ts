// The slow-request timing of bench/load (ROLLSAFE_TRACE_SLOW_MS): with it set, a request's pool
// checkout, queries and other waits are timed apart, and the queries answer as pool.query does.
import 'reflect-metadata';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '#rollsafe/testing';

describe('request timing (ROLLSAFE_TRACE_SLOW_MS)', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let timing: typeof import('./request-timing.js');

  beforeAll(async () => {
    process.env['ROLLSAFE_TRACE_SLOW_MS'] = '25';
    timing = await import('./request-timing.js');
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 1 });
  });

  afterAll(async () => {
    delete process.env['ROLLSAFE_TRACE_SLOW_MS'];
    await pool?.end();
    await db?.drop();
  });

  it('times the pool checkout, each query and each timed wait of the request it runs in', async () => {
    expect(timing.TRACE_SLOW_MS).toBe(25);
    const request = new timing.RequestTiming();
    const answers = await timing.runTimed(request, async () => {
      expect(timing.currentTiming()).toBe(request);
      // two at once on a pool of one: the second waits for the connection
      const both = await Promise.all(
        [1, 2].map((n) => timing.poolQuery<{ n: number }>(pool, { name: 'pick', text: 'SELECT $1::int AS n, pg_sleep(0.02)', values: [n] })),
      );
      await timing.timed('redis rate limit', new Promise((resolve) => setTimeout(resolve, 5)));
      request.mark('done');
      return both.map((result) => result.rows[0]?.n);
    });
    expect(answers).toEqual([1, 2]);
    const { steps, totalMs, loopBusy } = request.summary();
    expect(totalMs).toBeGreaterThanOrEqual(40);
    expect(loopBusy).toMatch(/^\d+%$/);
    const parts = steps.split(' | ');
    expect(parts.filter((part) => part.startsWith('pg checkout'))).toHaveLength(2);
    expect(parts.filter((part) => /^pg pick @[\d.]+ [\d.]+ms \(1 rows\)$/.test(part))).toHaveLength(2);
    // the second checkout waited for the first query
    const waited = parts.filter((part) => part.startsWith('pg checkout')).map((part) => Number(/ ([\d.]+)ms/.exec(part)?.[1]));
    expect(Math.max(...waited)).toBeGreaterThanOrEqual(15);
    expect(parts).toContainEqual(expect.stringMatching(/^redis rate limit @[\d.]+ [\d.]+ms$/));
    expect(parts[parts.length - 1]).toMatch(/^done @[\d.]+$/);
    expect(timing.currentTiming()).toBeUndefined();
  });

  it('hands a failed query back to the pool and rejects as pool.query does', async () => {
    const request = new timing.RequestTiming();
    await timing.runTimed(request, async () => {
      await expect(timing.poolQuery(pool, { text: 'SELECT 1/0' })).rejects.toThrow(/division by zero/);
      expect((await timing.poolQuery<{ ok: number }>(pool, { text: 'SELECT 1 AS ok' })).rows).toEqual([{ ok: 1 }]);
    });
    expect(pool.totalCount).toBeLessThanOrEqual(1);
  });
});
