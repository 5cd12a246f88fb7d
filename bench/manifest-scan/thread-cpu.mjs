#!/usr/bin/env node
// Where a scan's CPU goes by thread: the main thread, and V8's platform threads (parallel
// scavenges, concurrent marking and sweeping, background compilation), read from
// /proc/self/task (Linux). Then the same for the floor (js-yaml 4.1 loadAll of the same file),
// each in a fresh process.
//
//   node bench/manifest-scan/thread-cpu.mjs FILE
//
// It answers whether a second core is free for a worker thread: a one-thread scan whose
// platform threads already keep the second core busy has none to give. A second scan with
// `--no-concurrent-recompilation` (V8's optimizing compiler on the main thread) tells how much of
// the other threads' work is compilation and how much garbage collection.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');

/** CPU ms per thread of this process, the main thread first. */
function threadCpu() {
  const rows = fs.readdirSync('/proc/self/task').map((tid) => {
    const fields = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (clock ticks of 10 ms)
    return { main: Number(tid) === process.pid, ms: ticks * 10 };
  });
  return {
    main: rows.find((row) => row.main)?.ms ?? 0,
    others: rows
      .filter((row) => !row.main)
      .map((row) => row.ms)
      .sort((a, b) => b - a),
  };
}

async function child(what, file) {
  const started = performance.now();
  if (what === 'scan') {
    const { run } = await import(path.join(root, 'dist', 'apps', 'cli', 'src', 'main.js'));
    await run(['scan', file, '--format', 'json']);
  } else {
    const { default: jsYaml4 } = await import('js-yaml-4');
    jsYaml4.loadAll(fs.readFileSync(file, 'utf8'));
  }
  const wall = performance.now() - started;
  process.stderr.write(JSON.stringify({ wall, ...threadCpu() }) + '\n');
}

if (process.argv[2] === '--child') {
  await child(process.argv[3], process.argv[4]);
} else {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node bench/manifest-scan/thread-cpu.mjs FILE\n');
    process.exit(0);
  }
  if (!fs.existsSync('/proc/self/task')) {
    process.stderr.write('thread-cpu: needs Linux (/proc/self/task)\n');
    process.exit(0);
  }
  process.stdout.write(`${path.basename(file)}: CPU by thread, one fresh process each (ms)\n`);
  process.stdout.write(
    '| what | wall | main thread | other threads (each, largest first) | others in all | others / main |\n| --- | ---: | ---: | --- | ---: | ---: |\n',
  );
  const outDir = path.join(here, 'out');
  fs.mkdirSync(outDir, { recursive: true });
  const runs = [
    { what: 'scan', flags: [], label: 'rollsafe scan (1 thread)' },
    // Optimizing compilation moved onto the main thread: what the other threads did besides it is GC.
    { what: 'scan', flags: ['--no-concurrent-recompilation'], label: 'the same, V8 compiling on the main thread' },
    { what: 'floor', flags: [], label: 'js-yaml 4.1 loadAll' },
  ];
  for (const { what, flags, label } of runs) {
    // The scan's output into a file, as run.mjs writes it.
    const out = fs.openSync(path.join(outDir, `thread-cpu-${what}.out`), 'w');
    const result = spawnSync(process.execPath, [...flags, fileURLToPath(import.meta.url), '--child', what, file], {
      cwd: root,
      env: { ...process.env, ROLLSAFE_PARSE_THREADS: '1' },
      stdio: ['ignore', out, 'pipe'],
      encoding: 'utf8',
    });
    fs.closeSync(out);
    const line = result.stderr.trim().split('\n').pop() ?? '';
    const { wall, main, others } = JSON.parse(line);
    const busy = others.filter((ms) => ms > 0);
    const sum = busy.reduce((a, b) => a + b, 0);
    process.stdout.write(`| ${label} | ${wall.toFixed(0)} | ${main} | ${busy.join(', ')} | ${sum} | ${(sum / main).toFixed(2)} |\n`);
  }
}
