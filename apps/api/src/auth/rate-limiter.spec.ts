// The rate limiter and the GraphQL budget on the real Redis, as two API processes share them: two
// limiters (each with its own leases and connection) on one Redis and one key prefix.
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { jest } from '@jest/globals';
import { DomainError } from '#rollsafe/scans';
import type { ApiOptions } from '../api.options.js';
import type { AuthenticatedRequest } from './auth.types.js';
import { RateLimiter, type RateLimitHeaders } from './rate-limiter.js';
import { RedisConnection } from './redis.provider.js';
import { LEASE_UNITS, grant, leaseSize, usedOf, type Lease } from './window-leases.js';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
// Inside one window however long the test takes: the limiter is given this instant.
const NOW = Math.floor(Date.now() / 60_000) * 60_000 + 1_000;

interface Process {
  limiter: RateLimiter;
  redis: RedisConnection;
  /** Redis commands this process sent for limits. */
  commands: () => number;
}

const open: RedisConnection[] = [];

/** An API process's limiter, its connection up (it fails fast, and open, before). */
async function apiProcess(prefix: string, limits: { rateLimitPerMinute: number; graphqlBudgetPerMinute: number }, redisUrl = REDIS_URL): Promise<Process> {
  const options = { redisUrl, queuePrefix: prefix, ...limits } as ApiOptions;
  const redis = new RedisConnection(options);
  open.push(redis);
  if (redisUrl === REDIS_URL && redis.client.status !== 'ready') await once(redis.client, 'ready');
  const evalSpy = jest.spyOn(redis.client, 'eval');
  return { limiter: new RateLimiter(redis, options), redis, commands: () => evalSpy.mock.calls.length };
}

function graphqlRequest(apiKeyId: string): { request: AuthenticatedRequest; response: RateLimitHeaders; headers: Map<string, string> } {
  const headers = new Map<string, string>();
  const response: RateLimitHeaders = { setHeader: (name, value) => headers.set(name, value) };
  return { request: { deferredRateLimit: { apiKeyId, counted: false } } as AuthenticatedRequest, response, headers };
}

async function allowed(process: Process, apiKeyId: string): Promise<boolean> {
  try {
    await process.limiter.consume(apiKeyId, NOW);
    return true;
  } catch (error) {
    if (error instanceof DomainError && error.code === 'RATE_LIMITED') return false;
    throw error;
  }
}

afterAll(async () => {
  await Promise.all(open.map((redis) => redis.onModuleDestroy()));
});

describe('window leases', () => {
  it('grants only what is left under the limit, and keeps what a request did not use', () => {
    const lease: Lease = { left: 0, total: 0 };
    expect(leaseSize(lease, 600, 1)).toBe(LEASE_UNITS);
    // another process took the counter to 295; this one adds 8: 5 are left under 300
    expect(grant(lease, 300, 8, 303, 1)).toBe(true);
    expect(lease).toMatchObject({ left: 4, total: 303 });
    expect(usedOf(lease)).toBe(299);
    // close to the limit each request adds only what it needs
    expect(leaseSize(lease, 300, 1)).toBe(1);
    expect(grant(lease, 300, 1, 304, 1)).toBe(false);
    expect(lease.left).toBe(4);
  });

  it('keeps a budget grant short of a request for a cheaper one', () => {
    const lease: Lease = { left: 0, total: 0 };
    expect(grant(lease, 1000, 100, 1040, 100)).toBe(false);
    expect(lease.left).toBe(60);
  });
});

describe('RateLimiter on Redis', () => {
  it('holds the limit exactly across two processes, with a Redis command for only some requests', async () => {
    const prefix = `rl-test-${randomUUID()}`;
    const limits = { rateLimitPerMinute: 300, graphqlBudgetPerMinute: 200_000 };
    const processes = [await apiProcess(prefix, limits), await apiProcess(prefix, limits)] as const;
    const key = randomUUID();
    const answers: boolean[] = [];
    let turn = 0;
    // as chaos/run.mjs sends them: 20 at a time, alternating between the processes
    for (let batch = 0; batch < 16; batch += 1) {
      answers.push(...(await Promise.all(Array.from({ length: 20 }, () => allowed(processes[turn++ % 2 === 0 ? 0 : 1], key)))));
    }
    expect(answers.filter(Boolean)).toHaveLength(300);
    expect(answers.slice(-20).every((answer) => !answer)).toBe(true);
    const commands = processes[0].commands() + processes[1].commands();
    expect(commands).toBeLessThan(320 - 100);
    expect(Number(await processes[0].redis.client.get(`${prefix}:ratelimit:${key}:${Math.floor(NOW / 60_000)}`))).toBeGreaterThanOrEqual(300);
  });

  it('far from the limit sends one command for LEASE_UNITS requests; near it, one a request, with the remaining count', async () => {
    const far = await apiProcess(`rl-test-${randomUUID()}`, { rateLimitPerMinute: 600, graphqlBudgetPerMinute: 200_000 });
    for (let i = 0; i < 10 * LEASE_UNITS; i += 1) await far.limiter.consume('key', NOW);
    expect(far.commands()).toBe(10);

    const near = await apiProcess(`rl-test-${randomUUID()}`, { rateLimitPerMinute: 3, graphqlBudgetPerMinute: 200_000 });
    const remaining = [];
    for (let i = 0; i < 3; i += 1) remaining.push((await near.limiter.consume('key', NOW)).remaining);
    expect(remaining).toEqual([2, 1, 0]);
    await expect(near.limiter.consume('key', NOW)).rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 59 });
    expect(near.commands()).toBe(4);
  });

  it('counts a GraphQL operation and spends its cost in one command when the leases hold neither, in none when they hold both', async () => {
    const api = await apiProcess(`rl-test-${randomUUID()}`, { rateLimitPerMinute: 600, graphqlBudgetPerMinute: 200_000 });
    const answers = [];
    for (let i = 0; i < 2 * LEASE_UNITS; i += 1) {
      const { request, response, headers } = graphqlRequest('key');
      answers.push(await api.limiter.spendForOperation(request, response, 'org', 10, NOW));
      expect(headers.get('X-RateLimit-Remaining')).toBe(String(600 - (i + 1)));
    }
    expect(answers.every((answer) => answer.allowed)).toBe(true);
    expect(api.commands()).toBe(2);
  });

  it('spends nothing of the budget for an operation the rate limit refuses', async () => {
    const prefix = `rl-test-${randomUUID()}`;
    const api = await apiProcess(prefix, { rateLimitPerMinute: 2, graphqlBudgetPerMinute: 1000 });
    const answers = [];
    for (let i = 0; i < 3; i += 1) {
      const { request, response } = graphqlRequest('key');
      answers.push(await api.limiter.spendForOperation(request, response, 'org', 100, NOW));
    }
    expect(answers.map((answer) => (answer.allowed ? 'ok' : answer.refused))).toEqual(['ok', 'ok', 'rate']);
    expect(await api.redis.client.get(`${prefix}:graphql-budget:org:${Math.floor(NOW / 60_000)}`)).toBe('200');
    // the budget past its limit refuses, and another organization's is its own
    const budgeted = await apiProcess(`rl-test-${randomUUID()}`, { rateLimitPerMinute: 600, graphqlBudgetPerMinute: 250 });
    const spent = [];
    for (let i = 0; i < 3; i += 1) spent.push((await budgeted.limiter.spendGraphql('org-a', 100, NOW)).allowed);
    expect(spent).toEqual([true, true, false]);
    expect((await budgeted.limiter.spendGraphql('org-b', 100, NOW)).allowed).toBe(true);
  });

  it('counts the requests it let through when Redis answers after the deadline: the limit stays exact', async () => {
    const prefix = `rl-test-${randomUUID()}`;
    const limits = { rateLimitPerMinute: 300, graphqlBudgetPerMinute: 200_000 };
    const [a, b, c] = [await apiProcess(prefix, limits), await apiProcess(prefix, limits), await apiProcess(prefix, limits)];
    const admin = await apiProcess(prefix, limits);
    const apiKeyId = randomUUID();
    let answered = 0;
    // Far from the limit: each process adds LEASE_UNITS at once, so a lost answer loses units.
    for (let i = 0; i < 20; i++) if (await allowed(i % 2 ? a : b, apiKeyId)) answered++;
    // Redis holds every write for 250 ms: the additions sent meanwhile miss the 100 ms deadline,
    // their requests are let through uncounted, and the answers come late. REST requests wait on
    // one addition (take); GraphQL operations of a process with nothing leased count and spend
    // in one command each (countAndSpend).
    await admin.redis.client.call('CLIENT', 'PAUSE', '250', 'WRITE');
    const during = await Promise.all([
      ...Array.from({ length: 12 }, () => allowed(a, apiKeyId)),
      ...Array.from({ length: 4 }, () => {
        const { request, response } = graphqlRequest(apiKeyId);
        return c.limiter.spendForOperation(request, response, 'org', 10, NOW).then((answer) => answer.allowed);
      }),
    ]);
    expect(during.every(Boolean)).toBe(true);
    answered += during.length;
    await new Promise((resolve) => setTimeout(resolve, 400));
    const processes = [a, b, c];
    let refused = 0;
    for (let i = 0; refused < 20; i++) {
      if (await allowed(processes[i % 3] as Process, apiKeyId)) answered++;
      else refused++;
    }
    expect(answered).toBe(300);
    // the late answers spent the four operations' cost too
    expect(Number(await admin.redis.client.get(`${prefix}:graphql-budget:org:${Math.floor(NOW / 60_000)}`))).toBeGreaterThanOrEqual(40);
  });

  it('lets requests through within 100 ms when Redis does not answer (fails open)', async () => {
    const down = await apiProcess(`rl-test-${randomUUID()}`, { rateLimitPerMinute: 3, graphqlBudgetPerMinute: 1000 }, 'redis://127.0.0.1:1');
    const started = performance.now();
    const answers = await Promise.all(Array.from({ length: 5 }, () => down.limiter.consume('key', NOW)));
    expect(answers.every((answer) => answer.remaining === 3)).toBe(true);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
