import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError } from '#rollsafe/scans';
import { withDeadline } from '#rollsafe/runtime';
import { timed } from '#rollsafe/store';
import { API_OPTIONS, type ApiOptions } from '../api.options.js';
import { RedisConnection } from './redis.provider.js';

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

  /** Adds `by` to a window's counter and returns the new total: one command, one round trip. */
  private async increment(key: string, by: number): Promise<number> {
    return Number(await this.redis.client.eval(INCREMENT_WINDOW, 1, key, by, WINDOW_MS * 2));
  }
}
