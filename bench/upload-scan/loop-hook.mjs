// Preloaded into the API (NODE_OPTIONS=--import) by run.mjs: measures the main thread's event
// loop delay (perf_hooks.monitorEventLoopDelay, 5 ms resolution). On SIGUSR2 it appends what it
// saw since the previous signal (p50, p99, max in ms, and how many samples) as one JSON line to
// $ROLLSAFE_BENCH_LOOP_FILE, then starts afresh: run.mjs signals before and after each upload.
import fs from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

const file = process.env.ROLLSAFE_BENCH_LOOP_FILE;
if (file && isMainThread) {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  const ms = (ns) => Math.round(ns / 1e4) / 100;
  process.on('SIGUSR2', () => {
    const line = { at: Date.now(), p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max), samples: histogram.count };
    fs.appendFileSync(file, `${JSON.stringify(line)}\n`);
    histogram.reset();
  });
}
