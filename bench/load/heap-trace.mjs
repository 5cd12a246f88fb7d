// Preloaded into the API (`BENCH_NODE_ARGS="--import ./bench/load/heap-trace.mjs"`): what the
// API's old generation gains, and from which allocations. Writes to stderr (out/api.log):
// - every 10 s, how fast the old generation grew (MB/s: the heap's used size without the young
//   generation, summed over the seconds in which it grew, so a full collection's drop is left out)
//   and the full collections in those 10 s;
// - after BENCH_HEAP_SAMPLE_AFTER s (default 20), the sampling heap profiler for
//   BENCH_HEAP_SAMPLE_FOR s (default 30), one sample every BENCH_HEAP_SAMPLE_INTERVAL bytes
//   (default 4096), written to out/api-<pid>.heapprofile (`node bench/load/heap-profile.mjs` sums
//   it by stack). Young objects that died in a scavenge are never kept; with BENCH_HEAP_SAMPLE_MAJOR=1
//   (the default) objects that died in a full collection are kept too: the profile is what was
//   promoted (or allocated old) in the window, dead or alive. BENCH_HEAP_SAMPLE_MAJOR=0: only what
//   is still alive when the profile is taken. BENCH_HEAP_SAMPLE_FOR=0: no profile.
// - on SIGUSR2, a heap snapshot to out/ (open it in Chrome's DevTools, Memory tab).
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';

const outDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'out');
const write = (line) => process.stderr.write(`heap-trace: ${line}\n`);
const seconds = (name, fallback) => Number(process.env[name] ?? fallback);
const MB = 1024 * 1024;

const oldGeneration = () =>
  v8
    .getHeapSpaceStatistics()
    .filter((space) => space.space_name !== 'new_space' && space.space_name !== 'new_large_object_space')
    .reduce((sum, space) => sum + space.space_used_size, 0);

let fullCollections = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) fullCollections += 1;
}).observe({ entryTypes: ['gc'] });

let last = oldGeneration();
let grown = 0;
let tick = 0;
setInterval(() => {
  const now = oldGeneration();
  if (now > last) grown += now - last;
  last = now;
  tick += 1;
  if (tick % 10 === 0) {
    write(`old generation +${(grown / MB / 10).toFixed(2)} MB/s, now ${(now / MB).toFixed(1)} MB, ${fullCollections} full collections in 10 s`);
    grown = 0;
    fullCollections = 0;
  }
}, 1000).unref();

const after = seconds('BENCH_HEAP_SAMPLE_AFTER', 20);
const duration = seconds('BENCH_HEAP_SAMPLE_FOR', 30);
if (duration > 0) {
  const session = new Session();
  session.connect();
  setTimeout(async () => {
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: seconds('BENCH_HEAP_SAMPLE_INTERVAL', 4096),
      includeObjectsCollectedByMajorGC: process.env.BENCH_HEAP_SAMPLE_MAJOR !== '0',
      includeObjectsCollectedByMinorGC: process.env.BENCH_HEAP_SAMPLE_MINOR === '1',
    });
    write(`sampling heap profiler started`);
    setTimeout(async () => {
      const { profile } = await session.post('HeapProfiler.stopSampling');
      const file = path.join(outDir, `api-${process.pid}.heapprofile`);
      fs.writeFileSync(file, JSON.stringify(profile));
      write(`sampling heap profile of ${duration} s written to ${file}`);
    }, duration * 1000).unref();
  }, after * 1000).unref();
}

process.on('SIGUSR2', () => {
  const file = v8.writeHeapSnapshot(path.join(outDir, `api-${process.pid}-${Date.now()}.heapsnapshot`));
  write(`heap snapshot written to ${file}`);
});
