#!/usr/bin/env node
// Prints Rollsafe's conformance figures: agreement with the peers' own test verdicts (per peer
// and overall), every disagreement with its reason, and what Rollsafe finds in the real-world
// and Alibaba files (findings per rule and severity).
//
//   node conformance/report.mjs                  figures and the real-world summary
//   node conformance/report.mjs --disagreements  also every disagreement with its reason
//   node conformance/report.mjs --units          also the findings of each real-world unit
//   node conformance/report.mjs --json FILE      also write the full report as JSON
//   node conformance/report.mjs --cli            cross-check the real-world counts with bin/rollsafe
//
// The figures come from the conformance spec itself (conformance/test/conformance.spec.ts,
// run through jest with ROLLSAFE_CONFORMANCE_REPORT set), so the report and the test can
// never disagree. Exit status: that of the test.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const args = process.argv.slice(2);
const jsonIndex = args.indexOf('--json');
const jsonOut = jsonIndex >= 0 ? args[jsonIndex + 1] : undefined;

const reportFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rollsafe-conformance-')), 'report.json');
const jest = spawnSync(
  process.execPath,
  [
    '--experimental-vm-modules',
    '--no-warnings=ExperimentalWarning',
    path.join(root, 'node_modules/jest/bin/jest.js'),
    '--config',
    path.join(here, 'jest.config.js'),
  ],
  { cwd: root, env: { ...process.env, ROLLSAFE_CONFORMANCE_REPORT: reportFile }, encoding: 'utf8' },
);
if (!fs.existsSync(reportFile)) {
  process.stderr.write(jest.stderr + jest.stdout + '\nconformance: the spec did not produce a report\n');
  process.exit(jest.status || 1);
}
const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify(report, null, 1));

const out = [];
const pct = (a, b) => (b === 0 ? 'n/a' : `${((100 * a) / b).toFixed(1)} %`);
const pad = (s, n) => String(s).padEnd(n);

out.push("Agreement with the peers' own test verdicts (mapped checks only)", '');
out.push(
  `${pad('peer', 12)}${pad('fixtures', 10)}${pad('compared', 10)}${pad('same question', 22)}${pad('other scope', 18)}${pad('explained', 11)}unexplained  excluded`,
);
const row = (name, f) =>
  `${pad(name, 12)}${pad(f.fixtures, 10)}${pad(f.comparisons, 10)}${pad(`${f.sameQuestion.agree}/${f.sameQuestion.total} (${pct(f.sameQuestion.agree, f.sameQuestion.total)})`, 22)}${pad(`${f.otherScope.agree}/${f.otherScope.total}`, 18)}${pad(f.explained, 11)}${pad(f.unexplained, 13)}${f.excluded}`;
for (const f of report.perPeer) out.push(row(f.peer, f));
out.push(row('overall', report.overall));
const all = report.overall.sameQuestion.agree + report.overall.otherScope.agree;
out.push(
  '',
  `Agreement where RULES.md and the peer ask the same question: ${report.overall.agreementPercent.toFixed(1)} % (goal >= 95 %).`,
  `Raw agreement over every compared verdict, scope differences included: ${all}/${report.overall.comparisons} (${pct(all, report.overall.comparisons)}).`,
  `Unexplained disagreements: ${report.overall.unexplained}.`,
);
if (report.explanationProblems.length || report.fixtureProblems.length) {
  out.push('', 'Problems:', ...report.explanationProblems.map((p) => `  ${p}`), ...report.fixtureProblems.map((p) => `  ${p}`));
}

const reasons = {};
for (const c of report.comparisons) if (c.outcome === 'disagree-explained') reasons[c.reason] = (reasons[c.reason] ?? 0) + 1;
out.push(
  '',
  'Disagreements by reason:',
  ...Object.entries(reasons)
    .sort((a, b) => b[1] - a[1])
    .map(([r, n]) => `  ${pad(r, 32)}${n}`),
);

// kube-score's default test RunConfiguration is noise; explicit ones (MinReplicasHPA: 2) matter.
const runConfigNote = (rc) => (rc && !rc.includes('testExpectedScore default') && rc !== 'empty RunConfiguration' ? ` (${rc.replace(/,$/, '')})` : '');

if (args.includes('--disagreements')) {
  out.push('', 'Every disagreement:');
  for (const c of report.comparisons.filter((c) => c.outcome.startsWith('disagree'))) {
    out.push(
      `  [${c.sameQuestion ? 'same question' : 'other scope'}] ${c.peer} ${c.check} ${c.file} ${c.unit === 'file' ? '' : c.unit}${runConfigNote(c.runConfig)}`,
      `      peer ${c.expected} -> ${c.peerVerdict}; Rollsafe ${c.rollsafeVerdict}${c.rollsafeFindings.length ? ` ${c.rollsafeFindings.join('; ')}` : ''}; reason: ${c.reason ?? 'UNEXPLAINED'}${c.note ? ` (${c.note})` : ''}`,
    );
  }
}

function ruleTable(title, summary) {
  out.push('', title, `${pad('rule', 34)}${pad('critical', 10)}${pad('warning', 10)}${pad('info', 8)}total`);
  const rows = Object.entries(summary.perRule).map(([rule, counts]) => [rule, counts.critical ?? 0, counts.warning ?? 0, counts.info ?? 0]);
  rows.sort((a, b) => b[1] + b[2] + b[3] - (a[1] + a[2] + a[3]) || a[0].localeCompare(b[0]));
  for (const [rule, c, w, i] of rows) out.push(`${pad(rule, 34)}${pad(c, 10)}${pad(w, 10)}${pad(i, 8)}${c + w + i}`);
  out.push(`${pad('all', 34)}${' '.repeat(28)}${summary.findings}   (${summary.units.length} scans)`);
}
ruleTable('Real-world files (75 files, scanned as the applications of conformance/real-units.json)', report.realWorld);
ruleTable('Alibaba CCM examples, each file alone (provider detected from annotations)', report.alibaba);
ruleTable('Alibaba CCM examples, each file alone, --provider alibaba', report.alibabaNamed);
if (report.realWorldShapes) {
  ruleTable(
    `Real-world shapes (issue 9): corpus/real-world, ${report.realWorldShapes.units.reduce((n, u) => n + u.files.length, 0)} files, each project one upload (review: docs/conformance.md)`,
    report.realWorldShapes,
  );
}
const kindless = report.kindlessListItems.reduce((n, f) => n + f.items, 0);
out.push(
  '',
  `api/: ${kindless} items of ${report.kindlessListItems.length} typed List responses (PodList, ServiceList...) carry no kind; Rollsafe takes it from the List kind.`,
);

if (args.includes('--units')) {
  for (const unit of [...report.realWorld.units, ...(report.realWorldShapes?.units ?? [])]) {
    out.push('', `== ${unit.name}`, ...unit.findings.map((f) => `   ${f}`));
    if (unit.warnings.length) out.push(...unit.warnings.map((w) => `   (warning) ${w}`));
  }
}

if (args.includes('--cli')) {
  // The same scans through bin/rollsafe: per-rule counts must match the library's.
  const counts = {};
  for (const unit of report.realWorld.units) {
    const cli = spawnSync(
      process.execPath,
      [path.join(root, 'bin/rollsafe'), 'scan', ...unit.files.map((f) => path.join(here, 'corpus', f)), '--format', 'json', '--fail-on', 'none'],
      {
        cwd: root,
        encoding: 'utf8',
      },
    );
    for (const f of JSON.parse(cli.stdout).findings) counts[f.ruleId] = (counts[f.ruleId] ?? 0) + 1;
  }
  const library = Object.fromEntries(Object.entries(report.realWorld.perRule).map(([r, c]) => [r, (c.critical ?? 0) + (c.warning ?? 0) + (c.info ?? 0)]));
  const differ = [...new Set([...Object.keys(counts), ...Object.keys(library)])].filter((r) => counts[r] !== library[r]);
  out.push('', differ.length === 0 ? 'bin/rollsafe gives the same per-rule counts on the real-world units.' : `bin/rollsafe differs on: ${differ.join(', ')}`);
}

process.stdout.write(out.join('\n') + '\n');
if (jest.status !== 0) process.stderr.write('\nconformance: the conformance test failed; run `npx nx test conformance` for details\n');
process.exit(jest.status ?? 1);
