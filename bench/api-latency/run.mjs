#!/usr/bin/env node
// The API latency benchmark (issue 8): does accepting 10 MB manifest uploads slow every other
// request down? Starts the built API and worker on a private Postgres database and Redis key
// prefix, then probes GET /healthz at a fixed rate, first on an idle API, then while 10 MB
// uploads (POST /api/v1/scans) are sent back to back, and prints p50/p99 of both and the
// ratio loaded/idle of the p99s (goal: under 3).
//
//   node bench/api-latency/run.mjs [--probes 1000] [--interval-ms 10] [--uploads 8] [--max-seconds 120] [--keep-database] [--no-build] [--profile-api]
//
// Every request goes to 127.0.0.1; the counts and the time are bounded. Needs `npm run build`
// (done here when dist/ is stale), Postgres at BENCH_DATABASE_URL (default
// postgresql://postgres@127.0.0.1:5432/rollsafe_bench, dropped and created afresh) and Redis at
// REDIS_URL (default redis://127.0.0.1:6379, keys under the prefix rollsafe-bench-<pid>, deleted
// at the end). Always exits 0 unless the service cannot start: it is a benchmark.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { numberOption } from '../shared/options.mjs';
import { assertLoopback, buildIfStale, probe, request, root, serviceTarget, startService, uploadBody } from '../shared/service.mjs';
import { percentile, summary } from '../shared/stats.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.join(here, 'out');
const RATIO_GOAL = 3;

const args = process.argv.slice(2);
const option = (name, fallback) => numberOption(args, name, fallback);
const settings = {
  probes: Math.min(10_000, Math.max(100, option('probes', 1000))),
  intervalMs: Math.min(1000, Math.max(2, option('interval-ms', 10))),
  uploads: Math.min(50, Math.max(1, option('uploads', 8))),
  maxSeconds: Math.min(600, Math.max(10, option('max-seconds', 120))),
  keepDatabase: args.includes('--keep-database'),
  /** Runs dist/ as it is (e.g. when another change in the tree does not compile yet). */
  build: !args.includes('--no-build'),
  /** Writes a CPU profile of the API (node --cpu-prof) to out/profile/ and prints its heaviest functions. */
  profileApi: args.includes('--profile-api'),
};
const target = serviceTarget({ database: 'rollsafe_bench', prefix: 'rollsafe-bench' });
const { databaseUrl, redisUrl } = target;
const log = (line) => process.stderr.write(`${line}\n`);

const ms = (value) => `${value.toFixed(1)} ms`;

async function main() {
  assertLoopback(databaseUrl, 'BENCH_DATABASE_URL');
  assertLoopback(redisUrl, 'REDIS_URL');
  fs.mkdirSync(outDir, { recursive: true });
  if (!settings.build) log('--no-build: running dist/ as it is');
  else log('building if stale (node tools/build.mjs --if-stale) ...');
  if (settings.build) buildIfStale();
  const { body, documents } = uploadBody();
  log(`upload: ${(body.length / 1024 / 1024).toFixed(2)} MiB, ${documents} documents (Deployments, Services, some PDBs and HPAs)`);

  const service = await startService({
    ...target,
    outDir,
    keepDatabase: settings.keepDatabase,
    log,
    apiFlags: settings.profileApi ? ['--cpu-prof', `--cpu-prof-dir=${path.join(outDir, 'profile')}`] : [],
  });
  const { port } = service;
  let result;
  try {
    const apiKey = await service.ready();

    // Warm up (JIT, connections, the first upload's code paths), then measure idle.
    await probe(port, { count: 200, intervalMs: 2 });
    const warm = await request(port, 'POST', '/api/v1/scans', {
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/yaml' },
      body: Buffer.from('apiVersion: v1\nkind: Service\nmetadata: {name: warm, namespace: bench}\nspec: {selector: {app: warm}, ports: [{port: 80}]}\n'),
    });
    if (warm.status !== 202) throw new Error(`a small upload answered ${warm.status}: ${warm.text.slice(0, 300)}`);
    log(`idle: ${settings.probes} probes of /healthz, one every ${settings.intervalMs} ms ...`);
    const idle = await probe(port, { count: settings.probes, intervalMs: settings.intervalMs });

    // Loaded: uploads back to back while probing at the same rate.
    log(`loaded: ${settings.uploads} uploads of ${(body.length / 1024 / 1024).toFixed(1)} MiB back to back, probing meanwhile ...`);
    const deadline = Date.now() + settings.maxSeconds * 1000;
    const uploads = [];
    let uploading = true;
    const uploader = (async () => {
      try {
        for (let i = 0; i < settings.uploads && Date.now() < deadline; i += 1) {
          const res = await request(port, 'POST', '/api/v1/scans', {
            headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/yaml', 'content-length': String(body.length) },
            body,
          });
          uploads.push({ status: res.status, ms: res.ms, ...(res.status === 202 ? {} : { error: res.text.slice(0, 200) }) });
        }
      } finally {
        uploading = false;
      }
    })();
    const loaded = await probe(port, {
      count: Math.ceil((settings.maxSeconds * 1000) / settings.intervalMs),
      intervalMs: settings.intervalMs,
      until: () => !uploading || Date.now() >= deadline,
    });
    await uploader;

    const idleStats = summary(idle.latencies);
    const loadedStats = summary(loaded.latencies);
    const accepted = uploads.filter((u) => u.status === 202);
    result = {
      at: new Date().toISOString(),
      commit: spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout.trim(),
      settings,
      upload: { bytes: body.length, documents },
      idle: { ...idleStats, failures: idle.failures.length, failureSamples: [...new Set(idle.failures)].slice(0, 5) },
      loaded: { ...loadedStats, failures: loaded.failures.length, failureSamples: [...new Set(loaded.failures)].slice(0, 5) },
      uploads: {
        sent: uploads.length,
        accepted: accepted.length,
        statuses: uploads.map((u) => u.status),
        p50Ms: percentile(
          accepted.map((u) => u.ms),
          50,
        ),
        errors: uploads.filter((u) => u.error).map((u) => u.error),
      },
      ratioP99: loadedStats.p99 / idleStats.p99,
      ratioP50: loadedStats.p50 / idleStats.p50,
      goal: RATIO_GOAL,
    };
  } finally {
    await service.stop();
  }

  fs.writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(result, null, 2) + '\n');
  const { idle, loaded, uploads } = result;
  const lines = [
    '',
    `GET /healthz, one probe every ${settings.intervalMs} ms (latency from when each was due)`,
    `  idle API:              p50 ${ms(idle.p50)}  p99 ${ms(idle.p99)}  max ${ms(idle.max)}  (${idle.n} probes${idle.failures ? `, ${idle.failures} failed` : ''})`,
    `  during 10 MB uploads:  p50 ${ms(loaded.p50)}  p99 ${ms(loaded.p99)}  max ${ms(loaded.max)}  (${loaded.n} probes${loaded.failures ? `, ${loaded.failures} failed` : ''})`,
    `  uploads: ${uploads.accepted}/${uploads.sent} accepted (202), ${(result.upload.bytes / 1024 / 1024).toFixed(1)} MiB each, median ${ms(uploads.p50Ms)} to accept${uploads.errors.length ? `; errors: ${uploads.errors.join(' | ')}` : ''}`,
    `  ratio p99 loaded/idle: ${result.ratioP99.toFixed(2)}x (goal < ${RATIO_GOAL}x: ${result.ratioP99 < RATIO_GOAL ? 'met' : 'NOT met'}); p50 ratio ${result.ratioP50.toFixed(2)}x`,
    ...(idle.failures + loaded.failures > 0
      ? [`  failed probes (not in the percentiles): ${[...idle.failureSamples, ...loaded.failureSamples].join(' | ')}`]
      : []),
    `  results: bench/api-latency/out/results.json`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  if (settings.profileApi) process.stdout.write(heaviestFunctions(path.join(outDir, 'profile')));
}

/** The functions with the most self time in the newest CPU profile of a directory. */
function heaviestFunctions(dir) {
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')) : [];
  if (files.length === 0) return '  (no CPU profile written)\n';
  const newest = files.map((f) => path.join(dir, f)).sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
  const profile = JSON.parse(fs.readFileSync(newest, 'utf8'));
  const selfMs = new Map();
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  for (let i = 0; i < profile.samples.length; i += 1) {
    const node = byId.get(profile.samples[i]);
    const { functionName, url, lineNumber } = node.callFrame;
    const key = `${functionName || '(anonymous)'} ${url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${lineNumber + 1}`;
    selfMs.set(key, (selfMs.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  }
  const top = [...selfMs].sort((a, b) => b[1] - a[1]).slice(0, 15);
  return `\nAPI CPU profile ${path.relative(root, newest)}, self time:\n${top.map(([key, value]) => `  ${value.toFixed(0).padStart(7)} ms  ${key}`).join('\n')}\n`;
}

main().then(
  () => process.exit(0),
  (error) => {
    log(`api-latency: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
