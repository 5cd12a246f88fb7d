#!/usr/bin/env node
// The benchmark's floor: read the file and parse it with js-yaml alone, nothing else.
//   node bench/manifest-scan/floor.mjs FILE
import fs from 'node:fs';
import { loadAll } from 'js-yaml';

const text = fs.readFileSync(process.argv[2], 'utf8');
const documents = loadAll(text);
process.stdout.write(`${documents.length}\n`);
