#!/usr/bin/env node
// A floor: read the file and turn it into objects with one YAML library, nothing else.
//   node bench/manifest-scan/floor.mjs FILE [js-yaml-4 | js-yaml-5 | yaml]     (default js-yaml-4)
// js-yaml-4: js-yaml 4.1.0 loadAll; js-yaml-5: js-yaml 5.x loadAll; yaml: the `yaml` package,
// parseAllDocuments + toJS (its loadAll). Prints the document count.
import fs from 'node:fs';

const [file, parser = 'js-yaml-4'] = process.argv.slice(2);
const text = fs.readFileSync(file, 'utf8');
let documents;
if (parser === 'js-yaml-4') {
  const { default: jsYaml4 } = await import('js-yaml-4');
  documents = jsYaml4.loadAll(text);
} else if (parser === 'js-yaml-5') {
  const { loadAll } = await import('js-yaml');
  documents = loadAll(text);
} else if (parser === 'yaml') {
  const { parseAllDocuments } = await import('yaml');
  documents = parseAllDocuments(text).map((document) => document.toJS());
} else {
  process.stderr.write(`unknown parser ${parser}\n`);
  process.exit(2);
}
process.stdout.write(`${documents.length}\n`);
