import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { createRedis, redisAnswers } from '#rollsafe/runtime';
import { API_OPTIONS, type ApiOptions } from '../api.options.js';

/** The API's own Redis connection (rate limits, readiness); BullMQ keeps its own. */
@Injectable()
export class RedisConnection implements OnModuleDestroy {
  readonly client: Redis;
  readonly prefix: string;

  constructor(@Inject(API_OPTIONS) options: ApiOptions) {
    this.client = createRedis(options.redisUrl, 'rollsafe-api');
    this.client.on('error', () => undefined); // reported by /readyz; ioredis reconnects by itself
    this.prefix = options.queuePrefix;
  }

  answers(): Promise<boolean> {
    return redisAnswers(this.client);
  }

  async onModuleDestroy(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
