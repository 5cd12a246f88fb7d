#!/usr/bin/env node
// What the API's main thread does while it accepts a 10 MB upload (POST -> 202), without the
// CLI rounds of run.mjs: `repeat` uploads of out/upload.yaml's bytes, each waited for until its
// scan succeeded (so the worker's scan does not overlap the next accept), and per upload the
// time to the 202, the API's event-loop delay meanwhile (loop-hook.mjs), and the CPU time of
// the API's main thread alone (/proc/<pid>/task/<pid>/stat) against the whole process's (its
// parse thread included). With --cpu-prof the API writes a V8 CPU profile to out/profile/ when
// it stops.
//
//   node bench/upload-scan/accept.mjs [--repeat 5] [--cpu-prof] [--no-build]
//
// Needs Postgres and Redis as run.mjs does (the same database name and defaults).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { numberOption } from '../shared/options.mjs';
import { assertLoopback, buildIfStale, request, serviceTarget, sleep, startService, uploadBody } from '../shared/service.mjs';
import { median } from '../shared/stats.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.join(here, 'out');
const profileDir = path.join(outDir, 'profile');
const loopFile = path.join(outDir, 'accept-loop.jsonl');
const args = process.argv.slice(2);
const repeat = Math.min(20, Math.max(1, numberOption(args, 'repeat', 5)));
const cpuProfile = args.includes('--cpu-prof');
const target = serviceTarget({ database: 'rollsafe_bench_upload', prefix: 'rollsafe-bench-upload' });
const log = (line) => process.stderr.write(`${line}\n`);
const loadavg = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const CLOCK_TICKS = 100;

/** CPU ms (user + system) of a /proc stat file: a process's, or one of its threads'. */
function cpuMs(statFile) {
  const stat = fs.readFileSync(statFile, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

const apiCpu = (pid) => ({ main: cpuMs(`/proc/${pid}/task/${pid}/stat`), all: cpuMs(`/proc/${pid}/stat`) });

async function loopWindow(api) {
  const count = () => (fs.existsSync(loopFile) ? fs.readFileSync(loopFile, 'utf8').split('\n').filter(Boolean) : []);
  const before = count().length;
  api.child.kill('SIGUSR2');
  for (let i = 0; i < 200; i += 1) {
    const lines = count();
    if (lines.length > before) return JSON.parse(lines[lines.length - 1]);
    await sleep(10);
  }
  return undefined;
}

async function main() {
  assertLoopback(target.databaseUrl, 'BENCH_DATABASE_URL');
  assertLoopback(target.redisUrl, 'REDIS_URL');
  fs.mkdirSync(outDir, { recursive: true });
  fs.rmSync(loopFile, { force: true });
  if (!args.includes('--no-build')) buildIfStale();
  const { body } = uploadBody();
  const service = await startService({
    ...target,
    outDir,
    keepDatabase: false,
    log,
    apiFlags: cpuProfile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
    apiEnv: (env) => ({
      ...env,
      ROLLSAFE_BENCH_LOOP_FILE: loopFile,
      NODE_OPTIONS: `${env.NODE_OPTIONS ?? ''} --import=${pathToFileURL(path.join(here, 'loop-hook.mjs')).href}`.trim(),
    }),
  });
  const db = new pg.Client({ connectionString: target.databaseUrl });
  const rounds = [];
  try {
    const apiKey = await service.ready();
    await db.connect();
    const pid = service.api.child.pid;
    for (let round = 0; round <= repeat; round += 1) {
      await loopWindow(service.api);
      const cpuBefore = apiCpu(pid);
      const sent = performance.now();
      const res = await request(service.port, 'POST', '/api/v1/scans', {
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/yaml', 'content-length': String(body.length) },
        body,
        fresh: true,
        timeoutMs: 120_000,
      });
      const acceptMs = performance.now() - sent;
      const cpuAfter = apiCpu(pid);
      const loop = await loopWindow(service.api);
      if (res.status !== 202) throw new Error(`the upload answered ${res.status}: ${res.text.slice(0, 300)}`);
      const scanId = JSON.parse(res.text).id;
      for (;;) {
        const { rows } = await db.query('SELECT status FROM scans WHERE id = $1', [scanId]);
        if (rows[0]?.status === 'succeeded' || rows[0]?.status === 'failed') break;
        await sleep(20);
      }
      const sample = {
        acceptMs: Math.round(acceptMs),
        mainCpuMs: Math.round(cpuAfter.main - cpuBefore.main),
        apiCpuMs: Math.round(cpuAfter.all - cpuBefore.all),
        loopP99: loop?.p99,
        loopMax: loop?.max,
        load: loadavg(),
      };
      log(`${round === 0 ? 'warm-up' : `round ${round}`}: ${JSON.stringify(sample)}`);
      if (round > 0) rounds.push(sample);
    }
  } finally {
    await db.end().catch(() => undefined);
    await service.stop();
  }
  const of = (key) => median(rounds.map((r) => r[key]));
  process.stdout.write(
    `accept (POST -> 202), median of ${repeat}: ${of('acceptMs')} ms; API main thread CPU ${of('mainCpuMs')} ms, whole API ${of('apiCpuMs')} ms; ` +
      `loop p99 ${of('loopP99')} ms, max ${of('loopMax')} ms (worst p99 ${Math.max(...rounds.map((r) => r.loopP99))}, worst max ${Math.max(...rounds.map((r) => r.loopMax))})` +
      `${cpuProfile ? `; CPU profile in ${path.relative(process.cwd(), profileDir)}` : ''}\n`,
  );
}

main().then(
  () => process.exit(0),
  (error) => {
    log(`accept: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
