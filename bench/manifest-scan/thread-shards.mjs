#!/usr/bin/env node
// Scans each file given on a thread of its own, in one process: the first on the main thread,
// the others in worker_threads started before it. Each thread runs the CLI's own scan of one
// file (scanManifests: parse, index, rules, verdicts) and its JSON output (formatJson), and
// posts back only the output's length: no merge, no ordering, nothing written. V8 is tuned as
// the CLI tunes it (flags are the process's, so the workers' too), one parse thread each.
// shard-ceiling.mjs times it on a whole file and on that file's namespace shards: the best an
// in-process split could do.
//   node bench/manifest-scan/thread-shards.mjs FILE [FILE ...]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { tuneV8ForScans } from '#rollsafe/advisor';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { scanManifests } = await import(path.join(root, 'dist/apps/cli/src/manifest-scan.js'));
const { formatJson } = await import(path.join(root, 'dist/apps/cli/src/formatters/json.js'));

async function scanFile(file) {
  const report = await scanManifests(
    [file],
    {},
    () => Promise.resolve(''),
    () => undefined,
  );
  let chars = 0;
  for (const chunk of formatJson(report, false)) chars += chunk.length;
  return chars;
}

if (isMainThread) {
  tuneV8ForScans('one-scan');
  process.env['ROLLSAFE_PARSE_THREADS'] = '1'; // read by scanManifests; workers start with a copy
  const files = process.argv.slice(2);
  if (files.length === 0) throw new Error('usage: thread-shards.mjs FILE [FILE ...]');
  const others = files.slice(1).map(
    (file) =>
      new Promise((resolve, reject) => {
        const worker = new Worker(new URL(import.meta.url), { workerData: file });
        worker.once('message', resolve);
        worker.once('error', reject);
      }),
  );
  const chars = [await scanFile(files[0]), ...(await Promise.all(others))];
  process.stdout.write(`${chars.reduce((a, b) => a + b, 0)}\n`);
  process.exit(0);
} else {
  parentPort.postMessage(await scanFile(workerData));
}
