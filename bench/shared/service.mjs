// The built API and worker for a benchmark (bench/api-latency, bench/upload-scan): a Postgres
// database and a Redis key prefix of its own, both apps started from dist/ with their output in
// the benchmark's out/, and HTTP requests to them on 127.0.0.1 only.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Redis } from 'ioredis';
import { freePort, withDatabase } from './local.mjs';
import { generate } from '../manifest-scan/generate.mjs';

/** The repository's root. */
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The API refuses bodies over 10 MiB (413) and more than 10,000 documents: stay just under. */
const UPLOAD_MAX_BYTES = 10 * 1024 * 1024 - 64 * 1024;

/**
 * Where a benchmark's service keeps its state: Postgres at BENCH_DATABASE_URL (default the
 * database `database` on 127.0.0.1:5432), Redis at REDIS_URL (default 127.0.0.1:6379), keys
 * under `prefix`-<pid>.
 */
export function serviceTarget({ database, prefix }) {
  return {
    databaseUrl: process.env.BENCH_DATABASE_URL || `postgresql://postgres@127.0.0.1:5432/${database}`,
    redisUrl: process.env.REDIS_URL || 'redis://127.0.0.1:6379',
    queuePrefix: `${prefix}-${process.pid}`,
  };
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function assertLoopback(url, what) {
  const host = new URL(url).hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) throw new Error(`${what} must be on this machine (127.0.0.1), not ${host}`);
}

/** The database a Postgres URL names. */
export const databaseName = (databaseUrl) => decodeURIComponent(new URL(databaseUrl).pathname.slice(1));

/** One statement on the server's `postgres` database (CREATE and DROP DATABASE). */
export async function adminQuery(databaseUrl, sql) {
  const client = new pg.Client({ connectionString: withDatabase(databaseUrl, 'postgres'), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Drops and creates the benchmark's own database (never another one: the name must contain "bench"), then migrates it. */
export async function freshDatabase(databaseUrl) {
  const name = databaseName(databaseUrl);
  if (!/bench/.test(name)) throw new Error(`BENCH_DATABASE_URL must name a benchmark database (with "bench" in its name), not ${name}`);
  await adminQuery(databaseUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await adminQuery(databaseUrl, `CREATE DATABASE "${name}"`);
  const migrate = spawnSync(process.execPath, [path.join(root, 'node_modules', 'prisma', 'build', 'index.js'), 'migrate', 'deploy'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl, PRISMA_HIDE_UPDATE_MESSAGE: '1' },
    encoding: 'utf8',
  });
  if (migrate.status !== 0) throw new Error(`prisma migrate deploy failed:\n${migrate.stdout}${migrate.stderr}`);
  return name;
}

export async function dropDatabase(databaseUrl) {
  await adminQuery(databaseUrl, `DROP DATABASE IF EXISTS "${databaseName(databaseUrl)}" WITH (FORCE)`);
}

/** Deletes the keys under `prefix:`; resolves with how many there were. */
export async function deleteRedisKeys(redisUrl, prefix) {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  await redis.connect();
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

/** `node tools/build.mjs --if-stale`, its output on stderr; throws when the workspace does not compile. */
export function buildIfStale() {
  if (spawnSync(process.execPath, [path.join(root, 'tools', 'build.mjs'), '--if-stale'], { cwd: root, stdio: ['ignore', 2, 2] }).status !== 0) {
    throw new Error('the workspace does not compile: run `npm run build` to see why');
  }
}

/** The apps' environment: production, on 127.0.0.1:`port`, no rate limit to speak of, a short shutdown. */
export function serviceEnv({ databaseUrl, redisUrl, port, adminToken, queuePrefix }) {
  return {
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
}

/** One of the apps (`api`, `worker`) from dist/, with its output in `outDir`/<name>.log; `nodeFlags` go before the script. */
export function startApp(name, env, { outDir, nodeFlags = [] }) {
  const logFile = fs.openSync(path.join(outDir, `${name}.log`), 'w');
  const child = spawn(process.execPath, [...nodeFlags, path.join(root, 'dist', 'apps', name, 'src', 'main.js')], {
    cwd: root,
    env,
    stdio: ['ignore', logFile, logFile],
  });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { name, child, exited, logFile, outDir };
}

/** SIGTERM, then SIGKILL after 10 s. */
export async function stopApp(app) {
  if (app.child.exitCode === null && app.child.signalCode === null) {
    app.child.kill('SIGTERM');
    const timer = setTimeout(() => app.child.kill('SIGKILL'), 10_000);
    await app.exited;
    clearTimeout(timer);
  }
  fs.closeSync(app.logFile);
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/**
 * One request to 127.0.0.1:`port`; resolves with status, body and the time it took (ms).
 * `fresh`: a connection of its own (a 10 MB body on a kept-alive socket the server just closed
 * fails with EPIPE).
 */
export function request(port, method, pathname, { headers = {}, body, fresh = false, timeoutMs = 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request({ host: '127.0.0.1', port, method, path: pathname, headers, agent: fresh ? false : agent, timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${pathname}: no answer in ${timeoutMs / 1000} s`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Until GET /readyz answers 200 (at most 60 s); throws when one of `apps` exits meanwhile. */
export async function waitReady(port, apps) {
  const logs = (app) => path.relative(root, path.join(app.outDir, `${app.name}.log`));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    for (const app of apps) if (app.child.exitCode !== null) throw new Error(`${app.name} exited (code ${app.child.exitCode}); see ${logs(app)}`);
    try {
      if ((await request(port, 'GET', '/readyz')).status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  const api = apps.find((app) => app.name === 'api') ?? apps[0];
  throw new Error(`the API was not ready within 60 s; see ${logs(api)}`);
}

/** POST /api/v1/organizations with the admin token; resolves with the new organization's API key. */
export async function createOrganization(port, adminToken) {
  const org = await request(port, 'POST', '/api/v1/organizations', {
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench' }),
  });
  if (org.status !== 201) throw new Error(`creating the organization answered ${org.status}: ${org.text.slice(0, 300)}`);
  return JSON.parse(org.text).apiKey;
}

/**
 * Valid multi-document YAML (bench/manifest-scan's apps corpus: Deployments, Services, some
 * PDBs and HPAs), as many apps as fit the API's limits (just under 10 MiB).
 */
export function uploadBody() {
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
 * blocked event loop shows in every probe it delays. `failures`: why each failed probe failed.
 */
export async function probe(port, { count = Infinity, intervalMs, until = () => false, timeoutMs }) {
  const latencies = [];
  const failures = [];
  const pending = [];
  const start = performance.now();
  for (let i = 0; i < count && !until(); i += 1) {
    const due = start + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    pending.push(
      request(port, 'GET', '/healthz', { timeoutMs }).then(
        (res) => (res.status === 200 ? latencies.push(performance.now() - due) : failures.push(`HTTP ${res.status}`)),
        (error) => failures.push(error.message),
      ),
    );
  }
  await Promise.all(pending);
  return { latencies, failures };
}

/**
 * The service a benchmark measures: its database made afresh, both apps started on a free port
 * (`apiEnv` makes the API's environment from the shared one, `apiFlags` are node flags for the
 * API). `ready()` waits for the API and resolves with a new organization's API key; `stop()`
 * stops the apps, deletes the Redis keys, drops the database unless `keepDatabase`, and logs
 * what it cleaned up.
 */
export async function startService({ outDir, databaseUrl, redisUrl, queuePrefix, keepDatabase, log, apiEnv = (env) => env, apiFlags = [] }) {
  const database = await freshDatabase(databaseUrl);
  const port = await freePort();
  const adminToken = crypto.randomBytes(32).toString('hex');
  const env = serviceEnv({ databaseUrl, redisUrl, port, adminToken, queuePrefix });
  const apps = [startApp('api', apiEnv(env), { outDir, nodeFlags: apiFlags }), startApp('worker', env, { outDir })];
  return {
    port,
    api: apps[0],
    worker: apps[1],
    async ready() {
      await waitReady(port, apps);
      return createOrganization(port, adminToken);
    },
    async stop() {
      for (const app of apps) await stopApp(app);
      const keys = await deleteRedisKeys(redisUrl, queuePrefix).catch(
        (error) => (log(`could not delete the Redis keys ${queuePrefix}:*: ${error.message}`), 0),
      );
      if (!keepDatabase) await dropDatabase(databaseUrl).catch((error) => log(`could not drop ${database}: ${error.message}`));
      log(`cleaned up: ${keys} Redis keys under ${queuePrefix}:, database ${database} ${keepDatabase ? 'kept' : 'dropped'}`);
    },
  };
}
