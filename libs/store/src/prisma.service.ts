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

/**
 * Each session of the plain pool plans a named statement once and keeps that plan. Postgres's
 * default (`auto`) planned the findings page anew at every execution: its generic plan (the
 * scan and organization as parameters) looked costlier than a plan for the values, so each page
 * paid 0.3-0.7 ms of planning for 0.1-0.4 ms of execution, on the core the API needs too
 * (bench/load). The page's statements filter on an index's leading columns and read in its
 * order, so one plan suits every value, but one: filtered by both severity and rule, the plan
 * walks the rule's index, and a rule that is most of a scan with few findings of that severity
 * is slow (a 600,000-finding scan, half of it one rule: 94 ms, where a plan for the values
 * walked the severity's index in 44 ms; no index has both). The result write, whose plans do
 * depend on the values (thousands of rows in one unnest), sets `auto` back for its transaction
 * (PLAN_FOR_VALUES).
 */
export const PLAIN_POOL_SESSION = 'SET plan_cache_mode = force_generic_plan';

/** A transaction's first statement after BEGIN on the plain pool: plans for the values again. */
export const PLAN_FOR_VALUES = 'SET LOCAL plan_cache_mode = auto';

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
    pool.on('connect', (client) => {
      client.on('error', () => undefined);
      // Queued before the statement the connection was opened for. A failure (the connection
      // lost) fails that statement too; the session only plans more often without it.
      client.query(PLAIN_POOL_SESSION).catch(() => undefined);
    });
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
