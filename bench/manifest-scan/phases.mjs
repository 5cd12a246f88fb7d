#!/usr/bin/env node
// Splits one `rollsafe scan FILE --format json` into its phases, in process, using the
// compiled modules in dist/ (run `node tools/build.mjs --if-stale` first):
//
//   node --expose-gc bench/manifest-scan/phases.mjs FILE [--out /dev/null]
//
// First the pipeline exactly as apps/cli/src/main.ts runs it (freshness check, read,
// parseManifests, runAdvisor, formatJson, write), each phase timed; then, with those results
// dropped, the finer split: parseManifestText alone, next to js-yaml 4.1 and 5 loadAll in the
// same process, the SnapshotIndex alone, and each rule's check() alone (with a report()
// that only collects drafts, so the engine's per-finding work shows as the remainder).
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const file = args.find((a, i) => !a.startsWith('--') && !(outAt >= 0 && i === outAt + 1));
const outFile = outAt >= 0 ? args[outAt + 1] : '/dev/null';
if (!file) {
  process.stderr.write('usage: node --expose-gc bench/manifest-scan/phases.mjs FILE [--out /dev/null]\n');
  process.exit(0);
}
const dist = (p) => import(path.join(root, 'dist', p));

const t0 = performance.now(); // ms since the process started: node's own start-up
const { buildIsStale } = await import(path.join(root, 'tools', 'build.mjs'));
const yaml = await import('js-yaml');
const manifests = await dist('libs/manifests/src/index.js');
const advisor = await dist('libs/advisor/src/index.js');
const { SnapshotIndex } = await dist('libs/advisor/src/snapshot-index/snapshot-index.js');
const { resolveOptions } = await dist('libs/advisor/src/engine/options.js');
const { detectProvider } = await dist('libs/advisor/src/util/provider.js');
const { formatJson } = await dist('apps/cli/src/formatters/json.js');
await dist('apps/cli/src/main.js');
const tModules = performance.now() - t0;

const rows = [];
const time = async (name, fn) => {
  const started = performance.now();
  const value = await fn();
  rows.push([name, performance.now() - started]);
  return value;
};
const gc = () => globalThis.gc?.();

// ---------- 1. the pipeline as main.ts runs it ----------
rows.push(['node start-up (process start to this script)', t0]);
rows.push(['module loading (build.mjs, js-yaml, dist libs, CLI)', tModules]);
await time('tsc freshness check (buildIsStale)', () => buildIsStale());
let read = await time('read file (readManifestPaths)', () => manifests.readManifestPaths([file], async () => ''));
let parsed = await time('parseManifests', () => manifests.parseManifests(read.inputs, manifests.CLI_LIMITS));
let result = await time('runAdvisor (index + rules + findings + sort)', () => advisor.runAdvisor(parsed.snapshot, {}));
const report = {
  result,
  inputErrors: [...read.errors, ...parsed.errors],
  warnings: parsed.snapshot.warnings,
  fileCount: 1,
  resourceCount: parsed.snapshot.locations.size,
};
// formatJson yields the JSON in chunks (the CLI writes each as it comes).
let json = await time('formatJson (JSON.stringify)', () => Array.from(formatJson(report, false)));
await time('write stdout (to --out)', () => {
  const fd = fs.openSync(outFile, 'w');
  for (const chunk of json) fs.writeSync(fd, chunk);
  fs.closeSync(fd);
});
const pipelineEnd = performance.now();
const peakAfterPipeline = process.resourceUsage().maxRSS;
const summary = {
  documents: parsed.documentCount,
  chars: read.inputs[0].text.length,
  findings: result.findings.length,
  jsonBytes: json.length,
};
const snapshot = parsed.snapshot;
const text = read.inputs[0].text;
json = undefined;
result = undefined;
parsed = undefined;
read = undefined;
gc();

// ---------- 2. the finer split ----------
const split = [];
const timeSplit = (name, fn) => {
  const started = performance.now();
  const value = fn();
  split.push([name, performance.now() - started]);
  return value;
};
{
  const { default: jsYaml4 } = await import('js-yaml-4');
  timeSplit('parseManifestText (block parser, js-yaml 4 for the rest)', () => manifests.parseManifestText({ name: file, text }, manifests.CLI_LIMITS));
  gc();
  timeSplit('js-yaml 4.1 loadAll (a floor, same process)', () => jsYaml4.loadAll(text));
  gc();
  timeSplit('js-yaml 5 loadAll (a floor, same process)', () => yaml.loadAll(text));
  gc();
}
const index = timeSplit('new SnapshotIndex(snapshot)', () => new SnapshotIndex(snapshot));
const options = resolveOptions({}, detectProvider(snapshot));
const perRule = [];
let drafts = 0;
for (const rule of advisor.RULES) {
  if (rule.requires === 'live') continue;
  if (rule.provider && rule.provider !== options.provider) continue;
  const started = performance.now();
  const collected = [];
  rule.check({ snapshot, index, options, report: (draft) => collected.push(draft) });
  perRule.push([rule.id, performance.now() - started, collected.length]);
  drafts += collected.length;
}

const ms = (v) => (Number.isNaN(v) ? '' : `${v.toFixed(0).padStart(7)} ms`);
const line = (name, v, extra = '') => `${name.padEnd(56)}${ms(v)}${extra}`;
const out = [];
out.push(
  `${file}: ${summary.documents.toLocaleString('en-US')} documents, ${(summary.chars / 1e6).toFixed(1)} M chars, ${summary.findings.toLocaleString('en-US')} findings, JSON ${(summary.jsonBytes / 1e6).toFixed(1)} MB`,
);
out.push('1. the pipeline, as main.ts runs it:');
for (const [name, v] of rows) out.push('  ' + line(name, v));
out.push('  ' + line('total (process start to output written)', pipelineEnd));
out.push(`  peak RSS ${(peakAfterPipeline / 1024).toFixed(0)} MB`);
out.push('2. the split (after the pipeline, its results dropped):');
for (const [name, v] of split) out.push('  ' + line(name, v));
const rulesTotal = perRule.reduce((s, [, v]) => s + v, 0);
out.push('  ' + line(`all manifest rules' check(), ${drafts.toLocaleString('en-US')} drafts`, rulesTotal));
for (const [name, v, n] of perRule.sort((a, b) => b[1] - a[1])) out.push('    ' + line(name, v, `  ${n} drafts`).slice(0, 200));
process.stdout.write(out.join('\n') + '\n');
