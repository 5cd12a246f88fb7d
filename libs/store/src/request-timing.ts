// Where a slow request's time went, for the load benchmark (bench/load, BENCH_TRACE_SLOW):
// with ROLLSAFE_TRACE_SLOW_MS set, each request keeps the waits of its I/O (the Postgres pool's
// checkout and each query, each Redis command) and one line is logged for the requests slower
// than that. Off (the default), nothing is kept: `currentTiming()` is one comparison of a
// module constant, and no AsyncLocalStorage exists.
import { AsyncLocalStorage } from 'node:async_hooks';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import type pg from 'pg';

function thresholdFromEnvironment(value: string | undefined): number | undefined {
  const ms = Number(value);
  return value !== undefined && value !== '' && Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/** The threshold in ms of ROLLSAFE_TRACE_SLOW_MS; undefined (no timing at all) when unset. */
export const TRACE_SLOW_MS = thresholdFromEnvironment(process.env['ROLLSAFE_TRACE_SLOW_MS']);

/** One request's timed waits: each with its start (from the request's) and its length, in ms. */
export class RequestTiming {
  readonly startedAt = Date.now();
  private readonly started = performance.now();
  private readonly loopBefore: EventLoopUtilization = performance.eventLoopUtilization();
  private readonly steps: string[] = [];

  /** Now, in ms since the request's start. */
  now(): number {
    return performance.now() - this.started;
  }

  /** A moment of the request (`label @ms`). */
  mark(label: string): void {
    this.steps.push(`${label} @${this.now().toFixed(1)}`);
  }

  /** A step from `from` (ms since the start, from now()) to now, with a note (sizes, counts). */
  step(label: string, from: number, note?: string): void {
    const to = this.now();
    this.steps.push(`${label} @${from.toFixed(1)} ${(to - from).toFixed(1)}ms${note ? ` (${note})` : ''}`);
  }

  /** What to log: the steps in order, the total, and how busy the event loop was meanwhile. */
  summary(): { totalMs: number; startedAt: string; loopBusy: string; steps: string } {
    const loop = performance.eventLoopUtilization(this.loopBefore);
    return {
      totalMs: Math.round(this.now() * 10) / 10,
      startedAt: new Date(this.startedAt).toISOString(),
      loopBusy: `${Math.round(loop.utilization * 100)}%`,
      steps: this.steps.join(' | '),
    };
  }
}

const storage: AsyncLocalStorage<RequestTiming> | undefined = TRACE_SLOW_MS !== undefined ? new AsyncLocalStorage<RequestTiming>() : undefined;

/** The current request's timing; undefined when timing is off or outside a timed request. */
export function currentTiming(): RequestTiming | undefined {
  return storage?.getStore();
}

/** Runs `fn` (a request's handling) with a timing of its own; just runs it when timing is off. */
export function runTimed<T>(timing: RequestTiming | undefined, fn: () => T): T {
  return storage && timing ? storage.run(timing, fn) : fn();
}

/** Times `promise` as a step of the current request (just returns it when timing is off). */
export function timed<T>(label: string, promise: Promise<T>): Promise<T> {
  const timing = currentTiming();
  if (!timing) return promise;
  const from = timing.now();
  return promise.finally(() => timing.step(label, from));
}

/**
 * pool.query, with the pool's checkout and the query timed apart when timing is on (and the
 * pool's state when the checkout began: connections open, idle, requests already waiting).
 */
export async function poolQuery<R extends pg.QueryResultRow>(pool: pg.Pool, config: pg.QueryConfig & { rowMode?: 'array' }): Promise<pg.QueryResult<R>> {
  const timing = currentTiming();
  if (!timing) return pool.query<R>(config);
  const asked = timing.now();
  const state = `open ${pool.totalCount} idle ${pool.idleCount} waiting ${pool.waitingCount}`;
  const client = await pool.connect();
  timing.step('pg checkout', asked, state);
  const sent = timing.now();
  try {
    const result = await client.query<R>(config);
    timing.step(`pg ${config.name ?? 'query'}`, sent, `${result.rowCount ?? 0} rows`);
    client.release();
    return result;
  } catch (error) {
    client.release(error instanceof Error ? error : true);
    throw error;
  }
}
