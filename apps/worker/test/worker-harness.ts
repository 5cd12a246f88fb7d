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

/**
 * Stops a worker as main.ts does on SIGTERM: its processors drain (no new job; the running ones
 * finish), then the context closes. A context closed at once ends Prisma's connection
 * (StoreModule's onModuleDestroy) while jobs still run, BullMQ's workers closing only after
 * (onApplicationShutdown); and a $disconnect that meets an interactive transaction being started
 * never resolves (Prisma 6.19: that transaction's connection is never handed back, and the pool's
 * end waits for it), after which every query of the client waits forever: the running job never
 * finishes and close() waits for it.
 */
export async function stopWorker(context: INestApplicationContext): Promise<void> {
  await drainWorker(context, quiet, Date.now() + 20_000);
  await context.close();
}

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

  /** Stops every worker started (stopWorker; ignoring those already closed), then drops the database and the Redis keys. */
  tearDown = async (): Promise<void> => {
    for (const context of this.contexts) await stopWorker(context).catch(() => undefined);
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
