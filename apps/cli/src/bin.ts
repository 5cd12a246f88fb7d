#!/usr/bin/env node
// The CLI's entry point: bin/rollsafe runs it, and tools/bundle-cli.mjs bundles it into
// rollsafe.js (dist/cli, and the CLI package's lib/).
import { tuneV8ForScans } from '#rollsafe/advisor';

tuneV8ForScans('one-scan'); // before any scan runs
const { run } = await import('./main.js');
await run(process.argv.slice(2));
