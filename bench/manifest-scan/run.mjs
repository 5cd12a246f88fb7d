#!/usr/bin/env node
// The manifest-scan benchmark (issue 13): the whole scan against the fastest YAML parse.
//
//   node bench/manifest-scan/run.mjs [--corpus apps,helm] [--apps 2000,20000] [--releases 20,200]
//                                    [--threads 1,2] [--split parse|namespaces] [--repeat 3] [--seed 42]
//                                    [--yaml-max-mb 40] [--no-time]
//
// Two corpora, each at two sizes 10x apart: `apps` (generate.mjs: Deployments, Services, PDBs,
// HPAs shaped like helm output) and `helm` (generate-helm.mjs: releases of large charts, with
// long ConfigMaps, CRDs with big schemas, many small Services). For each file, `repeat` times,
// alternating so that background load hits all alike, each in a fresh process:
//   floors    node floor.mjs FILE js-yaml-4 | js-yaml-5 | yaml    (read + loadAll, nothing else)
//   scan      ROLLSAFE_PARSE_THREADS=T bin/rollsafe scan FILE --format json > out/scan-*.json
//             (--split namespaces: ROLLSAFE_SCAN_THREADS=T, the scan split by namespace instead)
// and prints the medians, the scan's ratio to the fastest floor (wall clock, and the median of
// the per-run ratios), peak RSS against the leanest floor's, the speed-up per thread count, and
// time(10x) / time(1x). Checks that every thread count wrote the same JSON. Always exits 0.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateFile } from './generate.mjs';
import { generateHelmFile } from './generate-helm.mjs';
import { timed as timedRun, timeIsUsable } from '../shared/timed-run.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const outDir = path.join(here, 'out');
const stampFile = path.join(root, 'dist', '.build-stamp');
const RATIO_GOAL = 1.3;
const RSS_GOAL = 1.5;
const LINEARITY_GOAL = 10.5;
const FLOORS = ['js-yaml-4', 'js-yaml-5', 'yaml'];

function option(args, name, fallback) {
  const at = args.indexOf(`--${name}`);
  if (at >= 0 && args[at + 1] !== undefined) return args[at + 1];
  const inline = args.find((a) => a.startsWith(`--${name}=`));
  return inline ? inline.slice(name.length + 3) : fallback;
}
const numbers = (text) =>
  text
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n > 0)
    .sort((a, b) => a - b);

const args = process.argv.slice(2);
const corpora = option(args, 'corpus', 'apps,helm').split(',');
const appSizes = numbers(option(args, 'apps', '2000,20000'));
const releaseSizes = numbers(option(args, 'releases', '20,200'));
const threadCounts = numbers(option(args, 'threads', [...new Set([1, Math.min(os.availableParallelism(), 4)])].join(',')));
// How a scan of more than one thread splits its work: `parse` (ROLLSAFE_PARSE_THREADS, the parse
// alone) or `namespaces` (ROLLSAFE_SCAN_THREADS, parse, rules and verdicts by namespace shard).
const split = option(args, 'split', 'parse');
if (split !== 'parse' && split !== 'namespaces') throw new Error(`--split is parse or namespaces, not ${split}`);
const repeat = Math.max(1, Number(option(args, 'repeat', '3')) || 3);
const seed = Number(option(args, 'seed', '42')) || 42;
const yamlMaxMb = Number(option(args, 'yaml-max-mb', '40'));
const haveTime = timeIsUsable(args.includes('--no-time'));
const timed = (command, commandArgs, stdoutFile, env) =>
  timedRun({ command, args: commandArgs, stdoutFile, cwd: root, scratchDir: outDir, useTime: haveTime, ...(env ? { env } : {}) });

const log = (line) => process.stderr.write(`${line}\n`);
const median = (values) => {
  const sorted = values.filter((v) => v !== undefined && !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const stampMtime = () => {
  try {
    return fs.statSync(stampFile).mtimeMs;
  } catch {
    return 0;
  }
};
const loadAverage = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

async function buildIsStale() {
  const { buildIsStale: stale } = await import(path.join(root, 'tools', 'build.mjs'));
  return stale();
}

function buildIfStale() {
  const result = spawnSync(process.execPath, [path.join(root, 'tools', 'build.mjs'), '--if-stale'], { cwd: root, stdio: ['ignore', 2, 2] });
  return result.status === 0;
}

function sourceState() {
  const git = (...gitArgs) => spawnSync('git', gitArgs, { cwd: root, encoding: 'utf8' });
  const head = git('rev-parse', '--short', 'HEAD');
  if (head.status !== 0) return 'not a git checkout';
  const dirty = git('status', '--porcelain', '--', 'libs', 'apps', 'tools', 'bin').stdout.trim() !== '';
  return `commit ${head.stdout.trim()}${dirty ? ' + uncommitted changes in libs/apps' : ''}`;
}

const fmt = (n, digits = 2) => (n === undefined || Number.isNaN(n) ? 'n/a' : n.toFixed(digits));
const fmtInt = (n) => (n === undefined ? 'n/a' : Math.round(n).toLocaleString('en-US'));

function generateInput(corpus, size) {
  if (corpus === 'helm') {
    const file = path.join(outDir, `helm-${size}.yaml`);
    return { label: `${fmtInt(size)} releases`, ...generateHelmFile({ releases: size, seed, file }) };
  }
  const file = path.join(outDir, `apps-${size}.yaml`);
  return { label: `${fmtInt(size)} apps`, ...generateFile({ apps: size, seed, file }) };
}

function threadsEnv(threads) {
  if (split === 'parse') return { ROLLSAFE_PARSE_THREADS: String(threads), ROLLSAFE_SCAN_THREADS: '1' };
  return { ROLLSAFE_PARSE_THREADS: '1', ROLLSAFE_SCAN_THREADS: String(threads), ROLLSAFE_SCAN_SHARD_MIN_CHARS: '0' };
}

async function scanOnce(file, threads, outFile) {
  if (await buildIsStale()) {
    log('  sources changed: rebuilding before the timed run');
    buildIfStale();
  }
  let scan;
  for (let attempt = 0; attempt < 3; attempt++) {
    const stampBefore = stampMtime();
    scan = timed(path.join(root, 'bin', 'rollsafe'), ['scan', file, '--format', 'json'], outFile, { ...process.env, ...threadsEnv(threads) });
    if (stampMtime() === stampBefore) break;
    log('  the build stamp changed during the run (it included a compile): discarded, running again');
  }
  return scan;
}

async function measure(corpus, size) {
  const started = Date.now();
  const input = generateInput(corpus, size);
  const mb = input.bytes / 1e6;
  log(`generated ${path.relative(root, input.file)}: ${input.documents} documents, ${mb.toFixed(1)} MB in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const floors = FLOORS.filter((name) => name !== 'yaml' || mb <= yamlMaxMb);
  const runs = Object.fromEntries([...floors.map((f) => [f, []]), ...threadCounts.map((t) => [`scan-${t}`, []])]);
  const notes = [];
  const outputs = {};
  for (let i = 0; i < repeat; i++) {
    for (const floor of floors) {
      const run = timed(process.execPath, [path.join(here, 'floor.mjs'), input.file, floor], path.join(outDir, `floor-${corpus}-${size}.txt`));
      if (run.status !== 0) notes.push(`${floor} exited ${run.status}: ${run.stderr.trim().split('\n').pop()}`);
      runs[floor].push(run);
    }
    for (const threads of threadCounts) {
      const outFile = path.join(outDir, `scan-${corpus}-${size}-t${threads}.json`);
      const run = await scanOnce(input.file, threads, outFile);
      if (run.status !== 0 && run.status !== 1)
        notes.push(`scan (${threads} threads) exited ${run.status}: ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      runs[`scan-${threads}`].push(run);
      outputs[threads] = outFile;
    }
    log(
      `  ${input.label}, run ${i + 1}/${repeat} (load ${loadAverage()}): ${Object.entries(runs)
        .map(([name, list]) => `${name} ${list[list.length - 1].seconds.toFixed(2)} s`)
        .join(', ')}`,
    );
  }
  const reference = outputs[threadCounts[0]] && fs.readFileSync(outputs[threadCounts[0]]);
  for (const threads of threadCounts.slice(1)) {
    if (!reference || !fs.readFileSync(outputs[threads]).equals(reference))
      notes.push(`the JSON of ${threads} threads differs from ${threadCounts[0]} thread(s)`);
  }
  let findings;
  try {
    const report = JSON.parse(fs.readFileSync(outputs[threadCounts[0]], 'utf8'));
    findings = { total: report.findings.length, ...report.summary, errors: report.errors?.length ?? 0, warnings: report.warnings?.length ?? 0 };
  } catch (error) {
    notes.push(`could not read the JSON report: ${error.message}`);
  }
  const seconds = Object.fromEntries(Object.entries(runs).map(([name, list]) => [name, median(list.map((r) => r.seconds))]));
  const cpu = Object.fromEntries(Object.entries(runs).map(([name, list]) => [name, median(list.map((r) => r.cpuSeconds))]));
  const rssMb = Object.fromEntries(Object.entries(runs).map(([name, list]) => [name, median(list.map((r) => r.rssKb && r.rssKb / 1024))]));
  const fastest = floors.reduce((best, f) => (seconds[f] < seconds[best] ? f : best), floors[0]);
  // Memory is compared with the leanest floor (js-yaml 5 needs 3x js-yaml 4's; a tie in time must not hide it).
  const leanestRssMb = Math.min(...floors.map((f) => rssMb[f] ?? Infinity));
  const scans = Object.fromEntries(
    threadCounts.map((t) => {
      const name = `scan-${t}`;
      return [
        t,
        {
          seconds: seconds[name],
          ratio: seconds[name] / seconds[fastest],
          pairedRatio: median(runs[name].map((r, i) => r.seconds / runs[fastest][i].seconds)),
          cpuRatio: cpu[name] && cpu[fastest] ? cpu[name] / cpu[fastest] : undefined,
          rssMb: rssMb[name],
          rssRatio: rssMb[name] && Number.isFinite(leanestRssMb) ? rssMb[name] / leanestRssMb : undefined,
          speedUp: seconds[`scan-${threadCounts[0]}`] / seconds[name],
        },
      ];
    }),
  );
  return {
    corpus,
    size,
    label: input.label,
    documents: input.documents,
    bytes: input.bytes,
    floors,
    seconds,
    cpu,
    rssMb,
    leanestRssMb,
    fastest,
    scans,
    runs: mapRuns(runs),
    findings,
    notes,
  };
}

function mapRuns(runs) {
  return Object.fromEntries(
    Object.entries(runs).map(([name, list]) => [name, list.map((r) => ({ seconds: r.seconds, cpuSeconds: r.cpuSeconds, rssKb: r.rssKb }))]),
  );
}

function table(rows) {
  const header = [
    'size',
    'docs',
    'MB',
    ...FLOORS.map((f) => `${f} s`),
    ...threadCounts.map((t) => `scan ${t}T s`),
    'fastest',
    ...threadCounts.map((t) => `ratio ${t}T`),
    'leanest floor RSS',
    'scan RSS',
    'RSS ratio',
  ];
  const cells = rows.map((r) => [
    r.label,
    fmtInt(r.documents),
    fmt(r.bytes / 1e6, 1),
    ...FLOORS.map((f) => fmt(r.seconds[f])),
    ...threadCounts.map((t) => fmt(r.scans[t].seconds)),
    r.fastest,
    ...threadCounts.map((t) => fmt(r.scans[t].ratio)),
    fmtInt(r.leanestRssMb),
    fmtInt(r.scans[threadCounts[0]].rssMb),
    fmt(r.scans[threadCounts[0]].rssRatio),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i].length)));
  const line = (row) => `| ${row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  return [line(header), `|${widths.map((w, i) => (i === 0 ? ':' : '-') + '-'.repeat(w) + (i === 0 ? '-' : ':')).join('|')}|`, ...cells.map(line)];
}

async function main() {
  fs.mkdirSync(outDir, { recursive: true });
  const benchStarted = Date.now();
  log(
    `manifest-scan benchmark: corpora ${corpora.join(', ')}; threads ${threadCounts.join(', ')} (split: ${split}); ${repeat} repeat(s); seed ${seed}; peak RSS via ${haveTime ? '/usr/bin/time -v' : 'process.resourceUsage()'}`,
  );
  log('building the CLI if stale (node tools/build.mjs --if-stale) ...');
  if (!buildIfStale()) log('warning: the build failed; bin/rollsafe will try again and the first timing may include tsc');
  const loadBefore = loadAverage();

  const results = [];
  for (const corpus of corpora) {
    const sizes = corpus === 'helm' ? releaseSizes : appSizes;
    const rows = [];
    for (const size of sizes) rows.push(await measure(corpus, size));
    results.push({ corpus, rows });
  }

  const out = [''];
  out.push(
    `manifest-scan: median of ${repeat} run(s), wall clock, each in a fresh process (node ${process.version}, ${os.availableParallelism()} CPUs, load average ${loadBefore} at the start and ${loadAverage()} at the end, ${sourceState()})`,
  );
  const goals = [];
  for (const { corpus, rows } of results) {
    out.push('', `corpus ${corpus}:`, ...table(rows), '');
    for (const r of rows) {
      out.push(
        `${r.label}: ${threadCounts
          .map(
            (t) =>
              `${t}T median per-run ratio ${fmt(r.scans[t].pairedRatio)}, CPU ratio ${fmt(r.scans[t].cpuRatio)}, speed-up ${fmt(r.scans[t].speedUp)}x, RSS ${fmtInt(r.scans[t].rssMb)} MB`,
          )
          .join('; ')}`,
      );
      if (r.findings)
        out.push(
          `  findings ${r.findings.total} (critical ${r.findings.critical}, warning ${r.findings.warning}, info ${r.findings.info}, suppressed ${r.findings.suppressed}), input errors ${r.findings.errors}, warnings ${r.findings.warnings}`,
        );
      for (const note of r.notes) out.push(`  note: ${note}`);
      const best = Math.min(...threadCounts.map((t) => r.scans[t].ratio));
      goals.push({ name: `${corpus} ${r.label}: scan <= ${RATIO_GOAL}x the fastest floor (${r.fastest})`, value: best, met: best <= RATIO_GOAL });
      const rss = r.scans[threadCounts[0]].rssRatio;
      if (rss !== undefined) goals.push({ name: `${corpus} ${r.label}: peak RSS <= ${RSS_GOAL}x the leanest floor's`, value: rss, met: rss <= RSS_GOAL });
    }
    if (rows.length >= 2) {
      const small = rows[0];
      const large = rows[rows.length - 1];
      const scale = large.bytes / small.bytes;
      const scanScale = large.scans[threadCounts[0]].seconds / small.scans[threadCounts[0]].seconds;
      const floorScale = large.seconds[large.fastest] / small.seconds[small.fastest];
      out.push(
        `linearity (${corpus}): input x${scale.toFixed(1)}; scan (${threadCounts[0]}T) x${scanScale.toFixed(2)}, fastest floor x${floorScale.toFixed(2)}`,
      );
      goals.push({ name: `${corpus}: time(${large.label}) <= ${LINEARITY_GOAL} x time(${small.label})`, value: scanScale, met: scanScale <= LINEARITY_GOAL });
    }
  }
  out.push('');
  for (const goal of goals) out.push(`goal ${goal.met ? 'MET    ' : 'NOT MET'}  ${goal.name}: ${goal.value.toFixed(2)}`);
  out.push(`total benchmark time ${((Date.now() - benchStarted) / 1000).toFixed(0)} s`);
  process.stdout.write(out.join('\n') + '\n');
  fs.writeFileSync(
    path.join(outDir, 'results.json'),
    JSON.stringify({ date: new Date().toISOString(), node: process.version, source: sourceState(), repeat, seed, threadCounts, results, goals }, null, 2) +
      '\n',
  );
}

main()
  .catch((error) => {
    process.stderr.write(`manifest-scan: ${error?.stack ?? error}\n`);
  })
  .finally(() => {
    process.exitCode = 0;
  });
