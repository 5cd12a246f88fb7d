#!/usr/bin/env node
// The upload-scan benchmark (issue 13, point 4): is a 10 MB upload scanned by the worker as
// fast as the CLI scans the same bytes, without blocking the API's event loop? In one run, on
// the same ~10 MB manifest file, alternating `repeat` times:
//   cli     bin/rollsafe scan FILE --format json   (a fresh process, timed whole)
//   upload  POST /api/v1/scans with the same bytes to the built API and worker, then poll the
//           scan row until it succeeded: the worker's scan runs from the row's started_at (the
//           job's start) to the moment the row reads `succeeded` (its result committed)
// and prints the medians, the ratio worker scan / CLI (goal: at most 1.3x), upload-to-succeeded,
// the worker's phases (from its "scan succeeded" log line), and the API's event-loop delay
// while each upload was accepted and scanned (monitorEventLoopDelay inside the API, and
// GET /healthz probed every 10 ms from outside).
//
//   node bench/upload-scan/run.mjs [--repeat 3] [--keep-database] [--no-build]
//
// Needs Postgres at BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/rollsafe_bench_upload,
// dropped and created afresh; the name must contain "bench") and Redis at REDIS_URL (default
// redis://127.0.0.1:6379, keys under rollsafe-bench-upload-<pid>, deleted at the end). Every
// request goes to 127.0.0.1. Always exits 0 unless the service cannot start: it is a benchmark.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { numberOption } from '../shared/options.mjs';
import {
  assertLoopback,
  buildIfStale,
  probe as probeEvery,
  request as requestOnce,
  root,
  sleep,
  serviceTarget,
  startService,
  uploadBody,
} from '../shared/service.mjs';
import { median, percentile } from '../shared/stats.mjs';
import { timed, timeIsUsable } from '../shared/timed-run.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.join(here, 'out');
const RATIO_GOAL = 1.3;
const PROBE_INTERVAL_MS = 10;
/** A 10 MB upload may take a while on a loaded machine. */
const REQUEST_TIMEOUT_MS = 120_000;

const args = process.argv.slice(2);
const option = (name, fallback) => numberOption(args, name, fallback);
const settings = {
  repeat: Math.min(20, Math.max(1, option('repeat', 3))),
  keepDatabase: args.includes('--keep-database'),
  build: !args.includes('--no-build'),
};
const target = serviceTarget({ database: 'rollsafe_bench_upload', prefix: 'rollsafe-bench-upload' });
const { databaseUrl, redisUrl } = target;
const loopFile = path.join(outDir, 'api-loop.jsonl');
const log = (line) => process.stderr.write(`${line}\n`);
const loadavg = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

const request = (port, method, pathname, options = {}) => requestOnce(port, method, pathname, { timeoutMs: REQUEST_TIMEOUT_MS, ...options });

/** GET /healthz every PROBE_INTERVAL_MS until `until()`; latency counted from when each probe was due. */
const probe = (port, until) => probeEvery(port, { intervalMs: PROBE_INTERVAL_MS, until, timeoutMs: REQUEST_TIMEOUT_MS });

/** Asks the API's loop hook for what it saw since the last ask (and to start afresh). */
async function loopWindow(api) {
  const before = fs.existsSync(loopFile) ? fs.readFileSync(loopFile, 'utf8').split('\n').filter(Boolean).length : 0;
  api.child.kill('SIGUSR2');
  for (let i = 0; i < 200; i += 1) {
    const lines = fs.existsSync(loopFile) ? fs.readFileSync(loopFile, 'utf8').split('\n').filter(Boolean) : [];
    if (lines.length > before) return JSON.parse(lines[lines.length - 1]);
    await sleep(10);
  }
  return undefined;
}

/** The worker's "scan succeeded" log line for a scan (its phases), if it logged one. */
function workerLine(scanId) {
  const text = fs.readFileSync(path.join(outDir, 'worker.log'), 'utf8');
  for (const line of text.split('\n')) {
    if (!line.includes(scanId) || !line.includes('scan succeeded')) continue;
    try {
      return JSON.parse(line);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** CPU seconds (user + system, all threads) a process has used, or undefined when it is gone. */
function cpuSeconds(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/**
 * CPU used so far by the worker process and by the Postgres backends connected to the
 * benchmark's database (the scan's reads and its result write run there, on the same cores).
 */
async function cpuSample(db, workerPid, apiPid) {
  const { rows } = await db.query('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
  return { worker: cpuSeconds(workerPid) ?? 0, api: cpuSeconds(apiPid) ?? 0, backends: new Map(rows.map((row) => [row.pid, cpuSeconds(row.pid) ?? 0])) };
}

/** CPU seconds between two samples; a backend that appeared meanwhile counts whole. */
function cpuBetween(before, after) {
  let postgres = 0;
  for (const [pid, seconds] of after.backends) postgres += seconds - (before.backends.get(pid) ?? 0);
  return {
    workerMs: Math.round((after.worker - before.worker) * 1000),
    postgresMs: Math.round(postgres * 1000),
    apiMs: Math.round((after.api - before.api) * 1000),
  };
}

/** One upload: POST, then poll the scan row until it is finished; the API's loop meanwhile. */
async function uploadAndWait({ port, apiKey, body, db, api, workerPid }) {
  await loopWindow(api); // starts the window afresh
  let done = false;
  const probing = probe(port, () => done);
  const sent = Date.now();
  const res = await request(port, 'POST', '/api/v1/scans', {
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/yaml', 'content-length': String(body.length) },
    body,
    fresh: true,
  });
  const accepted = Date.now();
  if (res.status !== 202) {
    done = true;
    await probing;
    throw new Error(`the upload answered ${res.status}: ${res.text.slice(0, 300)}`);
  }
  const scanId = JSON.parse(res.text).id;
  const acceptLoop = await loopWindow(api); // POST sent -> 202; the next window runs to succeeded
  let row;
  let cpuAtStart;
  const deadline = Date.now() + 300_000;
  for (;;) {
    const { rows } = await db.query('SELECT status, started_at, finished_at, error FROM scans WHERE id = $1', [scanId]);
    row = rows[0];
    // Sampled when the poll first sees the scan started (within 5 ms of the job's start).
    if (!cpuAtStart && row && row.status !== 'queued') cpuAtStart = await cpuSample(db, workerPid, api.child.pid);
    if (row && (row.status === 'succeeded' || row.status === 'failed')) break;
    if (Date.now() > deadline) throw new Error(`scan ${scanId} did not finish within 300 s`);
    await sleep(5);
  }
  const observed = Date.now();
  const cpu = cpuBetween(cpuAtStart, await cpuSample(db, workerPid, api.child.pid));
  done = true;
  const probes = await probing;
  const loop = await loopWindow(api);
  if (row.status !== 'succeeded') throw new Error(`scan ${scanId} failed: ${row.error}`);
  const { rows: counts } = await db.query('SELECT count(*)::int AS findings FROM findings WHERE scan_id = $1', [scanId]);
  await sleep(200); // the worker logs after its commit
  const worker = workerLine(scanId);
  return {
    scanId,
    findings: counts[0].findings,
    acceptMs: accepted - sent,
    queuedMs: row.started_at.getTime() - accepted,
    workerScanMs: observed - row.started_at.getTime(),
    cpu,
    uploadToSucceededMs: observed - sent,
    phasesMs: worker?.phasesMs,
    acceptLoop,
    loop,
    healthz: { p99: percentile(probes.latencies, 99), max: Math.max(...probes.latencies), probes: probes.latencies.length, failures: probes.failures.length },
    loadavg: loadavg(),
  };
}

/**
 * Issue 11's hostile uploads, refused with 413 while parsing: a kind: List of a million `{}` and
 * a million empty documents. How long the refusal took and the API's loop meanwhile.
 */
async function hostileUpload({ port, apiKey, api }, body) {
  await loopWindow(api);
  let done = false;
  const probing = probe(port, () => done);
  const res = await request(port, 'POST', '/api/v1/scans', {
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/yaml', 'content-length': String(Buffer.byteLength(body)) },
    body,
    fresh: true,
  });
  done = true;
  const probes = await probing;
  const loop = await loopWindow(api);
  let error;
  try {
    error = JSON.parse(res.text).error;
  } catch {
    error = { message: res.text.slice(0, 200) };
  }
  return {
    status: res.status,
    ms: res.ms,
    message: error?.message,
    loop,
    healthz: { p99: percentile(probes.latencies, 99), max: Math.max(...probes.latencies), probes: probes.latencies.length },
    loadavg: loadavg(),
  };
}

const HOSTILE = {
  'kind: List of 1,000,000 {}': () => `apiVersion: v1\nkind: List\nitems:\n${'- {}\n'.repeat(1_000_000)}`,
  '1,000,000 empty documents': () => '---\n'.repeat(1_000_000),
};

function cliRun(file, useTime) {
  const started = loadavg();
  const run = timed({
    command: process.execPath,
    args: [path.join(root, 'bin', 'rollsafe'), 'scan', file, '--format', 'json'],
    stdoutFile: path.join(outDir, 'cli.json'),
    cwd: root,
    scratchDir: outDir,
    useTime,
  });
  // 0: no finding at the failing threshold; 1: findings (both are a finished scan).
  if (run.status !== 0 && run.status !== 1) throw new Error(`bin/rollsafe scan exited ${run.status}: ${run.stderr.slice(0, 500)}`);
  const findings = JSON.parse(fs.readFileSync(path.join(outDir, 'cli.json'), 'utf8')).findings?.length;
  return {
    ms: run.seconds * 1000,
    cpuMs: run.cpuSeconds === undefined ? undefined : Math.round(run.cpuSeconds * 1000),
    rssKb: run.rssKb,
    findings,
    loadavg: started,
  };
}

async function main() {
  assertLoopback(databaseUrl, 'BENCH_DATABASE_URL');
  assertLoopback(redisUrl, 'REDIS_URL');
  fs.mkdirSync(outDir, { recursive: true });
  fs.rmSync(loopFile, { force: true });
  if (settings.build) buildIfStale();
  const { body, documents } = uploadBody();
  const file = path.join(outDir, 'upload.yaml');
  fs.writeFileSync(file, body);
  log(`manifest: ${(body.length / 1024 / 1024).toFixed(2)} MiB, ${documents} documents (bench/manifest-scan's apps corpus), ${file}`);
  const useTime = timeIsUsable();

  const service = await startService({
    ...target,
    outDir,
    keepDatabase: settings.keepDatabase,
    log,
    apiEnv: (env) => ({
      ...env,
      ROLLSAFE_BENCH_LOOP_FILE: loopFile,
      NODE_OPTIONS: `${env.NODE_OPTIONS ?? ''} --import=${pathToFileURL(path.join(here, 'loop-hook.mjs')).href}`.trim(),
    }),
  });
  const { port } = service;
  const db = new pg.Client({ connectionString: databaseUrl });
  const rounds = [];
  const hostile = {};
  let warm;
  let idle;
  try {
    const apiKey = await service.ready();
    await db.connect();
    const upload = () => uploadAndWait({ port, apiKey, body, db, api: service.api, workerPid: service.worker.child.pid });

    log('warm-up: one upload scanned (JIT, connections, threads), not counted ...');
    warm = await upload();
    // The floor: the same API idle for 5 s (on a shared machine its loop is late too).
    await loopWindow(service.api);
    let idleDone = false;
    const idleProbes = probe(port, () => idleDone);
    await sleep(5000);
    idleDone = true;
    const idleHealthz = (await idleProbes).latencies;
    idle = { loop: await loopWindow(service.api), healthz: { p99: percentile(idleHealthz, 99), max: Math.max(...idleHealthz) }, loadavg: loadavg() };
    for (let round = 1; round <= settings.repeat; round += 1) {
      log(`round ${round}/${settings.repeat}: CLI, then the upload (load average ${loadavg()}) ...`);
      const cli = cliRun(file, useTime);
      const api = await upload();
      const cpuRatio = cli.cpuMs ? (api.cpu.workerMs + api.cpu.postgresMs) / cli.cpuMs : undefined;
      rounds.push({ cli, api, ratio: api.workerScanMs / cli.ms, cpuRatio });
      log(
        `  cli ${cli.ms.toFixed(0)} ms; worker scan ${api.workerScanMs} ms (${(api.workerScanMs / cli.ms).toFixed(2)}x), upload to succeeded ${api.uploadToSucceededMs} ms; API loop accepting p99 ${api.acceptLoop?.p99} / max ${api.acceptLoop?.max} ms, scanning p99 ${api.loop?.p99} / max ${api.loop?.max} ms`,
      );
    }
    for (const [name, make] of Object.entries(HOSTILE)) {
      log(`hostile upload: ${name} ...`);
      hostile[name] = await hostileUpload({ port, apiKey, api: service.api }, make());
    }
  } finally {
    await db.end().catch(() => undefined);
    await service.stop();
  }

  const pick = (f) => rounds.map(f);
  const phases = {};
  for (const round of rounds) for (const [phase, value] of Object.entries(round.api.phasesMs ?? {})) (phases[phase] ??= []).push(value);
  const result = {
    at: new Date().toISOString(),
    commit: spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout.trim(),
    cores: os.availableParallelism(),
    settings,
    upload: { bytes: body.length, documents },
    warm,
    rounds,
    median: {
      cliMs: median(pick((r) => r.cli.ms)),
      workerScanMs: median(pick((r) => r.api.workerScanMs)),
      ratio: median(pick((r) => r.ratio)),
      uploadToSucceededMs: median(pick((r) => r.api.uploadToSucceededMs)),
      cliCpuMs: median(pick((r) => r.cli.cpuMs ?? NaN)),
      workerCpuMs: median(pick((r) => r.api.cpu.workerMs)),
      postgresCpuMs: median(pick((r) => r.api.cpu.postgresMs)),
      apiCpuMs: median(pick((r) => r.api.cpu.apiMs)),
      cpuRatio: median(pick((r) => r.cpuRatio ?? NaN)),
      acceptMs: median(pick((r) => r.api.acceptMs)),
      phasesMs: Object.fromEntries(Object.entries(phases).map(([phase, values]) => [phase, median(values)])),
    },
    acceptLoop: { p99Max: Math.max(...pick((r) => r.api.acceptLoop?.p99 ?? NaN)), max: Math.max(...pick((r) => r.api.acceptLoop?.max ?? NaN)) },
    loop: { p99Max: Math.max(...pick((r) => r.api.loop?.p99 ?? NaN)), max: Math.max(...pick((r) => r.api.loop?.max ?? NaN)) },
    healthz: { p99Max: Math.max(...pick((r) => r.api.healthz.p99)), max: Math.max(...pick((r) => r.api.healthz.max)) },
    idle,
    hostile,
    goal: RATIO_GOAL,
  };
  fs.writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(result, null, 2) + '\n');
  const m = result.median;
  const ms = (value) => `${Math.round(value)} ms`;
  process.stdout.write(
    [
      '',
      `${(body.length / 1024 / 1024).toFixed(1)} MiB, ${documents} documents; ${settings.repeat} rounds, CLI and upload alternating; ${result.cores} cores`,
      `  CLI (bin/rollsafe scan --format json, whole process):  median ${ms(m.cliMs)}   [${pick((r) => Math.round(r.cli.ms)).join(', ')}]`,
      `  worker scan (job start -> row reads succeeded):       median ${ms(m.workerScanMs)}   [${pick((r) => r.api.workerScanMs).join(', ')}]`,
      `    phases (worker log, median): ${Object.entries(m.phasesMs)
        .map(([phase, value]) => `${phase} ${ms(value)}`)
        .join(', ')}`,
      `  ratio worker scan / CLI: median ${m.ratio.toFixed(2)}x [${pick((r) => r.ratio.toFixed(2)).join(', ')}] (goal <= ${RATIO_GOAL}x: ${m.ratio <= RATIO_GOAL ? 'met' : 'NOT met'})`,
      `  CPU time, a figure the load moves less: CLI ${ms(m.cliCpuMs)}; worker scan ${ms(m.workerCpuMs)} in the worker + ${ms(m.postgresCpuMs)} in Postgres; ratio median ${m.cpuRatio.toFixed(2)}x [${pick((r) => r.cpuRatio?.toFixed(2)).join(', ')}]`,
      `  upload to succeeded (POST sent -> row reads succeeded): median ${ms(m.uploadToSucceededMs)} (of which 202 after ${ms(m.acceptMs)})`,
      `  API event loop (monitorEventLoopDelay): while accepting (POST -> 202) worst p99 ${result.acceptLoop.p99Max} ms, max ${result.acceptLoop.max} ms; while the worker scans (202 -> succeeded) worst p99 ${result.loop.p99Max} ms, max ${result.loop.max} ms, the API's own CPU meanwhile ${ms(m.apiCpuMs)} (median: the probes)`,
      `  the same API idle for 5 s (the floor): loop p99 ${idle?.loop?.p99} ms, max ${idle?.loop?.max} ms; /healthz p99 ${idle?.healthz.p99.toFixed(1)} ms, max ${idle?.healthz.max.toFixed(1)} ms (load ${idle?.loadavg})`,
      `  GET /healthz every ${PROBE_INTERVAL_MS} ms from POST to succeeded (latency seen by this script, its own loop included): worst p99 ${result.healthz.p99Max.toFixed(1)} ms, max ${result.healthz.max.toFixed(1)} ms`,
      `  load average per round: ${pick((r) => r.api.loadavg).join(' | ')}`,
      `  findings: CLI ${rounds[0]?.cli.findings}, worker ${rounds[0]?.api.findings}`,
      'hostile uploads (issue 11), refused while parsing:',
      ...Object.entries(hostile).map(
        ([name, h]) =>
          `  ${name}: ${h.status} in ${ms(h.ms)} ("${h.message}"); API loop p99 ${h.loop?.p99} ms, max ${h.loop?.max} ms; /healthz p99 ${h.healthz.p99.toFixed(1)} ms, max ${h.healthz.max.toFixed(1)} ms (load ${h.loadavg})`,
      ),
      '  results: bench/upload-scan/out/results.json',
      '',
    ].join('\n'),
  );
}

main().then(
  () => process.exit(0),
  (error) => {
    log(`upload-scan: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
