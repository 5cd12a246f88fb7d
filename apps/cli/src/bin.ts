#!/usr/bin/env node
// The CLI package's entry point (tools/pack-cli.mjs bundles it into lib/rollsafe.js).
import { run } from './main.js';

await run(process.argv.slice(2));
