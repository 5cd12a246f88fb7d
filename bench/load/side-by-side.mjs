#!/usr/bin/env node
// Two builds of the API side by side on the database `run.mjs --keep-database` seeded: each
// page shape sent to one and then the other in batches, one request at a time or `--rate` a
// second, so that other work on the machine weighs on both alike. Prints each build's median
// and p90 latency a shape (median of the batches' figures) and its CPU a page.
//   node bench/load/side-by-side.mjs <other-root> [--batches 10] [--pages 200] [--rate 0] [--env-other NAME=VALUE]...
// <other-root>: a checkout built with tools/build.mjs (e.g. `git archive <commit> | tar -x -C
// /tmp/base`, node_modules linked, `node tools/build.mjs`); this checkout's dist/ is the other.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../shared/local.mjs';
import { apiNodeFlags, pagingApiEnv } from './paging-api.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && args[at + 1] !== undefined ? Number(args[at + 1]) : fallback;
};
const other = args[0];
if (!other || !fs.existsSync(path.join(other, 'dist/apps/api/src/main.js')))
  throw new Error('usage: side-by-side.mjs <other-root with dist/> [--batches n] [--pages n] [--rate n]');
const batches = option('batches', 10);
const pages = option('pages', 200);
const rate = option('rate', 0);
// Environment for the other build only (e.g. ROLLSAFE_LOG_LEVEL=info, with this checkout as the other root).
const envOther = Object.fromEntries(
  args.flatMap((arg, at) => (arg === '--env-other' && args[at + 1]?.includes('=') ? [args[at + 1].split(/=(.*)/s).slice(0, 2)] : [])),
);
const databaseUrl = process.env.BENCH_LOAD_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/rollsafe_bench_load';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const keys = JSON.parse(fs.readFileSync(path.join(root, 'bench/load/out/keys.json'), 'utf8'));
const CLOCK_TICKS = 100;

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
function request(method, url, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const sent = http.request(url, { method, agent, headers: body ? { ...headers, 'content-length': Buffer.byteLength(body) } : headers }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    sent.on('error', reject);
    sent.end(body);
  });
}

async function startApi(dir, env = {}) {
  const port = await freePort();
  const child = spawn(process.execPath, [...apiNodeFlags(root), path.join(dir, 'dist/apps/api/src/main.js')], {
    env: {
      ...pagingApiEnv({
        databaseUrl,
        redisUrl,
        port,
        adminToken: crypto.randomBytes(24).toString('hex'),
        encryptionKey: crypto.randomBytes(32).toString('hex'),
        queuePrefix: `rollsafe-bench-side-${process.pid}-${port}`,
      }),
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 150; i += 1) {
    if ((await request('GET', `${base}/healthz`).catch(() => ({ status: 0 }))).status === 200) return { child, base, dir };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`the API in ${dir} did not start`);
}

const deep = Buffer.from(JSON.stringify({ s: 999_000 })).toString('base64url');
const filtered = { severity: 'critical', ruleId: 'pdb-missing' };
const GRAPHQL_PAGE = `query($id: ID!, $after: String, $severity: Severity, $ruleId: String) {
  scan(id: $id) { findings(first: 50, after: $after, severity: $severity, ruleId: $ruleId) {
    totalCount pageInfo { endCursor hasNextPage } nodes { id ruleId severity message fingerprint resource { kind namespace name } } } } }`;
const rest = (query) => (base) =>
  request('GET', `${base}/api/v1/scans/${keys.scanA}/findings?${new URLSearchParams({ limit: '50', ...query })}`, {
    headers: { authorization: `Bearer ${keys.keyA}` },
  });
const graphql = (variables) => (base) =>
  request('POST', `${base}/graphql`, {
    headers: { authorization: `Bearer ${keys.keyA}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query: GRAPHQL_PAGE, variables: { id: keys.scanA, ...variables } }),
  });
const shapes = [
  ['REST first page', rest({})],
  ['REST deep cursor', rest({ cursor: deep })],
  ['REST filtered', rest(filtered)],
  ['GraphQL first page', graphql({})],
  ['GraphQL deep cursor', graphql({ after: deep })],
  ['GraphQL filtered', graphql(filtered)],
];

function cpuMsOf(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

async function batch(api, send) {
  const latencies = [];
  const cpuBefore = cpuMsOf(api.child.pid);
  let errors = 0;
  const start = performance.now();
  const pending = [];
  for (let i = 0; i < pages; i += 1) {
    if (rate > 0) {
      const scheduled = start + (i * 1000) / rate;
      const wait = scheduled - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      pending.push(
        send(api.base).then((answer) => {
          latencies.push(performance.now() - scheduled);
          if (answer.status !== 200) errors += 1;
        }),
      );
    } else {
      const sent = performance.now();
      const answer = await send(api.base);
      latencies.push(performance.now() - sent);
      if (answer.status !== 200) errors += 1;
    }
  }
  await Promise.all(pending);
  latencies.sort((a, b) => a - b);
  return {
    p50: latencies[Math.floor(latencies.length * 0.5)],
    p90: latencies[Math.floor(latencies.length * 0.9)],
    cpu: (cpuMsOf(api.child.pid) - cpuBefore) / pages,
    errors,
  };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const apis = [await startApi(other, envOther), await startApi(root)];
try {
  for (const api of apis) for (const [, send] of shapes) for (let i = 0; i < 300; i += 1) await send(api.base); // warm-up
  const results = new Map();
  for (let b = 0; b < batches; b += 1) {
    for (const [label, send] of shapes) {
      const order = b % 2 ? [...apis].reverse() : apis;
      for (const api of order) {
        const key = `${label}\t${apis.indexOf(api)}`;
        if (!results.has(key)) results.set(key, []);
        results.get(key).push(await batch(api, send));
      }
    }
  }
  process.stdout.write(`side by side: ${batches} batches of ${pages} pages, ${rate > 0 ? `${rate} a second` : 'one at a time'}\n`);
  for (const [label] of shapes) {
    const line = apis.map((api) => {
      const runs = results.get(`${label}\t${apis.indexOf(api)}`);
      return `${median(runs.map((r) => r.p50)).toFixed(2)} / ${median(runs.map((r) => r.p90)).toFixed(2)} ms, CPU ${median(runs.map((r) => r.cpu)).toFixed(2)} ms${runs.some((r) => r.errors) ? ' ERRORS' : ''}`;
    });
    const names = [
      `${path.basename(apis[0].dir)}${
        Object.keys(envOther).length
          ? ` (${Object.entries(envOther)
              .map((pair) => pair.join('='))
              .join(' ')})`
          : ''
      }`,
      path.basename(apis[1].dir),
    ];
    process.stdout.write(`${label.padEnd(20)} ${names[0]}: ${line[0]}   ${names[1]}: ${line[1]}\n`);
  }
} finally {
  for (const api of apis) api.child.kill('SIGTERM');
}
