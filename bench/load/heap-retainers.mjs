#!/usr/bin/env node
// What keeps objects alive in a heap snapshot (heap-trace.mjs writes one on SIGUSR2): for the
// objects that have every one of the given properties (e.g. a finding's view: `fingerprint
// ruleId severity`), or whose constructor is `--class`, how many there are, and their retainer
// chains (the first strong retainer at each step, up to `--depth`), counted.
//   node bench/load/heap-retainers.mjs out/api-1.heapsnapshot fingerprint ruleId [--class Name] [--depth 14]
import fs from 'node:fs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const [value] = args.splice(at, 2).slice(1);
  return value;
};
const depth = Number(option('depth', 14));
const className = option('class', undefined);
const [file, ...properties] = args;
const snapshot = JSON.parse(fs.readFileSync(file, 'utf8'));
const meta = snapshot.snapshot.meta;
const nodeFields = meta.node_fields.length;
const edgeFields = meta.edge_fields.length;
const nodeTypes = meta.node_types[0];
const edgeTypes = meta.edge_types[0];
const { nodes, edges, strings } = snapshot;
const count = nodes.length / nodeFields;
const N_TYPE = meta.node_fields.indexOf('type');
const N_NAME = meta.node_fields.indexOf('name');
const N_EDGES = meta.node_fields.indexOf('edge_count');
const N_SIZE = meta.node_fields.indexOf('self_size');
const E_TYPE = meta.edge_fields.indexOf('type');
const E_NAME = meta.edge_fields.indexOf('name_or_index');
const E_TO = meta.edge_fields.indexOf('to_node');

const firstEdge = new Uint32Array(count + 1);
for (let i = 0; i < count; i += 1) firstEdge[i + 1] = firstEdge[i] + nodes[i * nodeFields + N_EDGES];
const retainers = Array.from({ length: count }, () => []);
for (let i = 0; i < count; i += 1) {
  for (let e = firstEdge[i]; e < firstEdge[i + 1]; e += 1) {
    const type = edgeTypes[edges[e * edgeFields + E_TYPE]];
    if (type === 'weak') continue;
    const to = edges[e * edgeFields + E_TO] / nodeFields;
    retainers[to].push([i, e]);
  }
}
const typeOf = (i) => nodeTypes[nodes[i * nodeFields + N_TYPE]];
const nameOf = (i) => strings[nodes[i * nodeFields + N_NAME]];
const edgeName = (e) => {
  const type = edgeTypes[edges[e * edgeFields + E_TYPE]];
  const value = edges[e * edgeFields + E_NAME];
  return type === 'element' || type === 'hidden' ? `[${value}]` : strings[value];
};
const propertiesOf = (i) => {
  const names = new Set();
  for (let e = firstEdge[i]; e < firstEdge[i + 1]; e += 1)
    if (edgeTypes[edges[e * edgeFields + E_TYPE]] === 'property') names.add(strings[edges[e * edgeFields + E_NAME]]);
  return names;
};
const matches = [];
for (let i = 0; i < count; i += 1) {
  if (typeOf(i) !== 'object') continue;
  if (className && nameOf(i) !== className) continue;
  if (properties.length > 0) {
    const names = propertiesOf(i);
    if (!properties.every((name) => names.has(name))) continue;
  }
  matches.push(i);
}
console.log(`${matches.length} objects`);
const chains = new Map();
for (const start of matches) {
  const steps = [];
  let at = start;
  const seen = new Set([at]);
  for (let step = 0; step < depth; step += 1) {
    const next = retainers[at].find(([from]) => !seen.has(from) && typeOf(from) !== 'synthetic') ?? retainers[at][0];
    if (!next) break;
    const [from, e] = next;
    steps.push(`${typeOf(from)} ${nameOf(from).slice(0, 60)} .${edgeName(e)}`);
    if (seen.has(from)) break;
    seen.add(from);
    at = from;
  }
  const key = steps.join('\n    < ');
  chains.set(key, (chains.get(key) ?? 0) + 1);
}
for (const [chain, times] of [...chains].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`\n${times} x\n    < ${chain}`);
