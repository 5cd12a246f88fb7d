#!/usr/bin/env node
// Compiles every library and app with tsc into dist/ (tsc keeps decorator metadata, which
// NestJS needs), then bundles the CLI into dist/cli/ for bin/rollsafe. `--if-stale` skips the
// build when dist/ is newer than every source file, so bin/rollsafe and `npm start` can call it
// on each run for a few milliseconds.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stampFile = path.join(root, 'dist', '.build-stamp');
/** The bundled CLI that bin/rollsafe runs (tools/bundle-cli.mjs). */
export const CLI_BUNDLE_DIR = path.join(root, 'dist', 'cli');

function newestSourceMtime(dir) {
  let newest = 0;
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtime(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

export function buildIsStale() {
  let stamp;
  try {
    stamp = fs.statSync(stampFile).mtimeMs;
  } catch {
    return true;
  }
  if (!fs.existsSync(path.join(CLI_BUNDLE_DIR, 'rollsafe.js'))) return true; // a dist/ from before the bundle
  const sourceDirs = ['libs', 'apps'].flatMap((group) => {
    const groupDir = path.join(root, group);
    return fs.existsSync(groupDir) ? fs.readdirSync(groupDir).map((name) => path.join(groupDir, name, 'src')) : [];
  });
  const inputs = [path.join(root, 'tsconfig.base.json'), path.join(root, 'tsconfig.build.json'), path.join(root, 'prisma', 'schema.prisma')].filter((file) =>
    fs.existsSync(file),
  );
  const newest = Math.max(...sourceDirs.map(newestSourceMtime), ...inputs.map((file) => fs.statSync(file).mtimeMs));
  return newest > stamp;
}

/**
 * Compiled code finds each library through the root package.json `imports`, TypeScript and
 * jest through tsconfig `paths`: a library listed in one and not the other compiles and
 * passes its tests, then fails at run time. Test-only libraries need no `imports` entry.
 */
export function missingRuntimeImports() {
  const paths = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8')).compilerOptions.paths ?? {};
  const imports = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).imports ?? {};
  return Object.keys(paths).filter((alias) => alias !== '#rollsafe/testing' && !(alias in imports));
}

export function build({ quiet = false } = {}) {
  const missing = missingRuntimeImports();
  if (missing.length > 0) {
    process.stderr.write(`rollsafe build: add ${missing.join(', ')} to the "imports" of package.json (see docs/architecture.md)\n`);
    return false;
  }
  for (const step of buildSteps()) {
    if (!quiet) process.stderr.write(`rollsafe build: ${step.label}\n`);
    if (!runStep(step, { quiet })) {
      process.stderr.write(`rollsafe build: ${step.label} failed\n`);
      return false;
    }
  }
  fs.mkdirSync(path.dirname(stampFile), { recursive: true });
  fs.writeFileSync(stampFile, new Date().toISOString() + '\n');
  return true;
}

/**
 * `prisma generate` writes the Prisma client into libs/store/src/generated/prisma (not
 * committed). It needs DATABASE_URL set, to any value, or it tries to download an engine.
 */
export function prismaGenerateStep() {
  return {
    label: 'generating the Prisma client (prisma generate)',
    args: [path.join(root, 'node_modules', 'prisma', 'build', 'index.js'), 'generate', '--no-hints'],
    env: {
      DATABASE_URL: process.env.DATABASE_URL || 'postgresql://placeholder@127.0.0.1:5432/placeholder',
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
    },
  };
}

export function runStep(step, { quiet = false } = {}) {
  const result = spawnSync(process.execPath, step.args, {
    cwd: root,
    env: { ...process.env, ...step.env },
    // Quiet builds (bin/rollsafe) keep the output to themselves unless the step fails.
    stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
  });
  if (quiet && result.status !== 0) {
    process.stderr.write(String(result.stdout ?? '') + String(result.stderr ?? ''));
  }
  return result.status === 0;
}

function buildSteps() {
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const steps = [];
  if (fs.existsSync(path.join(root, 'prisma', 'schema.prisma'))) steps.push(prismaGenerateStep());
  steps.push({ label: 'compiling TypeScript (tsc -p tsconfig.build.json)', args: [tsc, '-p', 'tsconfig.build.json'] });
  steps.push({ label: 'bundling the CLI for bin/rollsafe (esbuild, dist/cli)', args: [path.join(root, 'tools', 'bundle-cli.mjs'), CLI_BUNDLE_DIR] });
  return steps;
}

const invokedDirectly = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const ifStale = process.argv.includes('--if-stale');
  if (ifStale && !buildIsStale()) process.exit(0);
  process.exit(build() ? 0 : 1);
}
