import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError } from '#rollsafe/scans';
import { withDeadline } from '#rollsafe/runtime';
import { timed } from '#rollsafe/store';
import { API_OPTIONS, type ApiOptions } from '../api.options.js';
import { RedisConnection } from './redis.provider.js';
import type { AuthenticatedRequest } from './auth.types.js';
import { WindowLeases, grant, grantLate, leaseSize, takeLeased, usedOf, type Lease, type PendingAddition } from './window-leases.js';

export interface RateLimitState {
  limit: number;
  remaining: number;
  resetSeconds: number;
}

const WINDOW_MS = 60_000;
/**
 * INCRBY, and PEXPIRE when the counter was just created: atomic, and one command per request
 * where MULTI/INCR/PEXPIRE/EXEC was four (each window's key expires after two windows).
 */
const INCREMENT_WINDOW = `local total = redis.call('INCRBY', KEYS[1], ARGV[1])
if total == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return total`;

/**
 * A GraphQL operation's rate-limit count and budget spend in one command: the key's count by
 * ARGV[4] first, and nothing spent when the count was already at its limit (ARGV[1]) before;
 * else the budget by ARGV[2]. Returns { count, spent (-1: nothing) }.
 */
const COUNT_AND_SPEND = `local count = redis.call('INCRBY', KEYS[1], ARGV[4])
if count == tonumber(ARGV[4]) then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
if count - tonumber(ARGV[4]) >= tonumber(ARGV[1]) then return {count, -1} end
local spent = redis.call('INCRBY', KEYS[2], ARGV[2])
if spent == tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
return {count, spent}`;

/** Where the X-RateLimit headers go: the response (express's or any with setHeader). */
export interface RateLimitHeaders {
  setHeader(name: string, value: string): unknown;
}

/** What spending a GraphQL operation's cost answered: let through, or which limit refused it. */
export type BudgetAnswer =
  | { allowed: true }
  | { allowed: false; refused: 'budget'; retryAfterSeconds: number }
  | { allowed: false; refused: 'rate'; retryAfterSeconds: number; limit: number };

/** The longest a request waits on the limiter before it is let through. */
export const LIMITER_DEADLINE_MS = 100;

/**
 * A fixed one-minute window per API key, counted in Redis so every API instance shares it.
 * Throws RATE_LIMITED (429 with Retry-After) past the limit. Each process takes a few requests'
 * worth of the counter ahead while it is far from the limit (window-leases.ts), so most requests
 * need no Redis command; the limit itself stays exact across processes.
 *
 * The documented choice is to fail OPEN: if Redis does not answer within LIMITER_DEADLINE_MS
 * (100 ms; the connection fails fast, so an outage usually answers in under 1 ms), the request
 * is let through and the failure logged. An outage of the limiter is not an outage of the API;
 * what it protects (Postgres) still refuses with 503 when it is the one down.
 */
@Injectable()
export class RateLimiter {
  private readonly logger = new Logger('RateLimiter');
  private readonly leases = new WindowLeases();

  constructor(
    private readonly redis: RedisConnection,
    @Inject(API_OPTIONS) private readonly options: ApiOptions,
  ) {}

  async consume(apiKeyId: string, now = Date.now()): Promise<RateLimitState> {
    const limit = this.options.rateLimitPerMinute;
    const window = Math.floor(now / WINDOW_MS);
    const resetSeconds = secondsLeftIn(window, now);
    const key = this.rateKey(apiKeyId, window);
    const lease = this.leases.of(key, window);
    let allowed: boolean;
    try {
      allowed = await this.take(lease, key, limit, 1, 'rate limit');
    } catch (error) {
      this.logger.warn({ msg: 'rate limiter unavailable: request let through', error: error instanceof Error ? error.message : String(error) });
      return { limit, remaining: limit, resetSeconds };
    }
    if (!allowed) {
      throw new DomainError('RATE_LIMITED', `rate limit of ${limit} requests per minute exceeded; retry in ${resetSeconds} s`, { limit }, resetSeconds);
    }
    return { limit, remaining: Math.max(0, limit - usedOf(lease)), resetSeconds };
  }

  /**
   * Spends `cost` of an organization's GraphQL complexity budget for this minute
   * (ROLLSAFE_GRAPHQL_BUDGET_PER_MINUTE, shared by every API process through Redis), so one
   * organization's expensive queries cannot starve the others. Fails open like `consume`.
   */
  async spendGraphql(organizationId: string, cost: number, now = Date.now()): Promise<{ allowed: boolean; retryAfterSeconds: number }> {
    const window = Math.floor(now / WINDOW_MS);
    const retryAfterSeconds = secondsLeftIn(window, now);
    const key = this.budgetKey(organizationId, window);
    try {
      return { allowed: await this.take(this.leases.of(key, window), key, this.options.graphqlBudgetPerMinute, cost, 'graphql budget'), retryAfterSeconds };
    } catch (error) {
      this.logger.warn({ msg: 'GraphQL budget unavailable: query let through', error: error instanceof Error ? error.message : String(error) });
      return { allowed: true, retryAfterSeconds };
    }
  }

  /**
   * Spends a GraphQL operation's cost for its request: with the request's own rate-limit count
   * when the middleware left that to the operation (and the X-RateLimit headers set), else the
   * budget alone. What the leases do not hold is asked of Redis in one command for both. Fails
   * open like the others.
   */
  async spendForOperation(
    request: AuthenticatedRequest,
    response: RateLimitHeaders,
    organizationId: string,
    cost: number,
    now = Date.now(),
  ): Promise<BudgetAnswer> {
    const deferred = request.deferredRateLimit;
    if (!deferred || deferred.counted) {
      const { allowed, retryAfterSeconds } = await this.spendGraphql(organizationId, cost, now);
      return allowed ? { allowed } : { allowed, refused: 'budget', retryAfterSeconds };
    }
    deferred.counted = true;
    const limit = this.options.rateLimitPerMinute;
    const window = Math.floor(now / WINDOW_MS);
    const retryAfterSeconds = secondsLeftIn(window, now);
    const rateKey = this.rateKey(deferred.apiKeyId, window);
    const budgetKey = this.budgetKey(organizationId, window);
    const rate = this.leases.of(rateKey, window);
    const budget = this.leases.of(budgetKey, window);
    let answer: { rate: boolean; budget: boolean };
    try {
      answer = await this.countAndSpend(rate, rateKey, budget, budgetKey, cost);
    } catch (error) {
      this.logger.warn({ msg: 'rate limiter unavailable: query let through', error: error instanceof Error ? error.message : String(error) });
      response.setHeader('X-RateLimit-Limit', String(limit));
      response.setHeader('X-RateLimit-Remaining', String(limit));
      response.setHeader('X-RateLimit-Reset', String(retryAfterSeconds));
      return { allowed: true };
    }
    response.setHeader('X-RateLimit-Limit', String(limit));
    response.setHeader('X-RateLimit-Remaining', String(Math.max(0, limit - usedOf(rate))));
    if (!answer.rate) return { allowed: false, refused: 'rate', retryAfterSeconds, limit };
    response.setHeader('X-RateLimit-Reset', String(retryAfterSeconds));
    return answer.budget ? { allowed: true } : { allowed: false, refused: 'budget', retryAfterSeconds };
  }

  /**
   * One request counted and its cost spent, the count first (nothing is spent when the count
   * refuses): from the leases where they hold enough, else from Redis, in one command when
   * neither does.
   */
  private async countAndSpend(rate: Lease, rateKey: string, budget: Lease, budgetKey: string, cost: number): Promise<{ rate: boolean; budget: boolean }> {
    const limit = this.options.rateLimitPerMinute;
    const budgetLimit = this.options.graphqlBudgetPerMinute;
    if (takeLeased(rate, 1)) return { rate: true, budget: await this.take(budget, budgetKey, budgetLimit, cost, 'graphql budget') };
    if (takeLeased(budget, cost)) {
      const counted = await this.take(rate, rateKey, limit, 1, 'rate limit');
      if (!counted) budget.left += cost; // refused by the count: nothing spent
      return { rate: counted, budget: true };
    }
    const rateSize = leaseSize(rate, limit, 1);
    const budgetSize = leaseSize(budget, budgetLimit, cost);
    let late = false;
    const answer = (
      this.redis.client.eval(COUNT_AND_SPEND, 2, rateKey, budgetKey, limit, budgetSize, WINDOW_MS * 2, rateSize) as Promise<[number, number]>
    ).then((reply): [number, number] => {
      const [count, spent] = [Number(reply[0]), Number(reply[1])];
      if (late) {
        // The request was let through meanwhile: counted, and its cost spent, from this answer.
        grantLate(rate, limit, rateSize, count, 1);
        if (spent >= 0) grantLate(budget, budgetLimit, budgetSize, spent, cost);
      }
      return [count, spent];
    });
    let count: number;
    let spent: number;
    try {
      [count, spent] = await this.redisCall('rate limit and graphql budget', answer);
    } catch (error) {
      late = true;
      throw error;
    }
    if (!grant(rate, limit, rateSize, count, 1)) return { rate: false, budget: false };
    return { rate: true, budget: grant(budget, budgetLimit, budgetSize, spent, cost) };
  }

  /**
   * Takes `units` of a counter for one request: from its lease, else by adding to the counter in
   * Redis. Requests of one process that find the lease empty while an addition is under way wait
   * for it rather than each adding ahead; when it fails, they fail with it (and fail open). An
   * answer that comes after the deadline is applied then (grantLate): it counts the requests let
   * through meanwhile.
   */
  private async take(lease: Lease, key: string, limit: number, units: number, what: string): Promise<boolean> {
    while (!takeLeased(lease, units)) {
      const waiting = lease.pending;
      if (waiting) {
        try {
          await waiting.answer;
        } catch (error) {
          waiting.owed += units; // let through uncounted: a late answer counts it
          throw error;
        }
        continue;
      }
      const size = leaseSize(lease, limit, units);
      const pending: PendingAddition = { answer: Promise.resolve(false), late: false, owed: units };
      pending.answer = this.redisCall(
        what,
        this.increment(key, size).then((total) => {
          if (!pending.late) return grant(lease, limit, size, total, units);
          grantLate(lease, limit, size, total, pending.owed);
          return false;
        }),
      );
      lease.pending = pending;
      try {
        return await pending.answer;
      } catch (error) {
        pending.late = true;
        throw error;
      } finally {
        if (lease.pending === pending) lease.pending = undefined;
      }
    }
    return true;
  }

  /** A limiter command, timed, within LIMITER_DEADLINE_MS. */
  private redisCall<T>(what: string, command: Promise<T>): Promise<T> {
    return withDeadline(timed(`redis ${what}`, command), LIMITER_DEADLINE_MS, 'redis', what);
  }

  private rateKey(apiKeyId: string, window: number): string {
    return `${this.redis.prefix}:ratelimit:${apiKeyId}:${window}`;
  }

  private budgetKey(organizationId: string, window: number): string {
    return `${this.redis.prefix}:graphql-budget:${organizationId}:${window}`;
  }

  /** Adds `by` to a window's counter and returns the new total: one command, one round trip. */
  private async increment(key: string, by: number): Promise<number> {
    return Number(await this.redis.client.eval(INCREMENT_WINDOW, 1, key, by, WINDOW_MS * 2));
  }
}

/** Whole seconds until the window ends, at least 1 (Retry-After, X-RateLimit-Reset). */
function secondsLeftIn(window: number, now: number): number {
  return Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - now) / 1000));
}
