import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { createFailFastRedis, redisAnswers } from '#rollsafe/runtime';
import { API_OPTIONS, type ApiOptions } from '../api.options.js';

/**
 * The API's own Redis connection (rate limits, GraphQL budgets, readiness); BullMQ keeps its
 * own. Fail-fast: while Redis is down a command fails at once, so no request waits on it.
 */
@Injectable()
export class RedisConnection implements OnModuleDestroy {
  readonly client: Redis;
  readonly prefix: string;

  constructor(@Inject(API_OPTIONS) options: ApiOptions) {
    this.client = createFailFastRedis(options.redisUrl, 'rollsafe-api');
    this.client.on('error', () => undefined); // reported by /readyz; ioredis reconnects by itself
    this.prefix = options.queuePrefix;
  }

  answers(): Promise<boolean> {
    return redisAnswers(this.client, 1000);
  }

  async onModuleDestroy(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
