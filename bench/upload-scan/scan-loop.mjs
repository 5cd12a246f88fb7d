#!/usr/bin/env node
// The worker's side of run.mjs alone, in this process: the scan of one kept upload run again and
// again by libs/scans' ScanPipeline (from dist/), with its result rows deleted and the scan set
// back to queued between runs (the target keeps its finding states, as in run.mjs's rounds).
// Per run: the wall time, the phases, this process's CPU (all its threads), the Postgres
// backends' CPU, and whether the findings and verdicts written are those the kept scan had.
// Fewer moving parts than run.mjs (no API, no queue, no CLI), so a change to the scan can be
// compared on a busy machine with more runs. --trace-queries prints each statement of the last
// run with its start and duration.
//
//   node bench/upload-scan/run.mjs --repeat 1 --keep-database     # makes the database once
//   node bench/upload-scan/scan-loop.mjs [--repeat 7] [--database rollsafe_bench_upload] [--trace-queries]
//
// It needs a database that run.mjs kept (a succeeded upload scan in it); the database's name
// must contain "bench". Redis is needed by the worker's module (queues under a fresh prefix,
// nothing is queued).
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { numberOption } from '../shared/options.mjs';
import { assertLoopback, sleep } from '../shared/service.mjs';
import { median } from '../shared/stats.mjs';

const args = process.argv.slice(2);
const repeat = Math.min(50, Math.max(1, numberOption(args, 'repeat', 7)));
const nameAt = args.indexOf('--database');
const database = nameAt >= 0 ? args[nameAt + 1] : 'rollsafe_bench_upload';
if (!database?.includes('bench')) throw new Error('the database name must contain "bench"');
const databaseUrl = `postgresql://postgres@127.0.0.1:5432/${database}`;
const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
assertLoopback(databaseUrl, 'database');
assertLoopback(redisUrl, 'REDIS_URL');
const log = (line) => process.stderr.write(`${line}\n`);
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

function cpuMsOf(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

Object.assign(process.env, {
  NODE_ENV: 'production',
  DATABASE_URL: databaseUrl,
  REDIS_URL: redisUrl,
  ROLLSAFE_QUEUE_PREFIX: `rollsafe-bench-scan-loop-${process.pid}`,
  ROLLSAFE_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
  ROLLSAFE_ADMIN_TOKEN: 'bench-scan-loop-admin-token-0123456789',
  ROLLSAFE_LOG_LEVEL: 'warn',
});

// The worker's V8 budgets (apps/worker/src/main.ts), before its modules load.
const { tuneV8ForScans } = await import('#rollsafe/advisor');
tuneV8ForScans('many-scans');
const { NestFactory } = await import('@nestjs/core');
await import('reflect-metadata');
const { loadConfigOrExit } = await import('#rollsafe/runtime');
const { ScanPipeline } = await import('#rollsafe/scans');
const { WorkerModule } = await import('../../dist/apps/worker/src/worker.module.js');

// --trace-queries: each statement's time (from its call to its answer) of the last run, on stderr.
const traced = [];
if (args.includes('--trace-queries')) {
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (config, ...rest) {
    const text = typeof config === 'string' ? config : (config?.text ?? config?.constructor?.name ?? '?');
    const started = performance.now();
    const answer = query.call(this, config, ...rest);
    const done = () =>
      traced.push({ ms: Math.round(performance.now() - started), at: Math.round(started), text: String(text).replace(/\s+/g, ' ').slice(0, 70) });
    if (answer && typeof answer.then === 'function') answer.then(done, done);
    else if (config && typeof config.callback === 'function') {
      const callback = config.callback;
      config.callback = (...values) => (done(), callback(...values));
    }
    return answer;
  };
}

const lines = [];
const logger = {
  log: (message) => lines.push(message),
  error: (message) => log(`error: ${JSON.stringify(message)}`),
  warn: (message) => log(`warn: ${JSON.stringify(message)}`),
  debug: () => undefined,
  verbose: () => undefined,
};

const db = new pg.Client({ connectionString: databaseUrl });
await db.connect();
const { rows: scans } = await db.query(
  `SELECT s.id, s.target_id FROM scans s JOIN scan_inputs i ON i.scan_id = s.id WHERE s.status = 'succeeded' AND i.snapshot IS NOT NULL ORDER BY s.created_at DESC LIMIT 1`,
);
const scan = scans[0];
if (!scan) throw new Error(`no succeeded upload scan with a kept snapshot in ${database}`);
/** The scan's findings and verdicts as written: counts and digests, to compare runs by. */
async function writtenRows(scanId) {
  const { rows: findings } = await db.query(
    `SELECT count(*)::int AS findings, md5(string_agg(fingerprint || severity || message || evidence::text || remediation::text, ',' ORDER BY seq)) AS digest FROM findings WHERE scan_id = $1`,
    [scanId],
  );
  const { rows: verdicts } = await db.query(
    `SELECT count(*)::int AS verdicts, md5(string_agg(namespace || name || verdict || data::text, ',' ORDER BY seq)) AS digest FROM service_verdicts WHERE scan_id = $1`,
    [scanId],
  );
  return { findings: findings[0], verdicts: verdicts[0] };
}
const reference = await writtenRows(scan.id);

async function reset() {
  await db.query('BEGIN');
  await db.query('DELETE FROM scan_changes WHERE scan_id = $1', [scan.id]);
  await db.query('DELETE FROM service_verdicts WHERE scan_id = $1', [scan.id]);
  await db.query('DELETE FROM findings WHERE scan_id = $1', [scan.id]);
  await db.query(`UPDATE scans SET status = 'queued', started_at = NULL, finished_at = NULL WHERE id = $1`, [scan.id]);
  await db.query('UPDATE targets SET states_as_of = NULL WHERE id = $1', [scan.target_id]);
  await db.query('COMMIT');
  // The dead rows of the last run would slow the next one down.
  for (const table of ['findings', 'finding_states', 'service_verdicts', 'scan_changes']) await db.query(`VACUUM ${table}`);
}

async function backendsCpu() {
  const { rows } = await db.query('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
  return new Map(rows.map((row) => [row.pid, cpuMsOf(row.pid)]));
}

const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(loadConfigOrExit('worker')), { logger });
await app.init();
const pipeline = app.get(ScanPipeline);
const runs = [];
try {
  for (let run = 0; run <= repeat; run += 1) {
    await reset();
    await sleep(300);
    const load = fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
    const before = { cpu: process.cpuUsage(), backends: await backendsCpu() };
    traced.length = 0;
    const started = performance.now();
    const outcome = await pipeline.run(scan.id);
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(before.cpu);
    let postgresMs = 0;
    for (const [pid, ms] of await backendsCpu()) postgresMs += ms - (before.backends.get(pid) ?? 0);
    const line = lines.findLast((message) => message?.msg === 'scan succeeded');
    const check = await writtenRows(scan.id);
    const same = check.findings.digest === reference.findings.digest && check.verdicts.digest === reference.verdicts.digest;
    const record = {
      outcome,
      wallMs: Math.round(wallMs),
      workerCpuMs: Math.round((cpu.user + cpu.system) / 1000),
      postgresMs: Math.round(postgresMs),
      phases: line?.phasesMs,
      same,
      load,
    };
    log(`${run === 0 ? 'warm-up' : `run ${run}`}: ${JSON.stringify(record)}`);
    if (run > 0) runs.push(record);
    if (traced.length > 0 && run === repeat)
      for (const q of traced) log(`  ${String(Math.round(q.at - started)).padStart(6)} +${String(q.ms).padStart(5)} ms  ${q.text}`);
  }
} finally {
  await app.close();
  await db.end();
}
const phases = {};
for (const run of runs) for (const [phase, value] of Object.entries(run.phases ?? {})) (phases[phase] ??= []).push(value);
process.stdout.write(
  `${JSON.stringify({
    runs: runs.length,
    wallMs: median(runs.map((r) => r.wallMs)),
    workerCpuMs: median(runs.map((r) => r.workerCpuMs)),
    postgresMs: median(runs.map((r) => r.postgresMs)),
    phases: Object.fromEntries(Object.entries(phases).map(([phase, values]) => [phase, median(values)])),
    allSame: runs.every((r) => r.same),
  })}\n`,
);
process.exit(0);
