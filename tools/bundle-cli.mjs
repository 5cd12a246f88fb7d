#!/usr/bin/env node
// The CLI bundled by esbuild: apps/cli and the libraries it imports, with their npm dependencies,
// split into chunks so a manifest scan never loads the Kubernetes client, and the parse
// worker's script beside them. `npm run pack:cli` ships it as lib/; the build writes it to dist/cli/,
// which bin/rollsafe runs: one file and a few chunks load in about 60 ms less than the 70
// modules of dist/ (bench/manifest-scan).
//   node tools/bundle-cli.mjs OUTDIR
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Bundles the CLI into `outdir`; returns esbuild's metafile (the bundled inputs). */
export async function bundleCli(outdir, { quiet = false } = {}) {
  fs.rmSync(outdir, { recursive: true, force: true }); // chunk names change with their content
  const result = await build({
    absWorkingDir: root,
    entryPoints: {
      rollsafe: 'apps/cli/src/bin.ts',
      'parse-worker': 'libs/manifests/src/parse-worker.ts',
    },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.11',
    tsconfig: path.join(root, 'tsconfig.base.json'),
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    metafile: true,
    logLevel: quiet ? 'error' : 'warning',
    // Bundled CommonJS (js-yaml 4, client-node's dependencies) calls require(): give it one.
    banner: { js: "import { createRequire as __rollsafeRequire } from 'node:module'; const require = __rollsafeRequire(import.meta.url);" },
  });
  return result.metafile;
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
