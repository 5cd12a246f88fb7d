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
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort, withDatabase } from '../shared/local.mjs';
import { Redis } from 'ioredis';
import { generate } from '../manifest-scan/generate.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const outDir = path.join(here, 'out');
const RATIO_GOAL = 3;
/** The API refuses bodies over 10 MiB (413) and more than 10,000 documents: stay just under. */
const UPLOAD_MAX_BYTES = 10 * 1024 * 1024 - 64 * 1024;

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && args[at + 1] !== undefined ? Number(args[at + 1]) : fallback;
};
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
const databaseUrl = process.env.BENCH_DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/rollsafe_bench';
const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const queuePrefix = `rollsafe-bench-${process.pid}`;
const log = (line) => process.stderr.write(`${line}\n`);

function assertLoopback(url, what) {
  const host = new URL(url).hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) throw new Error(`${what} must be on this machine (127.0.0.1), not ${host}`);
}

/** Drops and creates the benchmark's own database (never another one: the name must contain "bench"). */
async function freshDatabase() {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  if (!/bench/.test(name)) throw new Error(`BENCH_DATABASE_URL must name a benchmark database (with "bench" in its name), not ${name}`);
  const client = new pg.Client({ connectionString: withDatabase(databaseUrl, 'postgres'), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const migrate = spawnSync(process.execPath, [path.join(root, 'node_modules', 'prisma', 'build', 'index.js'), 'migrate', 'deploy'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl, PRISMA_HIDE_UPDATE_MESSAGE: '1' },
    encoding: 'utf8',
  });
  if (migrate.status !== 0) throw new Error(`prisma migrate deploy failed:\n${migrate.stdout}${migrate.stderr}`);
  return name;
}

async function dropDatabase(name) {
  const client = new pg.Client({ connectionString: withDatabase(databaseUrl, 'postgres'), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

async function deleteRedisKeys() {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  await redis.connect();
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${queuePrefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

/** One of the apps, with its output in out/<name>.log. */
function startApp(name, env) {
  const logFile = fs.openSync(path.join(outDir, `${name}.log`), 'w');
  const flags = name === 'api' && settings.profileApi ? ['--cpu-prof', `--cpu-prof-dir=${path.join(outDir, 'profile')}`] : [];
  const child = spawn(process.execPath, [...flags, path.join(root, 'dist', 'apps', name, 'src', 'main.js')], {
    cwd: root,
    env,
    stdio: ['ignore', logFile, logFile],
  });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { name, child, exited, logFile };
}

/** SIGTERM, then SIGKILL after 10 s. */
async function stopApp(app) {
  if (app.child.exitCode === null && app.child.signalCode === null) {
    app.child.kill('SIGTERM');
    const timer = setTimeout(() => app.child.kill('SIGKILL'), 10_000);
    await app.exited;
    clearTimeout(timer);
  }
  fs.closeSync(app.logFile);
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** One request to the API; resolves with status, body and the time it took (ms). */
function request(port, method, pathname, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = http.request({ host: '127.0.0.1', port, method, path: pathname, headers, agent, timeout: 60_000 }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8'), ms: Number(process.hrtime.bigint() - started) / 1e6 }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${pathname}: no answer in 60 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

async function waitReady(port, apps) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    for (const app of apps)
      if (app.child.exitCode !== null) throw new Error(`${app.name} exited (code ${app.child.exitCode}); see bench/api-latency/out/${app.name}.log`);
    try {
      if ((await request(port, 'GET', '/readyz')).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('the API was not ready within 60 s; see bench/api-latency/out/api.log');
}

/** Valid multi-document YAML of Deployments, Services (and some PDBs and HPAs), just under 10 MiB. */
function uploadBody() {
  const parts = [];
  let bytes = 0;
  let documents = 0;
  let full = false;
  generate({
    apps: 4000,
    seed: 8,
    write(chunk) {
      if (full) return;
      const size = Buffer.byteLength(chunk);
      const count = (chunk.match(/^---$/gm) ?? []).length;
      if (bytes + size > UPLOAD_MAX_BYTES || documents + count > 9_900) {
        full = true;
        return;
      }
      parts.push(chunk);
      bytes += size;
      documents += count;
    },
  });
  return { body: Buffer.from(parts.join('')), documents };
}

/**
 * Sends GET /healthz every `intervalMs` (whether or not the previous one answered) until
 * `count` were sent or `until()` says stop; a probe's latency runs from when it was due, so a
 * blocked event loop shows in every probe it delays.
 */
async function probe(port, { count, intervalMs, until = () => false }) {
  const latencies = [];
  const failures = [];
  const pending = [];
  const start = performance.now();
  for (let i = 0; i < count && !until(); i += 1) {
    const due = start + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(
      request(port, 'GET', '/healthz').then(
        (res) => (res.status === 200 ? latencies.push(performance.now() - due) : failures.push(`HTTP ${res.status}`)),
        (error) => failures.push(error.message),
      ),
    );
  }
  await Promise.all(pending);
  return { latencies, failures };
}

function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const summary = (values) => ({ n: values.length, p50: percentile(values, 50), p99: percentile(values, 99), max: Math.max(...values) });
const ms = (value) => `${value.toFixed(1)} ms`;

async function main() {
  assertLoopback(databaseUrl, 'BENCH_DATABASE_URL');
  assertLoopback(redisUrl, 'REDIS_URL');
  fs.mkdirSync(outDir, { recursive: true });
  if (!settings.build) log('--no-build: running dist/ as it is');
  else log('building if stale (node tools/build.mjs --if-stale) ...');
  if (
    settings.build &&
    spawnSync(process.execPath, [path.join(root, 'tools', 'build.mjs'), '--if-stale'], { cwd: root, stdio: ['ignore', 2, 2] }).status !== 0
  ) {
    throw new Error('the workspace does not compile: run `npm run build` to see why');
  }
  const database = await freshDatabase();
  const port = await freePort();
  const adminToken = crypto.randomBytes(32).toString('hex');
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    HOST: '127.0.0.1',
    PORT: String(port),
    ROLLSAFE_ADMIN_TOKEN: adminToken,
    ROLLSAFE_ENCRYPTION_KEY: crypto.randomBytes(32).toString('base64'),
    ROLLSAFE_QUEUE_PREFIX: queuePrefix,
    ROLLSAFE_RATE_LIMIT_PER_MINUTE: '1000000',
    ROLLSAFE_SHUTDOWN_TIMEOUT_MS: '3000',
  };
  const { body, documents } = uploadBody();
  log(`upload: ${(body.length / 1024 / 1024).toFixed(2)} MiB, ${documents} documents (Deployments, Services, some PDBs and HPAs)`);

  const apps = [startApp('api', env), startApp('worker', env)];
  let result;
  try {
    await waitReady(port, apps);
    const org = await request(port, 'POST', '/api/v1/organizations', {
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench' }),
    });
    if (org.status !== 201) throw new Error(`creating the organization answered ${org.status}: ${org.text.slice(0, 300)}`);
    const apiKey = JSON.parse(org.text).apiKey;

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
    for (const app of apps) await stopApp(app);
    const keys = await deleteRedisKeys().catch((error) => (log(`could not delete the Redis keys ${queuePrefix}:*: ${error.message}`), 0));
    if (!settings.keepDatabase) await dropDatabase(database).catch((error) => log(`could not drop ${database}: ${error.message}`));
    log(`cleaned up: ${keys} Redis keys under ${queuePrefix}:, database ${database} ${settings.keepDatabase ? 'kept' : 'dropped'}`);
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
