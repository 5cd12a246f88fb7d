// The worker suites' harness: a database and Redis key prefix of the suite's own, and worker
// contexts (WorkerModule with its processors) started on them, all closed at the end.
// Test code only: under test/, so neither jest nor the production build takes it as a suite
// or a source.
import type { INestApplicationContext } from '@nestjs/common';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';
import { createLogger, type AppConfig } from '#rollsafe/runtime';
import { createTestDatabase, createTestRedis, testConfig, type TestDatabase, type TestRedis } from '#rollsafe/testing';
import { drainWorker } from '../src/drain.js';
import { WorkerModule } from '../src/worker.module.js';

const quiet = createLogger({ level: 'silent', app: 'worker' });

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

  /**
   * Stops every worker started as main.ts does on SIGTERM (drain, then close; ignoring those
   * already closed), then drops the database and the Redis keys. Closed while a job runs, a
   * worker's Prisma client could disconnect under a transaction being started and never finish
   * (apps/worker/src/notifications.spec.ts, stopWorker).
   */
  tearDown = async (): Promise<void> => {
    for (const context of this.contexts) {
      await drainWorker(context, quiet, Date.now() + 20_000).catch(() => undefined);
      await context.close().catch(() => undefined);
    }
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
