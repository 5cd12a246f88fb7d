#!/usr/bin/env node
// Scans each file given on a thread of its own, in one process: the first on the main thread,
// the others in worker_threads started before it. Each thread runs what the CLI runs for one
// file (parse, index, rules, verdicts, the findings and verdicts as JSON) and posts back only
// its JSON's length: no merge, no ordering, no output. V8 is tuned as the CLI tunes it (flags
// are the process's, so the workers' too). shard-ceiling.mjs times it on a whole file and on
// that file's namespace shards: the best an in-process split could do.
//   node bench/manifest-scan/thread-shards.mjs FILE [FILE ...]
import fs from 'node:fs';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { RULES, runAdvisor, SnapshotIndex, tuneV8ForScans } from '#rollsafe/advisor';
import { CLI_LIMITS, parseManifests } from '#rollsafe/manifests';
import { serviceVerdicts } from '#rollsafe/simulator';

const CHUNK_ITEMS = 100;

function scanFile(file) {
  const { snapshot, errors } = parseManifests([{ name: file, text: fs.readFileSync(file, 'utf8') }], CLI_LIMITS);
  if (errors.length > 0) throw new Error(`${file}: ${errors[0].message}`);
  const index = new SnapshotIndex(snapshot, {});
  const result = runAdvisor(snapshot, {}, RULES, index);
  const { verdicts } = serviceVerdicts(snapshot, { findings: result.findings, index });
  let chars = 0;
  for (const items of [result.findings, verdicts]) {
    for (let start = 0; start < items.length; start += CHUNK_ITEMS) chars += JSON.stringify(items.slice(start, start + CHUNK_ITEMS)).length;
  }
  return chars;
}

if (isMainThread) {
  tuneV8ForScans('one-scan');
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
  const chars = [scanFile(files[0]), ...(await Promise.all(others))];
  process.stdout.write(`${chars.reduce((a, b) => a + b, 0)}\n`);
  process.exit(0);
} else {
  parentPort.postMessage(scanFile(workerData));
}
