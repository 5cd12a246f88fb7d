#!/usr/bin/env node
// `npm test`: type-check the whole workspace, lint and test every Nx project, then print
// one plain summary line that CI can read.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const countsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rollsafe-test-')), 'counts.jsonl');
const env = { ...process.env, ROLLSAFE_TEST_COUNTS: countsFile, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' };
const extraArgs = process.argv.slice(2);

function run(label, command, args) {
  process.stdout.write(`\n== ${label}\n`);
  const result = spawnSync(command, args, { stdio: 'inherit', env });
  return result.status === 0;
}

// Every source the formatter owns; `npm run format` rewrites them.
const FORMATTED = ['apps/**/*.ts', 'libs/**/*.ts', 'tools/**/*.mjs', 'bench/**/*.mjs', 'conformance/**/*.mjs', 'prisma/**/*.ts'];

const steps = [
  // The Prisma client is generated, not committed: the type-check needs it.
  run('prisma generate', process.execPath, [
    '-e',
    "import('./tools/build.mjs').then((m) => process.exit(m.runStep(m.prismaGenerateStep(), { quiet: true }) ? 0 : 1))",
  ]),
  run('type-check (tsc --noEmit, sources and tests)', process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json']),
  run('format (prettier --check)', process.execPath, ['node_modules/prettier/bin/prettier.cjs', '--check', '--log-level=warn', ...FORMATTED]),
  run('build (tsc)', process.execPath, ['tools/build.mjs']),
  run('lint and test (nx)', 'npx', ['nx', 'run-many', '-t', 'lint', 'test', '--outputStyle=static', ...extraArgs]),
];

let passed = 0;
let failed = 0;
let skipped = 0;
if (fs.existsSync(countsFile)) {
  for (const line of fs.readFileSync(countsFile, 'utf8').split('\n').filter(Boolean)) {
    const counts = JSON.parse(line);
    passed += counts.passed;
    failed += counts.failed;
    skipped += counts.skipped;
  }
}
const ok = steps.every(Boolean) && failed === 0;
if (!ok && failed === 0) failed = 1; // a failed build or lint step counts as a failure
process.stdout.write(`\ntests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exit(ok ? 0 : 1);
