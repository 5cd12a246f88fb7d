// Preloaded into the API (`BENCH_NODE_ARGS="--import ./bench/load/loop-trace.mjs"`): writes a
// line to stderr (the API's log) with wall-clock times, to set beside BENCH_TRACE_SLOW's slow
// requests, for
// - every event-loop block over 30 ms (one callback or collection holding the loop);
// - every run of 100 ms windows in which the loop was busy 97 % of the time or more: many short
//   callbacks and collection steps in a row, none over 30 ms, hold requests as long as a block;
// - every full (mark-compact) collection, with the incremental marking steps that led to it
//   (each a few ms, on the loop, over the 50-150 ms before it; its own entry is the final pause
//   only), and every young-generation collection (scavenge) over 10 ms.
import { PerformanceObserver, constants, performance } from 'node:perf_hooks';

const BLOCK_MS = 30;
const BUSY_WINDOW_MS = 100;
const BUSY_SHARE = 0.97;
const GC_MS = 10;
const wall = (at) => Math.round(performance.timeOrigin + at);
const write = (line) => process.stderr.write(`loop-trace: ${line}\n`);

let expected = performance.now() + 5;
setInterval(() => {
  const now = performance.now();
  const late = now - expected;
  if (late > BLOCK_MS) write(`loop blocked ${late.toFixed(1)} ms, ended at wall ${wall(now)}`);
  expected = now + 5;
}, 5).unref();

// Runs of busy windows, one line each: how long and how busy.
let window = performance.eventLoopUtilization();
let run = { windows: 0, busy: 0 };
setInterval(() => {
  const next = performance.eventLoopUtilization();
  const busy = performance.eventLoopUtilization(next, window).utilization;
  window = next;
  if (busy >= BUSY_SHARE) {
    run.windows += 1;
    run.busy += busy;
    return;
  }
  if (run.windows > 0) {
    write(
      `loop busy ${Math.round((run.busy / run.windows) * 100)}% for ${run.windows * BUSY_WINDOW_MS} ms, ending at wall ${wall(performance.now() - BUSY_WINDOW_MS)}`,
    );
  }
  run = { windows: 0, busy: 0 };
}, BUSY_WINDOW_MS).unref();

// Incremental marking steps since the last full collection: count, sum, first start.
let marking = { steps: 0, ms: 0, from: undefined };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const kind = entry.detail?.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_INCREMENTAL) {
      marking.steps += 1;
      marking.ms += entry.duration;
      marking.from ??= entry.startTime;
    } else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
      const since = marking.from !== undefined ? `, after ${marking.steps} marking steps of ${marking.ms.toFixed(1)} ms from wall ${wall(marking.from)}` : '';
      write(`full gc ${entry.duration.toFixed(1)} ms at wall ${wall(entry.startTime)}${since}`);
      marking = { steps: 0, ms: 0, from: undefined };
    } else if (entry.duration >= GC_MS) {
      write(`gc kind ${kind} ${entry.duration.toFixed(1)} ms, started at wall ${wall(entry.startTime)}`);
    }
  }
}).observe({ entryTypes: ['gc'] });
