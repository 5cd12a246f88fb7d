import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError } from '#rollsafe/scans';
import { API_OPTIONS, type ApiOptions } from '../api.options.js';
import { RedisConnection } from './redis.provider.js';

export interface RateLimitState {
  limit: number;
  remaining: number;
  resetSeconds: number;
}

const WINDOW_MS = 60_000;

/**
 * A fixed one-minute window per API key, counted in Redis so every API instance shares it.
 * Throws RATE_LIMITED (429 with Retry-After) past the limit. If Redis does not answer, the
 * request is let through and the failure logged: an outage of the limiter is not an outage
 * of the API.
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
      const results = await this.redis.client
        .multi()
        .incr(key)
        .pexpire(key, WINDOW_MS * 2)
        .exec();
      count = Number(results?.[0]?.[1] ?? 0);
    } catch (error) {
      this.logger.warn({ msg: 'rate limiter unavailable: request let through', error: error instanceof Error ? error.message : String(error) });
      return { limit, remaining: limit, resetSeconds };
    }
    if (count > limit) {
      throw new DomainError('RATE_LIMITED', `rate limit of ${limit} requests per minute exceeded; retry in ${resetSeconds} s`, { limit }, resetSeconds);
    }
    return { limit, remaining: Math.max(0, limit - count), resetSeconds };
  }
}
