#!/usr/bin/env node
// The manifest-scan benchmark (advisor issue, item 6).
//
//   node bench/manifest-scan/run.mjs [--apps 2000,20000] [--repeat 3] [--seed 42]
//
// For each size: generates N apps into bench/manifest-scan/out/, then times, each in a fresh
// child process and alternating so that background load hits both alike:
//   floor     node bench/manifest-scan/floor.mjs FILE       (read + js-yaml loadAll, nothing else)
//   rollsafe  bin/rollsafe scan FILE --format json > out/scan-N.json   (exit 1 expected: findings)
// and prints the medians, documents per second, the ratio rollsafe/floor, peak RSS and the
// linearity of the largest size against the smallest. Always exits 0: it is a benchmark.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateFile } from './generate.mjs';
import { timed as timedRun, timeIsUsable } from '../shared/timed-run.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const outDir = path.join(here, 'out');
const stampFile = path.join(root, 'dist', '.build-stamp');
const RATIO_GOAL = 2.0;
const RATIO_GOAL_APPS = 20000;
const LINEARITY_SLACK = 1.1; // 10x the apps may take at most 11x the time

function option(args, name, fallback) {
  const at = args.indexOf(`--${name}`);
  if (at >= 0 && args[at + 1] !== undefined) return args[at + 1];
  const inline = args.find((a) => a.startsWith(`--${name}=`));
  return inline ? inline.slice(name.length + 3) : fallback;
}

const args = process.argv.slice(2);
const sizes = option(args, 'apps', '2000,20000')
  .split(',')
  .map((s) => Number(s.trim()))
  .filter((n) => Number.isInteger(n) && n > 0)
  .sort((a, b) => a - b);
const repeat = Math.max(1, Number(option(args, 'repeat', '3')) || 3);
const seed = Number(option(args, 'seed', '42')) || 42;
const haveTime = timeIsUsable(args.includes('--no-time'));
const timed = (command, commandArgs, stdoutFile) => timedRun({ command, args: commandArgs, stdoutFile, cwd: root, scratchDir: outDir, useTime: haveTime });

const log = (line) => process.stderr.write(`${line}\n`);
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
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

async function buildIsStale() {
  const { buildIsStale: stale } = await import(path.join(root, 'tools', 'build.mjs'));
  return stale();
}

/** Builds the CLI when dist/ is older than the sources (others may edit them while we run). */
function buildIfStale() {
  const result = spawnSync(process.execPath, [path.join(root, 'tools', 'build.mjs'), '--if-stale'], { cwd: root, stdio: ['ignore', 2, 2] });
  return result.status === 0;
}

/** The commit measured, and whether the working tree had uncommitted changes (others edit it). */
function sourceState() {
  const git = (...gitArgs) => spawnSync('git', gitArgs, { cwd: root, encoding: 'utf8' });
  const head = git('rev-parse', '--short', 'HEAD');
  if (head.status !== 0) return 'not a git checkout';
  const dirty = git('status', '--porcelain', '--', 'libs', 'apps', 'tools', 'bin').stdout.trim() !== '';
  return `commit ${head.stdout.trim()}${dirty ? ' + uncommitted changes in libs/apps' : ''}`;
}

function fmt(n, digits = 2) {
  return n === undefined || Number.isNaN(n) ? 'n/a' : n.toFixed(digits);
}
function fmtInt(n) {
  return n === undefined ? 'n/a' : Math.round(n).toLocaleString('en-US');
}

async function main() {
  fs.mkdirSync(outDir, { recursive: true });
  const benchStarted = Date.now();
  log(
    `manifest-scan benchmark: apps ${sizes.join(', ')}; ${repeat} repeat(s); seed ${seed}; peak RSS via ${haveTime ? '/usr/bin/time -v' : 'process.resourceUsage()'}`,
  );
  log('building the CLI if stale (node tools/build.mjs --if-stale) ...');
  if (!buildIfStale()) log('warning: the build failed; bin/rollsafe will try again and the first timing may include tsc');

  const rows = [];
  for (const apps of sizes) {
    const file = path.join(outDir, `apps-${apps}.yaml`);
    const genStarted = Date.now();
    const generated = generateFile({ apps, seed, file });
    log(
      `generated ${path.relative(root, file)}: ${generated.documents} documents, ${(generated.bytes / 1e6).toFixed(1)} MB, Deployments ${generated.deploymentLines.min}-${generated.deploymentLines.max} lines (mean ${generated.deploymentLines.mean.toFixed(0)}) in ${((Date.now() - genStarted) / 1000).toFixed(1)} s`,
    );

    const floorOut = path.join(outDir, `floor-${apps}.txt`);
    const scanOut = path.join(outDir, `scan-${apps}.json`);
    const floorRuns = [];
    const scanRuns = [];
    const notes = [];
    for (let i = 0; i < repeat; i++) {
      const floor = timed(process.execPath, [path.join(here, 'floor.mjs'), file], floorOut);
      if (floor.status !== 0) notes.push(`floor exited ${floor.status}: ${floor.stderr.trim().split('\n').pop()}`);
      floorRuns.push(floor);

      // A library edit by someone else would make bin/rollsafe compile inside the timed run.
      if (await buildIsStale()) {
        log('  sources changed: rebuilding before the timed run');
        buildIfStale();
      }
      let scan;
      for (let attempt = 0; attempt < 3; attempt++) {
        const stampBefore = stampMtime();
        scan = timed(path.join(root, 'bin', 'rollsafe'), ['scan', file, '--format', 'json'], scanOut);
        if (stampMtime() === stampBefore) break;
        log('  the build stamp changed during the run (it included a compile): discarded, running again');
      }
      if (scan.status !== 0 && scan.status !== 1) notes.push(`rollsafe exited ${scan.status}: ${scan.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      scanRuns.push(scan);
      log(`  ${apps} apps, run ${i + 1}/${repeat}: floor ${floor.seconds.toFixed(2)} s, rollsafe ${scan.seconds.toFixed(2)} s (exit ${scan.status})`);
    }

    let findings;
    try {
      const report = JSON.parse(fs.readFileSync(scanOut, 'utf8'));
      findings = { total: report.findings.length, ...report.summary, errors: report.errors?.length ?? 0 };
    } catch (error) {
      notes.push(`could not read the JSON report: ${error.message}`);
    }
    const floorSeconds = median(floorRuns.map((r) => r.seconds));
    const scanSeconds = median(scanRuns.map((r) => r.seconds));
    const rss = (runs) => (runs.every((r) => r.rssKb !== undefined) ? median(runs.map((r) => r.rssKb)) : undefined);
    rows.push({
      apps,
      documents: generated.documents,
      bytes: generated.bytes,
      floorSeconds,
      scanSeconds,
      floorRuns: floorRuns.map((r) => r.seconds),
      scanRuns: scanRuns.map((r) => r.seconds),
      floorDocsPerSecond: generated.documents / floorSeconds,
      scanDocsPerSecond: generated.documents / scanSeconds,
      ratio: scanSeconds / floorSeconds,
      pairedRatio: median(scanRuns.map((r, i) => r.seconds / floorRuns[i].seconds)),
      cpuRatio:
        scanRuns.every((r) => r.cpuSeconds) && floorRuns.every((r) => r.cpuSeconds)
          ? median(scanRuns.map((r) => r.cpuSeconds)) / median(floorRuns.map((r) => r.cpuSeconds))
          : undefined,
      floorRssMb: rss(floorRuns) && rss(floorRuns) / 1024,
      scanRssMb: rss(scanRuns) && rss(scanRuns) / 1024,
      scanExit: scanRuns.map((r) => r.status),
      findings,
      notes,
    });
  }

  // ---------- report ----------
  const header = ['apps', 'documents', 'MB', 'floor s', 'rollsafe s', 'floor docs/s', 'rollsafe docs/s', 'ratio', 'floor RSS MB', 'rollsafe RSS MB'];
  const table = rows.map((r) => [
    fmtInt(r.apps),
    fmtInt(r.documents),
    fmt(r.bytes / 1e6, 1),
    fmt(r.floorSeconds),
    fmt(r.scanSeconds),
    fmtInt(r.floorDocsPerSecond),
    fmtInt(r.scanDocsPerSecond),
    fmt(r.ratio),
    fmtInt(r.floorRssMb),
    fmtInt(r.scanRssMb),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  const out = [];
  out.push('');
  out.push(
    `manifest-scan: median of ${repeat} run(s), wall clock, each in a fresh process (node ${process.version}, ${(await import('node:os')).cpus().length} CPUs, ${sourceState()})`,
  );
  out.push(line(header));
  out.push(`|${widths.map((w, i) => (i === 0 ? ':' : '-') + '-'.repeat(w) + (i === 0 ? '-' : ':')).join('|')}|`);
  for (const row of table) out.push(line(row));
  out.push('');
  for (const r of rows) {
    out.push(
      `${fmtInt(r.apps)} apps: floor runs [${r.floorRuns.map((s) => s.toFixed(2)).join(', ')}] s; rollsafe runs [${r.scanRuns.map((s) => s.toFixed(2)).join(', ')}] s; median of per-run ratios ${r.pairedRatio.toFixed(2)}${r.cpuRatio ? `; CPU-time (user+sys) ratio ${r.cpuRatio.toFixed(2)}` : ''}; rollsafe exit ${[...new Set(r.scanExit)].join('/')}`,
    );
    if (r.findings)
      out.push(
        `  findings: ${r.findings.total} (critical ${r.findings.critical}, warning ${r.findings.warning}, info ${r.findings.info}, suppressed ${r.findings.suppressed}), input errors ${r.findings.errors}`,
      );
    for (const note of r.notes) out.push(`  note: ${note}`);
  }
  out.push('');

  const goals = [];
  const atGoal = rows.find((r) => r.apps === RATIO_GOAL_APPS);
  if (atGoal) {
    goals.push({ name: `ratio at ${fmtInt(RATIO_GOAL_APPS)} apps <= ${RATIO_GOAL.toFixed(1)}`, value: atGoal.ratio, met: atGoal.ratio <= RATIO_GOAL });
  } else {
    const largest = rows[rows.length - 1];
    if (largest)
      goals.push({
        name: `ratio at ${fmtInt(largest.apps)} apps <= ${RATIO_GOAL.toFixed(1)} (the goal is stated for 20,000)`,
        value: largest.ratio,
        met: largest.ratio <= RATIO_GOAL,
      });
  }
  let linearity;
  if (rows.length >= 2) {
    const small = rows[0];
    const large = rows[rows.length - 1];
    const scale = large.apps / small.apps;
    const limit = LINEARITY_SLACK * scale;
    linearity = {
      small: small.apps,
      large: large.apps,
      rollsafe: large.scanSeconds / small.scanSeconds,
      floor: large.floorSeconds / small.floorSeconds,
      limit,
    };
    out.push(
      `linearity time(${fmtInt(large.apps)}) / time(${fmtInt(small.apps)}): rollsafe ${linearity.rollsafe.toFixed(2)}x, floor ${linearity.floor.toFixed(2)}x (apps x${scale.toFixed(1)}; limit ${limit.toFixed(1)}x)`,
    );
    goals.push({
      name: `linear cost: time(${fmtInt(large.apps)}) <= ${limit.toFixed(1)} x time(${fmtInt(small.apps)})`,
      value: linearity.rollsafe,
      met: linearity.rollsafe <= limit,
    });
  }
  for (const goal of goals) out.push(`goal ${goal.met ? 'MET    ' : 'NOT MET'}  ${goal.name}: ${goal.value.toFixed(2)}`);
  out.push(`total benchmark time ${((Date.now() - benchStarted) / 1000).toFixed(0)} s`);
  process.stdout.write(out.join('\n') + '\n');

  fs.writeFileSync(
    path.join(outDir, 'results.json'),
    JSON.stringify({ date: new Date().toISOString(), node: process.version, source: sourceState(), repeat, seed, rows, linearity, goals }, null, 2) + '\n',
  );
}

main()
  .catch((error) => {
    process.stderr.write(`manifest-scan: ${error?.stack ?? error}\n`);
  })
  .finally(() => {
    process.exitCode = 0;
  });
