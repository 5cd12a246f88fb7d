// The worker suites' harness: a database and Redis key prefix of the suite's own, and worker
// contexts (WorkerModule with its processors) started on them, all closed at the end.
// Test code only: under test/, so neither jest nor the production build takes it as a suite
// or a source.
import type { INestApplicationContext } from '@nestjs/common';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';
import type { AppConfig } from '#rollsafe/runtime';
import { createTestDatabase, createTestRedis, testConfig, type TestDatabase, type TestRedis } from '#rollsafe/testing';
import { WorkerModule } from '../src/worker.module.js';

/** A worker's configuration over the defaults, less the connections, which the harness gives. */
export type WorkerSettings = Partial<Omit<AppConfig, 'databaseUrl' | 'redisUrl' | 'queuePrefix'>>;

/** One suite's workers. Its members are bound, so a suite may destructure them. */
export class WorkerHarness {
  private database: TestDatabase | undefined;
  private store: TestRedis | undefined;
  private readonly contexts: INestApplicationContext[] = [];

  get db(): TestDatabase {
    if (!this.database) throw new Error('WorkerHarness: setUp() first');
    return this.database;
  }

  get redis(): TestRedis {
    if (!this.store) throw new Error('WorkerHarness: setUp() first');
    return this.store;
  }

  /** Creates the suite's database and Redis key prefix. */
  setUp = async (): Promise<void> => {
    this.database = await createTestDatabase();
    this.store = createTestRedis();
  };

  /** Closes every worker started (ignoring those already closed), then drops the database and the Redis keys. */
  tearDown = async (): Promise<void> => {
    for (const context of this.contexts) await context.close().catch(() => undefined);
    await this.database?.drop();
    await this.store?.cleanup();
  };

  /** Starts a worker on the suite's database and Redis prefix; `configure` may override its providers. */
  start = async (
    settings: WorkerSettings,
    configure: (builder: TestingModuleBuilder) => TestingModuleBuilder = (builder) => builder,
  ): Promise<INestApplicationContext> => {
    const builder = Test.createTestingModule({
      imports: [WorkerModule.forRoot(testConfig({ databaseUrl: this.db.url, redisUrl: this.redis.url, queuePrefix: this.redis.prefix, ...settings }))],
    });
    const context = await (await configure(builder).compile()).init();
    this.contexts.push(context);
    return context;
  };
}
