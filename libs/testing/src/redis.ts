// A Redis key prefix per test suite; every key under it is deleted afterwards.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export function testRedisUrl(): string {
  return process.env['ROLLSAFE_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
}

export interface TestRedis {
  url: string;
  prefix: string;
  cleanup(): Promise<void>;
}

export function createTestRedis(): TestRedis {
  const prefix = `rollsafe-test-${randomBytes(6).toString('hex')}`;
  const url = testRedisUrl();
  return {
    url,
    prefix,
    async cleanup() {
      const redis = new Redis(url, { maxRetriesPerRequest: 1 });
      try {
        let cursor = '0';
        for (let round = 0; round < 10_000; round += 1) {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
          if (keys.length > 0) await redis.del(...keys);
          cursor = next;
          if (cursor === '0') break;
        }
      } finally {
        redis.disconnect();
      }
    },
  };
}
