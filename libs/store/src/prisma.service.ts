import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from './generated/prisma/client.js';

export interface StoreOptions {
  databaseUrl: string;
  /** Pool size per process. */
  poolSize: number;
}

export const STORE_OPTIONS = Symbol('STORE_OPTIONS');

/** The longest a shutdown waits for the Postgres pool to close. */
export const DISCONNECT_TIMEOUT_MS = 2000;

/**
 * How long a pooled connection may sit idle before it is closed. node-postgres's default, 10 s,
 * closes the pool in any lull that long; the next burst then opens connections all at once
 * (a Postgres backend each) and its first requests wait for them.
 */
export const POOL_IDLE_TIMEOUT_MS = 60_000;

export function createPrismaClient(options: StoreOptions): PrismaClient {
  const adapter = new PrismaPg({
    connectionString: options.databaseUrl,
    max: options.poolSize,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: POOL_IDLE_TIMEOUT_MS,
  });
  return new PrismaClient({ adapter });
}

/** The one Prisma client of a process; closed when Nest shuts down. */
@Injectable()
export class PrismaService implements OnModuleDestroy {
  readonly client: PrismaClient;
  /**
   * Plain connections for the few writes of megabytes (an upload's files and snapshot):
   * Prisma's query compiler handles such values on the event loop for about half a second
   * per 10 MB, while node-postgres only sends them. The hot findings page reads through it
   * too (ScanFindingsReader), hence half the pool size.
   */
  get bulk(): pg.Pool {
    // Nest ends the pool (onModuleDestroy) before BullMQ's workers finish their running jobs
    // (onApplicationShutdown): such a job's result write gets a fresh pool, as the Prisma client
    // reconnects after $disconnect. Not always: a $disconnect that meets a transaction being
    // started leaves that connection idle in transaction and later queries wait (Prisma 6.19,
    // adapter-pg). The worker's SIGTERM drains its jobs before Nest closes anything, so only a
    // job still running at the shutdown deadline meets this, and the process exits then.
    // allowExitOnIdle: that pool never holds the process.
    if (this.pool.ended) this.pool = this.newPool();
    return this.pool;
  }

  private pool: pg.Pool;

  constructor(private readonly options: StoreOptions) {
    this.client = createPrismaClient(options);
    this.pool = this.newPool();
  }

  private newPool(): pg.Pool {
    const pool = new pg.Pool({
      connectionString: this.options.databaseUrl,
      max: Math.max(2, Math.ceil(this.options.poolSize / 2)),
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: POOL_IDLE_TIMEOUT_MS,
      allowExitOnIdle: true,
    });
    // An idle connection that Postgres closes (a restart, an outage) is dropped by the pool; the
    // error it emits must not end the process. The next query gets a fresh connection or fails.
    pool.on('error', () => undefined);
    // A checked-out client (a transaction's) has no pool listener: when Postgres goes away
    // between its statements, its 'error' event would end the process. The statements in
    // flight are failed by node-postgres itself; the transaction's caller sees that.
    pool.on('connect', (client) => client.on('error', () => undefined));
    return pool;
  }

  /**
   * Closes the pool, waiting at most DISCONNECT_TIMEOUT_MS: a connection broken by a Postgres
   * outage while checked out may never be handed back, and the pool's end would then wait
   * for it forever (the shutdown's own timeout would kill the process with exit code 1).
   */
  async onModuleDestroy(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([this.client.$disconnect(), this.pool.ended ? undefined : this.pool.end()]),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, DISCONNECT_TIMEOUT_MS);
        timer.unref();
      }),
    ]);
    if (timer) clearTimeout(timer);
  }
}
