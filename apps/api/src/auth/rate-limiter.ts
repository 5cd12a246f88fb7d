import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError } from '#rollsafe/scans';
import { withDeadline } from '#rollsafe/runtime';
import { timed } from '#rollsafe/store';
import type { Response } from 'express';
import { API_OPTIONS, type ApiOptions } from '../api.options.js';
import { RedisConnection } from './redis.provider.js';
import type { AuthenticatedRequest } from './auth.types.js';

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
 * A GraphQL operation's rate-limit count and budget spend in one command: the key's count first,
 * and nothing spent when it is past its limit (ARGV[1]); returns { count, spent (-1: nothing) }.
 */
const COUNT_AND_SPEND = `local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
if count > tonumber(ARGV[1]) then return {count, -1} end
local spent = redis.call('INCRBY', KEYS[2], ARGV[2])
if spent == tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
return {count, spent}`;

/** What spending a GraphQL operation's cost answered: let through, or which limit refused it. */
export type BudgetAnswer =
  | { allowed: true }
  | { allowed: false; refused: 'budget'; retryAfterSeconds: number }
  | { allowed: false; refused: 'rate'; retryAfterSeconds: number; limit: number };

/** The longest a request waits on the limiter before it is let through. */
export const LIMITER_DEADLINE_MS = 100;

/**
 * A fixed one-minute window per API key, counted in Redis so every API instance shares it.
 * Throws RATE_LIMITED (429 with Retry-After) past the limit.
 *
 * The documented choice is to fail OPEN: if Redis does not answer within LIMITER_DEADLINE_MS
 * (100 ms; the connection fails fast, so an outage usually answers in under 1 ms), the request
 * is let through and the failure logged. An outage of the limiter is not an outage of the API;
 * what it protects (Postgres) still refuses with 503 when it is the one down.
 */
@Injectable()
export class RateLimiter {
  private readonly logger = new Logger('RateLimiter');

  constructor(
    private readonly redis: RedisConnection,
    @Inject(API_OPTIONS) private readonly options: ApiOptions,
  ) {}

  async consume(apiKeyId: string, now = Date.now()): Promise<RateLimitState> {
    const limit = this.options.rateLimitPerMinute;
    const window = Math.floor(now / WINDOW_MS);
    const resetSeconds = Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - now) / 1000));
    let count: number;
    try {
      const key = `${this.redis.prefix}:ratelimit:${apiKeyId}:${window}`;
      count = await withDeadline(timed('redis rate limit', this.increment(key, 1)), LIMITER_DEADLINE_MS, 'redis', 'rate limit');
    } catch (error) {
      this.logger.warn({ msg: 'rate limiter unavailable: request let through', error: error instanceof Error ? error.message : String(error) });
      return { limit, remaining: limit, resetSeconds };
    }
    if (count > limit) {
      throw new DomainError('RATE_LIMITED', `rate limit of ${limit} requests per minute exceeded; retry in ${resetSeconds} s`, { limit }, resetSeconds);
    }
    return { limit, remaining: Math.max(0, limit - count), resetSeconds };
  }

  /**
   * Spends `cost` of an organization's GraphQL complexity budget for this minute
   * (ROLLSAFE_GRAPHQL_BUDGET_PER_MINUTE, shared by every API process through Redis), so one
   * organization's expensive queries cannot starve the others. Fails open like `consume`.
   */
  async spendGraphql(organizationId: string, cost: number, now = Date.now()): Promise<{ allowed: boolean; retryAfterSeconds: number }> {
    const window = Math.floor(now / WINDOW_MS);
    const retryAfterSeconds = Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - now) / 1000));
    let spent: number;
    try {
      const key = `${this.redis.prefix}:graphql-budget:${organizationId}:${window}`;
      spent = await withDeadline(timed('redis graphql budget', this.increment(key, cost)), LIMITER_DEADLINE_MS, 'redis', 'graphql budget');
    } catch (error) {
      this.logger.warn({ msg: 'GraphQL budget unavailable: query let through', error: error instanceof Error ? error.message : String(error) });
      return { allowed: true, retryAfterSeconds };
    }
    return { allowed: spent <= this.options.graphqlBudgetPerMinute, retryAfterSeconds };
  }

  /**
   * Spends a GraphQL operation's cost for its request: with the request's own rate-limit count
   * when the middleware left that to the operation (one Redis command for both, and the
   * X-RateLimit headers set), else the budget alone. Fails open like the others.
   */
  async spendForOperation(request: AuthenticatedRequest, response: Response, organizationId: string, cost: number, now = Date.now()): Promise<BudgetAnswer> {
    const deferred = request.deferredRateLimit;
    if (!deferred || deferred.counted) {
      const { allowed, retryAfterSeconds } = await this.spendGraphql(organizationId, cost, now);
      return allowed ? { allowed } : { allowed, refused: 'budget', retryAfterSeconds };
    }
    deferred.counted = true;
    const limit = this.options.rateLimitPerMinute;
    const window = Math.floor(now / WINDOW_MS);
    const retryAfterSeconds = Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - now) / 1000));
    let count: number;
    let spent: number;
    try {
      const keys = [`${this.redis.prefix}:ratelimit:${deferred.apiKeyId}:${window}`, `${this.redis.prefix}:graphql-budget:${organizationId}:${window}`];
      const answer = (await withDeadline(
        timed('redis rate limit and graphql budget', this.redis.client.eval(COUNT_AND_SPEND, 2, ...keys, limit, cost, WINDOW_MS * 2)),
        LIMITER_DEADLINE_MS,
        'redis',
        'rate limit and graphql budget',
      )) as [number, number];
      [count, spent] = [Number(answer[0]), Number(answer[1])];
    } catch (error) {
      this.logger.warn({ msg: 'rate limiter unavailable: query let through', error: error instanceof Error ? error.message : String(error) });
      response.setHeader('X-RateLimit-Limit', String(limit));
      response.setHeader('X-RateLimit-Remaining', String(limit));
      response.setHeader('X-RateLimit-Reset', String(retryAfterSeconds));
      return { allowed: true };
    }
    response.setHeader('X-RateLimit-Limit', String(limit));
    response.setHeader('X-RateLimit-Remaining', String(Math.max(0, limit - count)));
    if (count > limit) return { allowed: false, refused: 'rate', retryAfterSeconds, limit };
    response.setHeader('X-RateLimit-Reset', String(retryAfterSeconds));
    return spent <= this.options.graphqlBudgetPerMinute ? { allowed: true } : { allowed: false, refused: 'budget', retryAfterSeconds };
  }

  /** Adds `by` to a window's counter and returns the new total: one command, one round trip. */
  private async increment(key: string, by: number): Promise<number> {
    return Number(await this.redis.client.eval(INCREMENT_WINDOW, 1, key, by, WINDOW_MS * 2));
  }
}
