#!/usr/bin/env node
// Checks the fast paths against js-yaml on a corpus, document by document, and times them:
//   node bench/manifest-scan/check-parsers.mjs FILE...      (needs the build: node tools/build.mjs)
// For each document: the block parser's value (or its giving up) against js-yaml 4.1 with the
// same schema, and parseManifestText's documents against the js-yaml 5 reference path.
// Prints how many documents each path took and any difference; exits 1 on a difference.
import fs from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = (file) => path.join(root, 'dist', 'libs', 'manifests', 'src', file);
const { BAIL, parseBlockDocument } = await import(dist('block-parser.js'));
const { loadFast } = await import(dist('fast-yaml.js'));
const { splitDocuments } = await import(dist('split.js'));
const { parseReference } = await import(dist('reference-parse.js'));
const { parseManifestText } = await import(dist('parse-text.js'));
const { CLI_LIMITS } = await import(dist('limits.js'));

const same = (a, b) => isDeepStrictEqual(a, b) && JSON.stringify(a) === JSON.stringify(b);
let failed = false;
for (const file of process.argv.slice(2)) {
  const text = fs.readFileSync(file, 'utf8');
  const spans = splitDocuments(text) ?? [];
  const chunks = spans.map((s) => text.slice(s.start, s.end));
  const counts = { block: 0, bail: 0, different: 0 };
  const differences = [];
  let started = performance.now();
  const blockValues = chunks.map((chunk) => parseBlockDocument(chunk, CLI_LIMITS.maxExpandedNodesPerDocument, 100));
  const blockMs = performance.now() - started;
  started = performance.now();
  const jsYamlValues = chunks.map((chunk) => loadFast(chunk, undefined) ?? null);
  const jsYamlMs = performance.now() - started;
  blockValues.forEach((value, i) => {
    if (value === BAIL) counts.bail++;
    else if (same(value, jsYamlValues[i])) counts.block++;
    else {
      counts.different++;
      differences.push(spans[i].line);
    }
  });
  // The whole parse against the reference parser (js-yaml 5 events), documents and lines.
  const parsed = parseManifestText({ name: file, text }, CLI_LIMITS);
  const reference = parseReference(text, file, 1, CLI_LIMITS, Infinity);
  const referenceDocuments = 'documents' in reference ? reference.documents : [];
  const matches = same(
    parsed.documents.map((d) => [d.line, d.itemLines ?? [], d.value]),
    referenceDocuments.map((d) => [d.line, d.itemLines ?? [], d.value]),
  );
  console.log(
    `${path.relative(process.cwd(), file)}: ${chunks.length} documents; block parser took ${counts.block}, gave up on ${counts.bail}, differed on ${counts.different}${differences.length ? ` (lines ${differences.slice(0, 10).join(', ')})` : ''}; block ${blockMs.toFixed(0)} ms vs js-yaml 4 ${jsYamlMs.toFixed(0)} ms (${(jsYamlMs / blockMs).toFixed(2)}x); parseManifestText ${matches ? 'equals' : 'DIFFERS FROM'} the reference parse (${parsed.documents.length} vs ${referenceDocuments.length} documents)`,
  );
  if (counts.different > 0 || !matches) failed = true;
}
process.exitCode = failed ? 1 : 0;
