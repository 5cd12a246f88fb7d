#!/usr/bin/env node
// How much could a scan gain by splitting its work by namespace across N threads? The ceiling,
// measured without building it: the file's documents dealt into N files by namespace (every
// namespace in one file, so each file's Services, workloads, PDBs and HPAs stay together), then
// N whole CLI scans of those files side by side against one scan of the whole file; then the
// same inside one process, each file on a thread of its own (thread-shards.mjs), against that
// script on the whole file. A sharded scan would also pay for sending results between threads
// and merging them, so it can only do worse than these.
//   node bench/manifest-scan/shard-ceiling.mjs FILE [--shards 2] [--repeat 3]
// Namespaces are read off the `  namespace:` line under `metadata:` of each document: enough for
// the generated corpora, not a parser. Prints the medians and the ratio whole / side by side.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { numberOption } from '../shared/options.mjs';
import { median } from '../shared/stats.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const file = args[0];
if (!file || !fs.existsSync(file)) throw new Error('usage: shard-ceiling.mjs FILE [--shards 2] [--repeat 3]');
const shards = Math.max(2, numberOption(args, 'shards', 2));
const repeat = Math.max(1, numberOption(args, 'repeat', 3));

const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollsafe-shards-'));
const documents = fs.readFileSync(file, 'utf8').split(/^---$/m);
const namespaces = [...new Set(documents.map(namespaceOf))].sort();
const shardOf = new Map(namespaces.map((namespace, index) => [namespace, index % shards]));
const parts = Array.from({ length: shards }, () => []);
for (const document of documents) parts[shardOf.get(namespaceOf(document))].push(document);
const shardFiles = parts.map((part, index) => {
  const shardFile = path.join(outDir, `shard-${index}.yaml`);
  fs.writeFileSync(shardFile, part.join('---\n'));
  return shardFile;
});
process.stderr.write(`${documents.length} documents, ${namespaces.length} namespaces, shards of ${parts.map((part) => part.length).join(' / ')} documents\n`);

const cli = path.join(root, 'dist/cli/rollsafe.js');
const threadShards = path.join(root, 'bench/manifest-scan/thread-shards.mjs');
const run = (args) =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ROLLSAFE_PARSE_THREADS: '1' } });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 || code === 1 ? resolve() : reject(new Error(`${args.join(' ')} exited with ${code}`))));
  });
const scan = (input) => run([cli, 'scan', input, '--format', 'json']);
const timed = async (work) => {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e9;
};

const whole = [];
const sideBySide = [];
const wholeInThread = [];
const inThreads = [];
for (let round = 0; round < repeat; round++) {
  whole.push(await timed(() => scan(file)));
  sideBySide.push(await timed(() => Promise.all(shardFiles.map(scan))));
  wholeInThread.push(await timed(() => run([threadShards, file])));
  inThreads.push(await timed(() => run([threadShards, ...shardFiles])));
}
fs.rmSync(outDir, { recursive: true, force: true });
const ratio = (a, b) => (median(a) / median(b)).toFixed(2);
process.stdout.write(
  `${path.basename(file)} (${os.availableParallelism()} cores, medians of ${repeat}):\n` +
    `  processes: one CLI scan of the whole file ${median(whole).toFixed(2)} s; ${shards} of its namespaces side by side ${median(sideBySide).toFixed(2)} s; ceiling ${ratio(whole, sideBySide)}x\n` +
    `  threads:   the engine on the whole file ${median(wholeInThread).toFixed(2)} s; on its ${shards} namespace shards, a thread each, in one process ${median(inThreads).toFixed(2)} s; ceiling ${ratio(wholeInThread, inThreads)}x\n`,
);

function namespaceOf(document) {
  return /^metadata:\s*\n(?:[ \t]+.*\n)*?[ \t]+namespace:[ \t]*(\S+)/m.exec(document)?.[1] ?? '';
}
