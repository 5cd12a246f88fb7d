#!/usr/bin/env node
// The floor of the live-scan benchmark: pages the same lists as a Rollsafe scan with a bare
// node:https client (keep-alive agent, the same page size and number of resource types at
// once) and JSON-parses each page, nothing else. Prints "<objects> objects in <pages> pages".
//
//   node bench/live-scan/floor.mjs KUBECONFIG [--page-size 500] [--concurrency 4]
import fs from 'node:fs';
import https from 'node:https';
import { load } from 'js-yaml';

const LISTS = [
  '/api/v1/pods',
  '/apis/apps/v1/replicasets',
  '/apis/discovery.k8s.io/v1/endpointslices',
  '/api/v1/nodes',
  '/api/v1/services',
  '/apis/apps/v1/deployments',
  '/apis/apps/v1/statefulsets',
  '/apis/apps/v1/daemonsets',
  '/apis/policy/v1/poddisruptionbudgets',
  '/apis/autoscaling/v2/horizontalpodautoscalers',
];

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const pageSize = option('page-size', 500);
const concurrency = option('concurrency', 4);

const config = load(fs.readFileSync(args[0], 'utf8'));
const cluster = config.clusters[0].cluster;
const user = config.users[0].user;
const server = new URL(cluster.server);
const agent = new https.Agent({
  keepAlive: true,
  maxSockets: concurrency,
  ca: Buffer.from(cluster['certificate-authority-data'], 'base64'),
  ...(user['client-certificate-data']
    ? { cert: Buffer.from(user['client-certificate-data'], 'base64'), key: Buffer.from(user['client-key-data'], 'base64') }
    : {}),
});
const headers = { accept: 'application/json', ...(user.token ? { authorization: `Bearer ${user.token}` } : {}) };

function get(path) {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: server.hostname, port: server.port, path, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () =>
        res.statusCode === 200 ? resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))) : reject(new Error(`${path}: HTTP ${res.statusCode}`)),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

let objects = 0;
let pages = 0;
async function listAll(path) {
  let token;
  do {
    const query = `?limit=${pageSize}${token ? `&continue=${encodeURIComponent(token)}` : ''}`;
    const page = await get(path + query);
    pages++;
    objects += page.items.length;
    token = page.metadata?.continue || undefined;
  } while (token);
}

let next = 0;
const worker = async () => {
  while (next < LISTS.length) await listAll(LISTS[next++]);
};
await Promise.all(Array.from({ length: concurrency }, worker));
agent.destroy();
process.stdout.write(`${objects} objects in ${pages} pages\n`);
