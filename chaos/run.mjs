#!/usr/bin/env node
// The fault suite (issue 11): Rollsafe as a user who outgrew one machine runs it, two API and
// two worker processes (the built apps in dist/) on one Postgres and one Redis that this
// script starts itself (private, on free ports, in a temporary directory), with a webhook
// receiver on 127.0.0.1 and a fake kube-apiserver for a scheduled cluster. Then, one after
// the other:
//
//   1. worker SIGKILL during a scan          4. Redis stopped, restarted empty
//   2. worker SIGKILL during the result write 5. API SIGTERM with requests in flight
//   3. Postgres stopped 20 s, restarted      6. worker SIGTERM with scans running (drain)
//
// After each: every scan accepted with 202 is succeeded or failed, written once (its findings
// rows are its summary's count); every notification it promised is delivered exactly once; no
// request hung; no process died but the ones killed. At the end: the cluster's schedule fired
// at most once per period; the rate limit held across both APIs. Prints each scenario's
// recovery time and the scans lost (zero, or it fails).
//
//   node chaos/run.mjs             one run (CI, after `npm test`: .ci/run)
//   CHAOS_RUNS=3 node chaos/run.mjs three runs in a row, each on fresh processes
//
// Needs `node tools/build.mjs` first, Postgres's binaries (/usr/lib/postgresql/*/bin) and
// redis-server. Run as root, Postgres runs as the `postgres` user. Traffic: 127.0.0.1 only.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort } from '../bench/shared/local.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.CHAOS_RUNS ?? 1);
const ADMIN_TOKEN = randomBytes(24).toString('hex');
const ENCRYPTION_KEY = randomBytes(32).toString('hex');
const RATE_LIMIT = 300;
const SCHEDULE_SECONDS = 5;
const REQUEST_TIMEOUT_MS = 15_000;
const SETTLE_TIMEOUT_MS = 90_000;

// The fake kube-apiserver of the tests, compiled (libs/fake-cluster; libs/testing before it moved).
const fakeCluster = ['dist/libs/fake-cluster/src/index.js', 'dist/libs/testing/src/index.js']
  .map((file) => path.join(ROOT, file))
  .find((file) => fs.existsSync(file));
const { FakeKubeApiServer, kubeScenarios } = await import(fakeCluster);

// ---------------------------------------------------------------- small helpers

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (...parts) => process.stdout.write(`[chaos ${new Date().toISOString().slice(11, 19)}] ${parts.join(' ')}\n`);

async function until(what, probe, timeoutMs = SETTLE_TIMEOUT_MS, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}

// ---------------------------------------------------------------- Postgres and Redis

function postgresBin() {
  const base = '/usr/lib/postgresql';
  const versions = fs.existsSync(base) ? fs.readdirSync(base).sort((a, b) => Number(a) - Number(b)) : [];
  const dir = versions.map((version) => path.join(base, version, 'bin')).findLast((candidate) => fs.existsSync(path.join(candidate, 'pg_ctl')));
  if (!dir) throw new Error("no pg_ctl under /usr/lib/postgresql/*/bin: install Debian's postgresql package");
  return dir;
}

class Postgres {
  constructor(dir, port) {
    this.bin = postgresBin();
    this.data = path.join(dir, 'pgdata');
    this.socketDir = dir;
    this.logFile = path.join(dir, 'postgres.log');
    this.port = port;
    this.asRoot = process.getuid?.() === 0;
  }

  run(tool, args) {
    const command = path.join(this.bin, tool);
    const [file, argv] = this.asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
    const result = spawnSync(file, argv, { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${tool} failed: ${result.stderr || result.stdout}`);
  }

  init() {
    if (this.asRoot) {
      const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
      const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
      fs.chownSync(this.socketDir, uid, gid);
    }
    this.run('initdb', ['-D', this.data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  }

  start() {
    const options = `-p ${this.port} -k ${this.socketDir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
    this.run('pg_ctl', ['-D', this.data, '-l', this.logFile, '-w', '-t', '60', '-o', options, 'start']);
  }

  stop() {
    this.run('pg_ctl', ['-D', this.data, '-m', 'fast', '-w', '-t', '60', 'stop']);
  }

  url(database = 'rollsafe') {
    return `postgresql://postgres@127.0.0.1:${this.port}/${database}`;
  }
}

class RedisServer {
  constructor(port, dir) {
    this.port = port;
    this.logFile = path.join(dir, 'redis.log');
  }

  async start() {
    const out = fs.openSync(this.logFile, 'a');
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', out, out],
    });
    await until('redis to answer', () => redisPing(this.port), 15_000);
  }

  async kill() {
    const child = this.child;
    child.kill('SIGKILL');
    await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', resolve)));
  }
}

function redisPing(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

// ---------------------------------------------------------------- the apps

class App {
  constructor(name, script, env, dir) {
    this.name = name;
    this.script = script;
    this.env = env;
    this.logFile = path.join(dir, `${name}.log`);
    this.exits = [];
  }

  async start() {
    fs.appendFileSync(this.logFile, `\n---- start ${new Date().toISOString()}\n`);
    const out = fs.openSync(this.logFile, 'a');
    this.startedAt = Date.now();
    this.expectedExit = false;
    const child = spawn(process.execPath, [path.join(ROOT, this.script)], { env: this.env, stdio: ['ignore', out, out] });
    this.child = child;
    child.once('exit', (code, signal) => {
      this.exits.push({ code, signal, expected: this.expectedExit });
      if (!this.expectedExit) log(`!! ${this.name} exited unexpectedly (code ${code}, signal ${signal})`);
    });
    await this.ready();
  }

  async ready() {
    if (this.env.PORT) {
      await until(
        `${this.name} to answer /healthz`,
        () =>
          fetch(`${this.base}/healthz`).then(
            (r) => r.ok,
            () => false,
          ),
        30_000,
        200,
      );
    } else {
      const marker = `"worker started"`;
      await until(`${this.name} to start`, () => this.logSince().includes(marker), 30_000, 200);
    }
  }

  logSince() {
    const text = fs.readFileSync(this.logFile, 'utf8');
    return text.slice(text.lastIndexOf('---- start'));
  }

  get base() {
    return `http://127.0.0.1:${this.env.PORT}`;
  }

  get alive() {
    return this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends a signal; resolves with how it exited and how long it took. */
  async signal(signal) {
    const child = this.child;
    this.expectedExit = true;
    const sent = Date.now();
    const exited = new Promise((resolve) => child.once('exit', (code, sig) => resolve({ code, signal: sig, ms: Date.now() - sent })));
    child.kill(signal);
    return exited;
  }

  unexpectedExits() {
    return this.exits.filter((exit) => !exit.expected);
  }
}

// ---------------------------------------------------------------- HTTP with accounting

const traffic = { requests: 0, hung: 0, resets: 0, statuses: new Map() };

async function request(base, method, url, { key, json, body, headers = {}, timeoutMs = REQUEST_TIMEOUT_MS } = {}) {
  traffic.requests += 1;
  const init = { method, headers: { ...headers }, signal: AbortSignal.timeout(timeoutMs) };
  if (key) init.headers.authorization = `Bearer ${key}`;
  if (json !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(json);
  } else if (body !== undefined) init.body = body;
  const started = Date.now();
  try {
    const response = await fetch(`${base}${url}`, init);
    const text = await response.text();
    traffic.statuses.set(response.status, (traffic.statuses.get(response.status) ?? 0) + 1);
    let parsed = {};
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      parsed = { text };
    }
    return { status: response.status, body: parsed, headers: response.headers, ms: Date.now() - started };
  } catch (error) {
    const cause = error?.cause?.code ?? error?.name;
    if (error?.name === 'TimeoutError') traffic.hung += 1;
    return { status: 0, error: cause, ms: Date.now() - started };
  }
}

// ---------------------------------------------------------------- the webhook receiver

class Receiver {
  constructor() {
    this.byScan = new Map();
    this.server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (chunk) => chunks.push(chunk));
      req.on('end', () => {
        try {
          const payload = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          const id = payload?.scan?.id;
          if (id) this.byScan.set(id, (this.byScan.get(id) ?? 0) + 1);
        } catch {
          // not ours
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      });
    });
  }

  async start() {
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${this.server.address().port}/hook`;
  }

  close() {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(resolve));
  }
}

// ---------------------------------------------------------------- manifests

function manifests(deployments, tag) {
  const docs = [];
  for (let i = 0; i < deployments; i += 1) {
    const name = `${tag}-${i}`;
    docs.push(
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}, namespace: shop}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: ${name}}}\n  template:\n    metadata: {labels: {app: ${name}}}\n    spec:\n      containers:\n        - {name: web, image: nginx, ports: [{containerPort: 8080}]}\n`,
      `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: shop}\nspec:\n  type: LoadBalancer\n  externalTrafficPolicy: Local\n  selector: {app: ${name}}\n  ports: [{port: 80, targetPort: 8080}]\n`,
    );
  }
  return docs.join('---\n');
}

// ---------------------------------------------------------------- one run

async function oneRun(runNumber) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollsafe-chaos-'));
  fs.chmodSync(dir, 0o755);
  const pgDir = path.join(dir, 'pg');
  fs.mkdirSync(pgDir);
  const [pgPort, redisPort, api1Port, api2Port] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const postgres = new Postgres(pgDir, pgPort);
  const redis = new RedisServer(redisPort, dir);
  const receiver = new Receiver();
  const figures = { run: runNumber };
  let fake;
  const apps = [];
  let db;
  log(`run ${runNumber}: ${dir} (postgres :${pgPort}, redis :${redisPort})`);
  try {
    postgres.init();
    postgres.start();
    await redis.start();
    await receiver.start();
    const admin = new pg.Client({ connectionString: postgres.url('postgres') });
    await admin.connect();
    await admin.query('CREATE DATABASE rollsafe');
    await admin.end();
    const migrations = path.join(ROOT, 'prisma', 'migrations');
    const migrate = new pg.Client({ connectionString: postgres.url() });
    await migrate.connect();
    for (const name of fs
      .readdirSync(migrations)
      .filter((entry) => fs.statSync(path.join(migrations, entry)).isDirectory())
      .sort()) {
      await migrate.query(fs.readFileSync(path.join(migrations, name, 'migration.sql'), 'utf8'));
    }
    await migrate.end();

    const env = {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      DATABASE_URL: postgres.url(),
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      ROLLSAFE_ADMIN_TOKEN: ADMIN_TOKEN,
      ROLLSAFE_ENCRYPTION_KEY: ENCRYPTION_KEY,
      ROLLSAFE_OUTBOUND_ALLOW: 'loopback',
      ROLLSAFE_QUEUE_PREFIX: 'chaos',
      ROLLSAFE_RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
      ROLLSAFE_WORKER_CONCURRENCY: '2',
      // ROLLSAFE_WORKER_LOCK_MS and ROLLSAFE_WORKER_STALLED_INTERVAL_MS: the defaults (15 s, 10 s),
      // so that the recovery times printed are the ones the README promises.
      ROLLSAFE_RECONCILE_INTERVAL_MS: '3000',
      ROLLSAFE_SHUTDOWN_TIMEOUT_MS: '15000',
      ROLLSAFE_MIN_SCHEDULE_SECONDS: String(SCHEDULE_SECONDS),
      ROLLSAFE_NOTIFY_BACKOFF_MS: '300',
      ROLLSAFE_NOTIFY_MAX_BACKOFF_MS: '3000',
      ROLLSAFE_NOTIFY_TIMEOUT_MS: '5000',
      ROLLSAFE_NOTIFY_MAX_ATTEMPTS: '20',
      ROLLSAFE_LOG_LEVEL: 'info',
    };
    const api1 = new App('api-1', 'dist/apps/api/src/main.js', { ...env, PORT: String(api1Port) }, dir);
    const api2 = new App('api-2', 'dist/apps/api/src/main.js', { ...env, PORT: String(api2Port) }, dir);
    const worker1 = new App('worker-1', 'dist/apps/worker/src/main.js', env, dir);
    const worker2 = new App('worker-2', 'dist/apps/worker/src/main.js', env, dir);
    apps.push(api1, api2, worker1, worker2);
    await Promise.all(apps.map((app) => app.start()));
    const apis = [api1, api2];
    let turn = 0;
    const nextApi = () => apis[turn++ % apis.length].base;

    db = new pg.Pool({ connectionString: postgres.url(), max: 2 });
    db.on('error', () => undefined);
    const query = async (sql, params = []) => {
      for (;;) {
        try {
          return (await db.query(sql, params)).rows;
        } catch (error) {
          if (!/ECONNREFUSED|terminat|shut|starting up|Connection/i.test(String(error?.message))) throw error;
          await sleep(250);
        }
      }
    };

    // An organization, its webhook (every scan, every severity) and a scheduled cluster.
    const created = await request(api1.base, 'POST', '/api/v1/organizations', { key: ADMIN_TOKEN, json: { name: `chaos-${runNumber}` } });
    check(created.status === 201, `organization created (${created.status} ${JSON.stringify(created.body)})`);
    const key = created.body.apiKey;
    const orgId = created.body.id ?? created.body.organization?.id;
    const hook = await request(api1.base, 'POST', '/api/v1/webhooks', { key, json: { kind: 'generic', url: receiver.url, minSeverity: 'info' } });
    check(hook.status === 201, `webhook created (${hook.status} ${JSON.stringify(hook.body)})`);
    const readerToken = `reader-${randomBytes(12).toString('hex')}`;
    fake = await FakeKubeApiServer.start({
      scenario: kubeScenarios.smallAlibabaTerway(),
      tokens: { [readerToken]: { name: 'system:serviceaccount:rollsafe:rollsafe-reader', rules: kubeScenarios.readOnlyRules } },
    });
    const cluster = await request(api1.base, 'POST', '/api/v1/clusters', {
      key,
      json: { name: 'scheduled', kubeconfig: fake.kubeconfig({ auth: 'token', token: readerToken }) },
    });
    check(cluster.status === 201, `cluster registered (${cluster.status} ${JSON.stringify(cluster.body)})`);
    const clusterId = cluster.body.id;
    const scheduledAt = Date.now();
    const schedule = await request(api2.base, 'PUT', `/api/v1/clusters/${clusterId}/schedule`, { key, json: { everySeconds: SCHEDULE_SECONDS } });
    check(schedule.status === 200, `schedule set (${schedule.status} ${JSON.stringify(schedule.body)})`);

    const accepted = new Set();
    let targetCounter = 0;
    const submit = async (deployments, base = nextApi(), extra = {}) => {
      const target = `t${runNumber}-${targetCounter++}`;
      const answer = await request(base, 'POST', `/api/v1/scans?target=${target}`, {
        key,
        headers: { 'content-type': 'application/yaml', ...(extra.headers ?? {}) },
        body: manifests(deployments, target),
      });
      if (answer.status === 202) accepted.add(answer.body.id);
      return answer;
    };
    const statusOf = async (ids) => query('SELECT id, status FROM scans WHERE id = ANY($1::uuid[])', [[...ids]]);
    const allFinished = async () => {
      const rows = await statusOf(accepted);
      return rows.length === accepted.size && rows.every((row) => row.status === 'succeeded' || row.status === 'failed');
    };

    /** Every accepted scan finished once, and every notification it promised arrived once. */
    const settle = async (label, faultEndedAt) => {
      await until(`${label}: every accepted scan to finish`, allFinished);
      const recoveryMs = Date.now() - faultEndedAt;
      const rows = await query(
        `SELECT s.id, s.status, s.critical + s.warning + s.info AS summary, (SELECT count(*)::int FROM findings f WHERE f.scan_id = s.id) AS rows
           FROM scans s WHERE s.id = ANY($1::uuid[])`,
        [[...accepted]],
      );
      const failed = rows.filter((row) => row.status !== 'succeeded');
      check(failed.length === 0, `${label}: scans failed: ${JSON.stringify(failed)}`);
      const twice = rows.filter((row) => row.summary !== row.rows);
      check(twice.length === 0, `${label}: a result written other than once: ${JSON.stringify(twice)}`);
      // Promised: a succeeded scan of the organization with a change set.
      const promised = async () =>
        (
          await query(
            `SELECT DISTINCT c.scan_id AS id FROM scan_changes c JOIN scans s ON s.id = c.scan_id WHERE s.organization_id = $1 AND s.status = 'succeeded'`,
            [orgId],
          )
        ).map((row) => row.id);
      await until(`${label}: every promised notification`, async () => (await promised()).every((id) => receiver.byScan.has(id)), SETTLE_TIMEOUT_MS, 200);
      await sleep(1500); // a duplicate would arrive now
      const dupes = [...receiver.byScan].filter(([, count]) => count !== 1);
      check(dupes.length === 0, `${label}: notifications delivered more than once: ${JSON.stringify(dupes)}`);
      const unasked = [...receiver.byScan.keys()].filter((id) => !accepted.has(id)).length;
      for (const app of apps) check(app.unexpectedExits().length === 0, `${label}: ${app.name} died: ${JSON.stringify(app.unexpectedExits())}`);
      check(traffic.hung === 0, `${label}: ${traffic.hung} request(s) hung past ${REQUEST_TIMEOUT_MS} ms`);
      const lost = [...accepted].filter((id) => !rows.some((row) => row.id === id && row.status === 'succeeded')).length;
      figures[label] = { recoveryMs, scans: accepted.size, lost, notified: (await promised()).length, scheduledNotified: unasked };
      log(`${label}: ${accepted.size} accepted scans finished once (recovery ${recoveryMs} ms after the fault ended), lost ${lost}, notifications once each`);
    };

    const runningScan = () =>
      until(
        'a scan to be running',
        async () => (await query(`SELECT id FROM scans WHERE status = 'running' AND organization_id = $1 LIMIT 1`, [orgId]))[0],
        30_000,
        20,
      );

    // 1. worker SIGKILL during a scan
    for (let i = 0; i < 6; i += 1) await submit(200);
    await runningScan();
    const killed1 = await worker1.signal('SIGKILL');
    log(`1. worker-1 SIGKILLed during a scan (${killed1.signal})`);
    const faultEnd1 = Date.now();
    await worker1.start();
    await settle('1-worker-sigkill-during-scan', faultEnd1);

    // 2. worker SIGKILL during the result write: both workers, while a result's transaction is open
    await submit(800);
    await submit(800);
    const writing = await until(
      'a result write in progress',
      async () =>
        (
          await query(
            `SELECT pid FROM pg_stat_activity WHERE datname = 'rollsafe' AND backend_xid IS NOT NULL AND xact_start IS NOT NULL
               AND (query ILIKE '%findings%' OR query ILIKE '%finding_states%' OR query ILIKE '%scan_changes%') LIMIT 1`,
          )
        )[0],
      60_000,
      5,
    );
    await Promise.all([worker1.signal('SIGKILL'), worker2.signal('SIGKILL')]);
    log(`2. both workers SIGKILLed while backend ${writing.pid} was writing a result`);
    const faultEnd2 = Date.now();
    await Promise.all([worker1.start(), worker2.start()]);
    await settle('2-worker-sigkill-during-write', faultEnd2);

    // 3. Postgres stopped 20 s and restarted
    for (let i = 0; i < 4; i += 1) await submit(200);
    await runningScan();
    postgres.stop();
    const outageStarted = Date.now();
    log('3. Postgres stopped');
    let slowest = 0;
    let non503 = 0;
    while (Date.now() - outageStarted < 20_000) {
      const answers = await Promise.all([request(nextApi(), 'GET', '/api/v1/scans', { key }), submit(10)]);
      for (const answer of answers) {
        slowest = Math.max(slowest, answer.ms);
        if (answer.status !== 503 || !answer.headers?.get('retry-after')) non503 += 1;
      }
      await sleep(1000);
    }
    postgres.start();
    const faultEnd3 = Date.now();
    log(
      `3. Postgres restarted after ${faultEnd3 - outageStarted} ms; during it every answer was 503 with Retry-After (${non503} were not), the slowest in ${slowest} ms`,
    );
    check(non503 === 0, '3: during the outage every request answered 503 with Retry-After');
    check(slowest < 2000, `3: answers during the outage took up to ${slowest} ms`);
    await settle('3-postgres-down-20s', faultEnd3);
    figures['3-postgres-down-20s'].slowestAnswerMs = slowest;

    // 4. Redis stopped and restarted empty
    for (let i = 0; i < 4; i += 1) await submit(200);
    await redis.kill();
    const redisDown = Date.now();
    log('4. Redis killed (no persistence: it restarts empty)');
    let slowestRedis = 0;
    for (let i = 0; i < 3; i += 1) {
      const [list, post] = await Promise.all([request(nextApi(), 'GET', '/api/v1/scans', { key }), submit(50)]);
      check(list.status === 200, `4: a GET during the Redis outage answered ${list.status}`);
      check(post.status === 202, `4: a POST during the Redis outage answered ${post.status}`);
      slowestRedis = Math.max(slowestRedis, list.ms, post.ms);
      await sleep(1000);
    }
    await sleep(Math.max(0, 5000 - (Date.now() - redisDown)));
    await redis.start();
    const faultEnd4 = Date.now();
    log(`4. Redis restarted empty after ${faultEnd4 - redisDown} ms (GET and POST answered meanwhile, slowest ${slowestRedis} ms)`);
    await settle('4-redis-restarted-empty', faultEnd4);
    figures['4-redis-restarted-empty'].slowestAnswerMs = slowestRedis;
    // The schedule came back with Redis: a scheduled scan is created after the restart.
    await until(
      '4: a scheduled scan after Redis came back',
      async () => (await query(`SELECT 1 FROM scans WHERE trigger = 'schedule' AND created_at > to_timestamp($1 / 1000.0)`, [faultEnd4])).length > 0,
      SCHEDULE_SECONDS * 4000,
      200,
    );

    // 5. API SIGTERM with requests in flight
    const inFlight = [];
    for (let i = 0; i < 6; i += 1) inFlight.push(submit(200, api1.base));
    for (let i = 0; i < 6; i += 1) inFlight.push(request(api1.base, 'GET', '/api/v1/scans?limit=50', { key }));
    await sleep(30);
    const terminated = api1.signal('SIGTERM');
    const answers = await Promise.all(inFlight);
    const stopped = await terminated;
    const bad = answers.filter((answer) => !(answer.status >= 200 && answer.status < 500) && answer.error !== 'ECONNREFUSED');
    log(
      `5. api-1 SIGTERMed with ${inFlight.length} requests in flight: exited ${stopped.code} in ${stopped.ms} ms; answers ${answers.map((a) => a.status || a.error).join(' ')}`,
    );
    check(stopped.code === 0, `5: api-1 exit code ${stopped.code}`);
    check(bad.length === 0, `5: requests cut off or failed: ${JSON.stringify(bad)}`);
    const faultEnd5 = Date.now();
    await api1.start();
    await settle('5-api-sigterm-in-flight', faultEnd5);
    figures['5-api-sigterm-in-flight'].shutdownMs = stopped.ms;

    // 6. worker SIGTERM with scans running: it finishes them (or hands them back) and exits 0
    for (let i = 0; i < 4; i += 1) await submit(200);
    await runningScan();
    const drained = await worker2.signal('SIGTERM');
    log(`6. worker-2 SIGTERMed with scans running: exited ${drained.code} in ${drained.ms} ms`);
    check(drained.code === 0, `6: worker-2 exit code ${drained.code}`);
    const faultEnd6 = Date.now();
    await worker2.start();
    await settle('6-worker-sigterm-drains', faultEnd6);
    figures['6-worker-sigterm-drains'].shutdownMs = drained.ms;

    // The schedule fired at most once per period (and kept firing).
    const elapsedS = (Date.now() - scheduledAt) / 1000;
    const scheduled = await query(`SELECT scheduled_run FROM scans WHERE trigger = 'schedule' AND organization_id = $1`, [orgId]);
    const periods = Math.ceil(elapsedS / SCHEDULE_SECONDS);
    check(new Set(scheduled.map((row) => row.scheduled_run)).size === scheduled.length, 'schedule: a run recorded twice');
    check(scheduled.length <= periods + 1, `schedule: ${scheduled.length} runs in ${periods} periods`);
    check(scheduled.length >= Math.floor((elapsedS - 45) / SCHEDULE_SECONDS), `schedule: only ${scheduled.length} runs in ${periods} periods`);
    figures.schedule = { periods, runs: scheduled.length };
    log(`schedule: ${scheduled.length} runs in ${periods} periods of ${SCHEDULE_SECONDS} s (outages included), none twice`);

    // The rate limit holds across both APIs: one fresh key, RATE_LIMIT + 20 requests, alternating.
    const second = new Date().getSeconds();
    if (second > 45) await sleep((61 - second) * 1000);
    const limited = await request(api2.base, 'POST', '/api/v1/organizations', { key: ADMIN_TOKEN, json: { name: `chaos-limit-${runNumber}` } });
    const limitKey = limited.body.apiKey;
    const statuses = [];
    for (let batch = 0; batch < (RATE_LIMIT + 20) / 20; batch += 1) {
      const answers = await Promise.all(Array.from({ length: 20 }, () => request(nextApi(), 'GET', '/api/v1/webhooks', { key: limitKey })));
      statuses.push(...answers.map((answer) => answer.status));
    }
    const ok = statuses.filter((status) => status === 200).length;
    const refused = statuses.filter((status) => status === 429).length;
    check(ok === RATE_LIMIT && refused === 20, `rate limit: ${ok} answered and ${refused} refused of ${statuses.length} (limit ${RATE_LIMIT})`);
    figures.rateLimit = { limit: RATE_LIMIT, ok, refused };
    log(`rate limit: ${ok} of ${statuses.length} answered across both APIs, ${refused} refused (limit ${RATE_LIMIT}/min)`);
    figures.hung = traffic.hung;
    figures.requests = traffic.requests;
    return figures;
  } finally {
    for (const app of apps) {
      if (app.alive) {
        app.expectedExit = true;
        app.child.kill('SIGKILL');
      }
    }
    await db?.end().catch(() => undefined);
    await fake?.stop().catch(() => undefined);
    await receiver.close().catch(() => undefined);
    try {
      postgres.stop();
    } catch {
      // not running
    }
    if (redis.child) await redis.kill().catch(() => undefined);
    if (process.env.CHAOS_KEEP !== '1') fs.rmSync(dir, { recursive: true, force: true });
    else log(`kept ${dir}`);
  }
}

const results = [];
for (let run = 1; run <= RUNS; run += 1) {
  try {
    results.push(await oneRun(run));
  } catch (error) {
    log(`run ${run} FAILED: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
    break;
  }
}
if (results.length > 0) process.stdout.write(`\nfigures:\n${JSON.stringify(results, null, 2)}\n`);
log(process.exitCode ? 'fault suite FAILED' : `fault suite passed ${results.length} run(s) in a row`);
