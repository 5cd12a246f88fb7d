#!/usr/bin/env node
// The bundled CLI's entry point: tools/bundle-cli.mjs writes it as rollsafe.js beside cli.cjs (the
// CLI and the libraries it uses, as one CommonJS function) and vendor/ (the npm packages only some
// commands load), in dist/cli/ (bin/rollsafe) and the CLI package's lib/. It compiles cli.cjs with
// the V8 code cache the build wrote by running a scan, so that a scan does not parse and compile
// the CLI's functions again (bench/manifest-scan: about 4 % of a 2,000-app scan's CPU).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { tuneV8ForScans } from '#rollsafe/advisor';
import { compileWithCodeCache, writeCodeCache } from './code-cache.js';

type CliModule = { exports: { run?: (argv: string[]) => Promise<void> } };
// cli.cjs requires node's modules and its vendor/ files (`./vendor/yaml.cjs`), both resolved from where it lies.
type BundledCli = (
  exports: CliModule['exports'],
  require: (id: string) => unknown,
  module: CliModule,
  filename: string,
  dirname: string,
  importMetaUrl: string,
) => void;

tuneV8ForScans('one-scan'); // before compiling: V8 accepts a code cache only under the flags it was made with
const dir = path.dirname(fileURLToPath(import.meta.url));
const file = path.join(dir, 'cli.cjs');
const source = fs.readFileSync(file, 'utf8');
const { script } = compileWithCodeCache(file, source);
// The build's training scan (tools/bundle-cli.mjs) sets this; nothing else writes into the CLI's own directory.
if (process.env['ROLLSAFE_WRITE_CODE_CACHE'] === '1') {
  process.once('exit', () => {
    try {
      writeCodeCache(file, source, script);
    } catch (error) {
      process.stderr.write(`rollsafe: could not write the code cache beside ${file}: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 2;
    }
  });
}

const cli: CliModule = { exports: {} };
(script.runInThisContext() as BundledCli)(cli.exports, createRequire(file), cli, file, dir, pathToFileURL(file).href);
if (!cli.exports.run) throw new Error(`${file} does not export run()`);
await cli.exports.run(process.argv.slice(2));
