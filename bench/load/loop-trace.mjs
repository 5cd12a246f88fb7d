// Preloaded into the API (`BENCH_NODE_ARGS="--import ./bench/load/loop-trace.mjs"`): writes a
// line to stderr (the API's log) for every event-loop block over 30 ms and every garbage
// collection over 10 ms, with wall-clock times, to set beside BENCH_TRACE_SLOW's slow requests.
import { PerformanceObserver, performance } from 'node:perf_hooks';

const BLOCK_MS = 30;
const GC_MS = 10;
let expected = performance.now() + 5;
setInterval(() => {
  const now = performance.now();
  const late = now - expected;
  if (late > BLOCK_MS) process.stderr.write(`loop-trace: loop blocked ${late.toFixed(1)} ms, ended at wall ${Math.round(performance.timeOrigin + now)}\n`);
  expected = now + 5;
}, 5).unref();

new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (entry.duration < GC_MS) continue;
    process.stderr.write(
      `loop-trace: gc kind ${entry.detail?.kind} ${entry.duration.toFixed(1)} ms, started at wall ${Math.round(performance.timeOrigin + entry.startTime)}\n`,
    );
  }
}).observe({ entryTypes: ['gc'] });
