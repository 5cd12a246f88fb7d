#!/usr/bin/env node
// Sums a sampling heap profile (`.heapprofile`, from heap-trace.mjs or DevTools) by allocation
// stack: the top stacks (their first `--depth` frames, default 8) and the top frames of our own
// code (the first frame outside node_modules and Node's internals), with the bytes and share of
// each.
//   node bench/load/heap-profile.mjs out/api-123.heapprofile [--depth 8] [--top 25]
import fs from 'node:fs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const depth = option('depth', 8);
const top = option('top', 25);
const profile = JSON.parse(fs.readFileSync(args[0], 'utf8'));

const nodes = new Map();
const walk = (node, parent) => {
  const frame = node.callFrame;
  const where = frame.url ? `${frame.url.replace(/^file:\/\/.*?\/(node_modules|dist)\//, '$1/')}:${frame.lineNumber + 1}` : '';
  const name = `${frame.functionName || '(anonymous)'} ${where}`.trim();
  const entry = { name, url: frame.url, parent };
  nodes.set(node.id, entry);
  for (const child of node.children) walk(child, entry);
};
walk(profile.head, undefined);

const stackOf = (entry) => {
  const frames = [];
  for (let at = entry; at && at.parent; at = at.parent) frames.push(at);
  return frames;
};
const ours = (frame) => frame.url && !frame.url.includes('node_modules') && !frame.url.startsWith('node:');

const byStack = new Map();
const byOwnFrame = new Map();
let total = 0;
for (const sample of profile.samples) {
  const frames = stackOf(nodes.get(sample.nodeId));
  total += sample.size;
  const key = frames
    .slice(0, depth)
    .map((frame) => frame.name)
    .join('\n      < ');
  byStack.set(key, (byStack.get(key) ?? 0) + sample.size);
  const own = frames.find(ours)?.name ?? '(no frame of ours)';
  byOwnFrame.set(own, (byOwnFrame.get(own) ?? 0) + sample.size);
}
const print = (title, map) => {
  console.log(`\n${title}`);
  for (const [key, size] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${(size / 1024 / 1024).toFixed(2).padStart(8)} MB ${((size / total) * 100).toFixed(1).padStart(5)}%  ${key}`);
};
console.log(`${profile.samples.length} samples, ${(total / 1024 / 1024).toFixed(1)} MB`);
print('by our first frame', byOwnFrame);
print(`by stack (${depth} frames)`, byStack);
