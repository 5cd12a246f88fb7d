#!/usr/bin/env node
// The live-scan benchmark (issue 4, item 9).
//
//   node bench/live-scan/run.mjs [--nodes 5000] [--pods 150000] [--services 3000] [--repeat 3]
//
// Starts the libs/testing fake kube-apiserver with kubeScenarios.large(...) in a child process
// (fake-server.mjs), then times, each in a fresh process and alternating so that background
// load hits both alike:
//   floor     node bench/live-scan/floor.mjs KUBECONFIG        (bare node:https paging + JSON.parse)
//   rollsafe  bin/rollsafe scan --kubeconfig KUBECONFIG --format json > out/scan.json
// and prints the medians, objects per second, the ratio rollsafe/floor and peak RSS.
// Goals: ratio <= 1.5 and peak RSS <= 2 GiB. Always exits 0: it is a benchmark.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { timed as timedRun, timeIsUsable } from '../shared/timed-run.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const outDir = path.join(here, 'out');
const kubeconfig = path.join(outDir, 'kubeconfig.yaml');
const RATIO_GOAL = 1.5;
const RSS_GOAL_MB = 2048;

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && args[at + 1] !== undefined ? Number(args[at + 1]) : fallback;
};
const size = { nodes: option('nodes', 5000), pods: option('pods', 150000), services: option('services', 3000) };
const repeat = Math.max(1, option('repeat', 3));
const haveTime = timeIsUsable();
const timed = (command, commandArgs, stdoutFile) => timedRun({ command, args: commandArgs, stdoutFile, cwd: root, scratchDir: outDir, useTime: haveTime });
const log = (line) => process.stderr.write(`${line}\n`);
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function buildIfStale() {
  return spawnSync(process.execPath, [path.join(root, 'tools', 'build.mjs'), '--if-stale'], { cwd: root, stdio: ['ignore', 2, 2] }).status === 0;
}

/** bin/rollsafe, compiled first (untimed). */
function cliCommand() {
  if (!buildIfStale()) throw new Error('the workspace does not compile: run `npm run build` to see why');
  return [path.join(root, 'bin', 'rollsafe')];
}

/** Starts fake-server.mjs and waits for its "listening" line (bounded: 5 minutes). */
async function startServer() {
  const child = spawn(
    process.execPath,
    ['--max-old-space-size=6144', path.join(here, 'fake-server.mjs'), kubeconfig, ...Object.entries(size).flatMap(([k, v]) => [`--${k}`, String(v)])],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines = readline.createInterface({ input: child.stdout });
  const ready = await Promise.race([
    new Promise((resolve) => lines.once('line', (line) => resolve(JSON.parse(line)))),
    new Promise((_, reject) => child.once('exit', (code) => reject(new Error(`the fake apiserver exited (${code}) before listening`)))),
    new Promise((_, reject) => setTimeout(() => reject(new Error('the fake apiserver did not start within 5 minutes')), 300_000).unref()),
  ]);
  return { child, ...ready };
}

function stopServer(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function sourceState() {
  const git = (...gitArgs) => spawnSync('git', gitArgs, { cwd: root, encoding: 'utf8' });
  const head = git('rev-parse', '--short', 'HEAD').stdout.trim();
  const dirty = git('status', '--porcelain', '--', 'libs/kube', 'libs/advisor', 'apps/cli').stdout.trim() !== '';
  return `commit ${head}${dirty ? ' + uncommitted changes in libs/kube, libs/advisor or apps/cli' : ''}`;
}

const fmt = (n, digits = 2) => (n === undefined || Number.isNaN(n) ? 'n/a' : n.toFixed(digits));
const fmtInt = (n) => (n === undefined ? 'n/a' : Math.round(n).toLocaleString('en-US'));

async function main() {
  fs.mkdirSync(outDir, { recursive: true });
  log(
    `live-scan benchmark: ${size.nodes} nodes, ${size.pods} pods, ${size.services} services; ${repeat} repeat(s); peak RSS via ${haveTime ? '/usr/bin/time -v' : 'process.resourceUsage()'}`,
  );
  const cli = cliCommand();
  const server = await startServer();
  log(`fake apiserver at ${server.url} (scenario built and listening in ${server.buildSeconds.toFixed(1)} s)`);
  const floorOut = path.join(outDir, 'floor.txt');
  const scanOut = path.join(outDir, 'scan.json');
  const floorRuns = [];
  const scanRuns = [];
  const notes = [];
  try {
    for (let i = 0; i < repeat; i++) {
      const floor = timed(process.execPath, [path.join(here, 'floor.mjs'), kubeconfig], floorOut);
      if (floor.status !== 0) notes.push(`floor exited ${floor.status}: ${floor.stderr.trim().split('\n').pop()}`);
      floorRuns.push(floor);
      const scan = timed(cli[0], [...cli.slice(1), 'scan', '--kubeconfig', kubeconfig, '--format', 'json', '--fail-on', 'none'], scanOut);
      if (scan.status !== 0) notes.push(`rollsafe exited ${scan.status}: ${scan.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      scanRuns.push(scan);
      log(`  run ${i + 1}/${repeat}: floor ${floor.seconds.toFixed(2)} s, rollsafe ${scan.seconds.toFixed(2)} s (exit ${scan.status})`);
    }
  } finally {
    await stopServer(server.child);
  }

  const objects = Number(/^(\d+) objects/.exec(fs.readFileSync(floorOut, 'utf8'))?.[1]);
  let findings;
  try {
    const report = JSON.parse(fs.readFileSync(scanOut, 'utf8'));
    findings = { total: report.findings.length, ...report.summary };
  } catch (error) {
    notes.push(`could not read the JSON report: ${error.message}`);
  }
  const floorSeconds = median(floorRuns.map((r) => r.seconds));
  const scanSeconds = median(scanRuns.map((r) => r.seconds));
  const rss = (runs) => (runs.every((r) => r.rssKb) ? median(runs.map((r) => r.rssKb)) / 1024 : undefined);
  const row = {
    ...size,
    objects,
    floorSeconds,
    scanSeconds,
    floorRuns: floorRuns.map((r) => r.seconds),
    scanRuns: scanRuns.map((r) => r.seconds),
    ratio: scanSeconds / floorSeconds,
    pairedRatio: median(scanRuns.map((r, i) => r.seconds / floorRuns[i].seconds)),
    floorObjectsPerSecond: objects / floorSeconds,
    scanObjectsPerSecond: objects / scanSeconds,
    floorCpuSeconds: floorRuns.every((r) => r.cpuSeconds) ? median(floorRuns.map((r) => r.cpuSeconds)) : undefined,
    scanCpuSeconds: scanRuns.every((r) => r.cpuSeconds) ? median(scanRuns.map((r) => r.cpuSeconds)) : undefined,
    floorRssMb: rss(floorRuns),
    scanRssMb: rss(scanRuns),
    findings,
    notes,
    source: sourceState(),
    measuredAt: new Date().toISOString(),
  };
  fs.writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(row, null, 2) + '\n');

  const lines = [
    '',
    `| objects | floor s | rollsafe s | ratio | floor obj/s | rollsafe obj/s | floor peak RSS MB | rollsafe peak RSS MB |`,
    `| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`,
    `| ${fmtInt(objects)} | ${fmt(floorSeconds)} | ${fmt(scanSeconds)} | ${fmt(row.ratio)} | ${fmtInt(row.floorObjectsPerSecond)} | ${fmtInt(row.scanObjectsPerSecond)} | ${fmtInt(row.floorRssMb)} | ${fmtInt(row.scanRssMb)} |`,
    '',
    `ratio rollsafe/floor ${fmt(row.ratio)} (paired median ${fmt(row.pairedRatio)}): goal <= ${RATIO_GOAL} ${row.ratio <= RATIO_GOAL ? 'met' : 'MISSED'}`,
    `CPU (user+sys, client process only) floor ${fmt(row.floorCpuSeconds)} s, rollsafe ${fmt(row.scanCpuSeconds)} s: ratio ${fmt(row.scanCpuSeconds / row.floorCpuSeconds)}`,
    `peak RSS ${fmtInt(row.scanRssMb)} MB: goal <= ${RSS_GOAL_MB} MB ${row.scanRssMb !== undefined && row.scanRssMb <= RSS_GOAL_MB ? 'met' : row.scanRssMb === undefined ? 'unknown' : 'MISSED'}`,
    findings
      ? `findings: ${findings.total} (critical ${findings.critical}, warning ${findings.warning}, info ${findings.info}, not evaluated ${findings.notEvaluated})`
      : 'findings: n/a',
    `runs (s): floor ${row.floorRuns.map((s) => s.toFixed(2)).join(', ')}; rollsafe ${row.scanRuns.map((s) => s.toFixed(2)).join(', ')}`,
    `source: ${row.source}`,
    ...notes.map((note) => `note: ${note}`),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((error) => {
  log(`live-scan benchmark failed: ${error.stack ?? error.message}`);
  process.exitCode = 0;
});
