#!/usr/bin/env node
// The CLI's entry point: bin/rollsafe runs it, and tools/bundle-cli.mjs bundles it into
// rollsafe.js (dist/cli, and the CLI package's lib/).
import { tuneInliningForShortRuns } from './v8-flags.js';

tuneInliningForShortRuns(); // before any of the scan's code runs
const { run } = await import('./main.js');
await run(process.argv.slice(2));
