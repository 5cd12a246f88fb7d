#!/usr/bin/env node
// The CLI bundled by esbuild, as the CLI package ships it and bin/rollsafe runs it (dist/cli/):
//
//   rollsafe.js        the entry (apps/cli/src/bundle/rollsafe.ts): sets V8's flags, compiles
//                      cli.cjs with its code cache and runs it
//   cli.cjs            apps/cli and the libraries it imports with js-yaml, as one CommonJS function
//   cli.cjs.cache      V8's code cache for cli.cjs, written by a training scan at the end of the
//                      build, and cli.cjs.cache.json (the build and V8 it belongs to)
//   vendor/*.cjs       the npm packages only some commands need (the Kubernetes client, x509,
//                      yaml), each bundled alone and loaded when first used
//   parse-worker.js    the parse worker's script (libs/manifests)
//   shard-worker.js    the namespace shard's thread (apps/cli/src/shards): parse, rules, verdicts
//
// One CommonJS file rather than ES module chunks because Node 20 can take a code cache only for a
// script: with it, a 2,000-app scan neither parses nor compiles the CLI's functions again
// (bench/manifest-scan). `npm run pack:cli` ships the directory as lib/.
//   node tools/bundle-cli.mjs OUTDIR
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Loaded from vendor/, each bundled alone: only the cluster scan, the demo, `fix` and SARIF need them. */
export const VENDOR_PACKAGES = ['@kubernetes/client-node', '@peculiar/x509', 'reflect-metadata', 'yaml'];
const vendorFileOf = (name) => `${name.replace(/\//g, '+')}.cjs`;

/** cli.cjs requires each vendor package by its file beside it (`./vendor/yaml.cjs`), resolved by node from cli.cjs. */
const vendorPlugin = {
  name: 'rollsafe-vendor',
  setup(builder) {
    const names = new Set(VENDOR_PACKAGES);
    builder.onResolve({ filter: /^[@a-z]/ }, (args) => (names.has(args.path) ? { path: `./vendor/${vendorFileOf(args.path)}`, external: true } : undefined));
  },
};

/** What the training scan reads: every rule's cases (firing and quiet) and the seed scenarios. */
const TRAINING_INPUTS = ['libs/advisor/test/cases', 'apps/cli/test/fixtures/seed'];

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20.11',
  tsconfig: path.join(root, 'tsconfig.base.json'),
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  metafile: true,
};

/** Bundles the CLI into `outdir`; returns esbuild's metafiles' inputs (everything bundled). */
export async function bundleCli(outdir, { quiet = false } = {}) {
  fs.rmSync(outdir, { recursive: true, force: true });
  const logLevel = quiet ? 'error' : 'warning';
  const cliFile = path.join(outdir, 'cli.cjs');
  const results = await Promise.all([
    build({
      ...common,
      logLevel,
      entryPoints: ['apps/cli/src/main.ts'],
      outfile: cliFile,
      format: 'cjs',
      plugins: [vendorPlugin],
      // import() of a bundled module or a vendor package becomes require(): the code cache needs a
      // script, and a script's import() would need the experimental vm modules.
      supported: { 'dynamic-import': false },
      define: { 'import.meta.url': '__rollsafeImportMetaUrl' },
      banner: { js: '(function (exports, require, module, __filename, __dirname, __rollsafeImportMetaUrl) {' },
      footer: { js: '})' },
    }),
    build({
      ...common,
      logLevel,
      entryPoints: {
        rollsafe: 'apps/cli/src/bundle/rollsafe.ts',
        'parse-worker': 'libs/manifests/src/parse-worker.ts',
        'shard-worker': 'apps/cli/src/shards/shard-worker.ts',
      },
      outdir,
      format: 'esm',
      // Bundled CommonJS (js-yaml 4) calls require(): give it one.
      banner: { js: "import { createRequire as __rollsafeRequire } from 'node:module'; const require = __rollsafeRequire(import.meta.url);" },
    }),
    ...VENDOR_PACKAGES.map((name) =>
      build({
        ...common,
        logLevel,
        entryPoints: [createRequire(path.join(root, 'package.json')).resolve(name)],
        outfile: path.join(outdir, 'vendor', vendorFileOf(name)),
        format: 'cjs',
      }),
    ),
  ]);
  const bundled = fs.readFileSync(cliFile, 'utf8');
  const buildId = crypto.createHash('sha256').update(bundled).digest('hex').slice(0, 32);
  fs.writeFileSync(cliFile, `// rollsafe-build ${buildId}\n${bundled}`);
  trainCodeCache(outdir);
  return { inputs: Object.assign({}, ...results.map((result) => result.metafile.inputs)) };
}

/** Runs a scan with the bundle so that its entry writes V8's code cache of every function the scan compiled. */
function trainCodeCache(outdir) {
  const scan = spawnSync(process.execPath, [path.join(outdir, 'rollsafe.js'), 'scan', ...TRAINING_INPUTS, '--format', 'json', '--fail-on', 'none'], {
    cwd: root,
    env: { ...process.env, ROLLSAFE_WRITE_CODE_CACHE: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  if (scan.status !== 0 || !fs.existsSync(path.join(outdir, 'cli.cjs.cache'))) {
    throw new Error(`the training scan for the code cache failed (exit ${scan.status}): ${scan.stderr.slice(0, 2000)}`);
  }
}

const invokedDirectly = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const outdir = process.argv[2];
  if (!outdir) {
    process.stderr.write('usage: node tools/bundle-cli.mjs OUTDIR\n');
    process.exit(2);
  }
  bundleCli(path.resolve(outdir), { quiet: true }).catch((error) => {
    process.stderr.write(`bundle-cli: ${error.message}\n`);
    process.exit(1);
  });
}
