#!/usr/bin/env node
// CPU-profiles one `rollsafe scan FILE --format json` and says where the time goes.
//
//   node bench/manifest-scan/profile.mjs FILE            # runs node --cpu-prof dist/apps/cli/src/bin.js scan ...
//   node bench/manifest-scan/profile.mjs --summarize X.cpuprofile
//
// Each sample is put in the phase of the innermost marker function on its stack (parse,
// index, rules by file, engine per-finding work, JSON, write, start-up); garbage-collector
// and "(program)" samples, which V8 records without a stack, go to the phase of the sample
// before them. Also prints the top functions by self time.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const args = process.argv.slice(2);

let profileFile;
let wallSeconds;
if (args[0] === '--summarize') {
  profileFile = args[1];
} else {
  const file = args[0];
  if (!file) {
    process.stderr.write('usage: node bench/manifest-scan/profile.mjs FILE | --summarize PROFILE.cpuprofile\n');
    process.exit(0);
  }
  const dir = path.join(here, 'out', 'profiles');
  fs.mkdirSync(dir, { recursive: true });
  const name = `rollsafe-${Date.now()}.cpuprofile`;
  const started = process.hrtime.bigint();
  const result = spawnSync(
    process.execPath,
    [
      '--cpu-prof',
      `--cpu-prof-dir=${dir}`,
      `--cpu-prof-name=${name}`,
      '--cpu-prof-interval=500',
      // The modules as tsc writes them, each function in its own file (bin/rollsafe runs the
      // same code bundled into one file with a code cache, where files say nothing, and starts sooner).
      path.join(root, 'dist', 'apps', 'cli', 'src', 'bin.js'),
      'scan',
      file,
      '--format',
      'json',
    ],
    // Into a file, as run.mjs writes it (the CLI writes a file straight, /dev/null through the stream).
    { cwd: root, stdio: ['ignore', fs.openSync(path.join(dir, 'scan.json'), 'w'), 'inherit'] },
  );
  wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(`the CLI (dist/apps/cli/src/bin.js) exited ${result.status} after ${wallSeconds.toFixed(2)} s (with the profiler on)\n`);
  profileFile = path.join(dir, name);
}

const profile = JSON.parse(fs.readFileSync(profileFile, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Innermost match wins, so list the specific markers; `url` is matched as a substring.
const MARKERS = [
  { phase: 'start-up: tsc freshness check (buildIsStale)', fn: 'buildIsStale' },
  { phase: 'read file', fn: 'readManifestPaths' },
  { phase: 'read file', fn: 'readFileHandle' },
  { phase: 'parse: reference path (js-yaml 5 events: anchors, tags, duplicate keys, Lists)', fn: 'parseReference' },
  { phase: 'parse: js-yaml loadAll (floor.mjs)', fn: 'loadAll' },
  { phase: 'parse: block parser (parseBlockDocument)', fn: 'parseBlockDocument' },
  { phase: 'parse: js-yaml 4 (documents the block parser gives up on)', fn: 'loadFast' },
  { phase: 'parse: splitting at --- (splitDocuments, firstContentLine)', fn: 'splitDocuments' },
  { phase: 'parse: splitting at --- (splitDocuments, firstContentLine)', fn: 'firstContentLine' },
  { phase: 'parse: workers (runWorker, JSON back)', fn: 'runWorker' },
  { phase: 'parse: snapshot building (buildSnapshot, addDocument)', fn: 'buildSnapshot' },
  { phase: 'parse: other (parseManifestText, limits)', fn: 'parseManifestText' },
  { phase: 'parse: other (parseManifestText, limits)', fn: 'parseManifestsParallel' },
  { phase: 'parse: other (parseManifestText, limits)', fn: 'parseManifests' },
  { phase: 'index: SnapshotIndex', fn: 'SnapshotIndex' },
  { phase: 'engine: fingerprint (sha256)', fn: 'fingerprintOf' },
  { phase: 'engine: suppression check', fn: 'isSuppressed' },
  { phase: 'engine: toFinding', fn: 'toFinding' },
  { phase: 'engine: sort findings', fn: 'compareFindings' },
  { phase: 'engine: sort findings', fn: 'sortFindings' },
  { phase: 'engine: sort findings', fn: 'sort' },
  { phase: 'rules: lifecycle.js', url: '/rules/lifecycle.js' },
  { phase: 'rules: rollout.js', url: '/rules/rollout.js' },
  { phase: 'rules: placement.js', url: '/rules/placement.js' },
  { phase: 'rules: service.js', url: '/rules/service.js' },
  { phase: 'rules: slb-quota.js', url: '/rules/slb-quota.js' },
  { phase: 'rules: helpers/drain-delay', url: '/rules/' },
  { phase: 'engine: other (runAdvisor)', fn: 'runAdvisor' },
  { phase: 'simulator: serviceVerdicts (libs/simulator)', fn: 'serviceVerdicts' },
  { phase: 'output: formatJson + JSON.stringify', fn: 'formatJson' },
  { phase: 'output: write stdout', fn: 'writeGeneric' },
  { phase: 'output: write stdout', fn: 'writeOrBuffer' },
  { phase: 'output: write stdout', fn: 'stdout' },
  { phase: 'main: other', fn: 'main' },
];

function frames(id) {
  const list = [];
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) list.push(byId.get(cur).callFrame);
  return list; // innermost first
}
function phaseOf(id) {
  const stack = frames(id);
  const leaf = stack[0].functionName;
  if (leaf === '(garbage collector)') return 'GC';
  if (leaf === '(program)' || leaf === '(idle)') return 'PROGRAM';
  for (const frame of stack) {
    for (const m of MARKERS) {
      if (m.fn && frame.functionName === m.fn) return m.phase;
      if (m.url && frame.url.includes(m.url)) return m.phase;
    }
  }
  return 'start-up: node bootstrap, module loading, other';
}

const phaseCache = new Map();
const totals = new Map();
const gcBy = new Map();
const selfBy = new Map();
let last = 'start-up: node bootstrap, module loading, other';
let total = 0;
const deltas = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  const dt = (deltas[i + 1] ?? deltas[i] ?? 0) / 1000; // ms until the next sample
  total += dt;
  let phase = phaseCache.get(id);
  if (phase === undefined) phaseCache.set(id, (phase = phaseOf(id)));
  if (phase === 'GC') {
    gcBy.set(last, (gcBy.get(last) ?? 0) + dt);
  } else if (phase === 'PROGRAM') {
    totals.set(last, (totals.get(last) ?? 0) + dt);
  } else {
    last = phase;
    totals.set(phase, (totals.get(phase) ?? 0) + dt);
  }
  const frame = byId.get(id).callFrame;
  const key = `${frame.functionName || '(anonymous)'} ${frame.url ? path.basename(frame.url) : ''}:${frame.lineNumber + 1}`;
  selfBy.set(key, (selfBy.get(key) ?? 0) + dt);
}

const phases = [...new Set([...totals.keys(), ...gcBy.keys()])];
const rows = phases.map((p) => [p, totals.get(p) ?? 0, gcBy.get(p) ?? 0]);
const order = ['start-up', 'read', 'parse', 'index', 'rules', 'engine', 'simulator', 'output', 'main'];
rows.sort((a, b) => order.findIndex((o) => a[0].startsWith(o)) - order.findIndex((o) => b[0].startsWith(o)) || b[1] + b[2] - (a[1] + a[2]));
const ms = (v) => `${v.toFixed(0).padStart(7)} ms`;
const pct = (v) => `${((100 * v) / total).toFixed(1).padStart(5)} %`;
const out = [];
out.push(`profile ${path.relative(process.cwd(), profileFile)}: ${(total / 1000).toFixed(2)} s sampled`);
out.push(`${'phase'.padEnd(50)}${'JS'.padStart(10)}${'GC'.padStart(10)}${'total'.padStart(10)}${'share'.padStart(8)}`);
for (const [p, js, gc] of rows) out.push(`${p.padEnd(50)}${ms(js)}${ms(gc)}${ms(js + gc)}${pct(js + gc)}`);
const gcTotal = [...gcBy.values()].reduce((a, b) => a + b, 0);
out.push(`${'all phases'.padEnd(50)}${ms(total - gcTotal)}${ms(gcTotal)}${ms(total)}`);
out.push('');
out.push('top 25 functions by self time:');
for (const [key, v] of [...selfBy].sort((a, b) => b[1] - a[1]).slice(0, 25)) out.push(`  ${ms(v)} ${pct(v)}  ${key}`);
process.stdout.write(out.join('\n') + '\n');
