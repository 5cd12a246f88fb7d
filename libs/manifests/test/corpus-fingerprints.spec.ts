import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAdvisor } from '#rollsafe/advisor';
import { DEFAULT_LIMITS, parseManifests, parseManifestText } from '../src/index.js';
import { parseReference } from '../src/reference-parse.js';

/**
 * The parser's contract on real inputs: every file of the conformance and example corpora
 * parses to the same documents (values, first lines, `kind: List` item lines; error codes) and
 * gives the same findings (fingerprint, rule, file:line) as the stored list, which was generated
 * with the js-yaml 5 event parser BEFORE the parser was replaced (issue 13): the `parser`
 * digests by its own parse function (commit 5953c2b), the findings through parseManifests and
 * runAdvisor at that commit.
 *
 * The `parser` digests depend on the parser only: never regenerate them to make a parser change
 * pass. The `findings` depend on the rules too: when a rule change (not a parser change) moves
 * them, regenerate the findings with
 *   UPDATE_CORPUS_FINDINGS=1 npx jest -c libs/manifests/jest.config.js corpus-fingerprints
 * and say so in the commit.
 */
const workspace = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const STORED = path.join(workspace, 'libs/manifests/test/fixtures/corpus-fingerprints.json');
const ROOTS = ['conformance/corpus', 'examples'];

interface FileRecord {
  parser: string;
  findings: string[];
}

function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(ya?ml|json)$/i.test(entry.name)) out.push(full);
    }
  };
  if (fs.existsSync(root)) walk(root);
  return out;
}

const isList = (value: unknown): boolean => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  return typeof record['kind'] === 'string' && record['kind'].endsWith('List') && Array.isArray(record['items']);
};
// -0, NaN and Infinity survive into the digest.
const replacer = (_key: string, value: unknown): unknown =>
  typeof value === 'number' && (Object.is(value, -0) || !Number.isFinite(value)) ? `#number:${Object.is(value, -0) ? '-0' : String(value)}` : value;

/** The parser's output: non-empty documents as [first line, List item lines, value], and error codes. */
function digestParse(name: string, text: string): string {
  return digestOf(parseManifestText({ name, text }));
}

/**
 * The same digest from the js-yaml 5 event parser on the file as it is now: what a file edited
 * since the stored list was made must agree with (its stored digest is of the old text).
 */
function digestReference(name: string, text: string): string {
  const outcome = parseReference(text, name, 1, DEFAULT_LIMITS, DEFAULT_LIMITS.maxDocuments);
  return digestOf('error' in outcome ? { documents: [], errors: [outcome.error] } : { documents: outcome.documents, errors: [] });
}

function digestOf(parsed: { documents: Array<{ line: number; itemLines?: number[]; value: unknown }>; errors: Array<{ code: string }> }): string {
  const documents = parsed.documents
    .filter((d) => d.value !== null && d.value !== undefined)
    .map((d) => [d.line, isList(d.value) ? (d.itemLines ?? []) : [], d.value]);
  const view = parsed.errors.length > 0 ? [[], parsed.errors.map((e) => e.code)] : [documents, []];
  return createHash('sha256').update(JSON.stringify(view, replacer)).digest('hex').slice(0, 16);
}

function findingsOf(name: string, text: string): string[] {
  const { snapshot } = parseManifests([{ name, text }]);
  const result = runAdvisor(snapshot);
  return [...result.findings, ...result.suppressed].map((f) => `${f.fingerprint} ${f.ruleId} ${f.location?.file ?? '-'}:${f.location?.line ?? '-'}`).sort();
}

function recordCorpus(): Record<string, FileRecord> {
  const records: Record<string, FileRecord> = {};
  for (const root of ROOTS) {
    for (const file of listFiles(path.join(workspace, root))) {
      const name = path.relative(workspace, file);
      const text = fs.readFileSync(file, 'utf8');
      records[name] = { parser: digestParse(name, text), findings: findingsOf(name, text) };
    }
  }
  return records;
}

describe('conformance and example corpora', () => {
  const current = recordCorpus();
  const stored = JSON.parse(fs.readFileSync(STORED, 'utf8')) as Record<string, FileRecord>;

  if (process.env['UPDATE_CORPUS_FINDINGS']) {
    it('writes the findings of the stored list (its parser digests stay)', () => {
      const next = Object.fromEntries(
        Object.entries(current).map(([name, record]) => [name, { parser: stored[name]?.parser ?? record.parser, findings: record.findings }]),
      );
      fs.writeFileSync(STORED, JSON.stringify(next, null, 1) + '\n');
    });
    return;
  }

  it('covers the same files as the stored list', () => {
    expect(Object.keys(current).sort()).toEqual(Object.keys(stored).sort());
    expect(Object.keys(current).length).toBeGreaterThan(400);
  });

  it('parses every file to the documents, lines and errors of the js-yaml 5 event parser', () => {
    const changed = Object.keys(stored).filter((name) => {
      const record = current[name];
      if (!record || record.parser === stored[name]?.parser) return false;
      return record.parser !== digestReference(name, fs.readFileSync(path.join(workspace, name), 'utf8'));
    });
    expect(changed).toEqual([]);
  });

  // A rule change (not a parser change) moves findings: then run UPDATE_CORPUS_FINDINGS=1 npx jest -c libs/manifests/jest.config.js corpus-fingerprints
  it('gives every file the same findings (fingerprint, rule, file:line; after a rule change: UPDATE_CORPUS_FINDINGS=1)', () => {
    const changed = Object.keys(stored).filter((name) => current[name] && JSON.stringify(current[name].findings) !== JSON.stringify(stored[name]?.findings));
    expect(changed).toEqual([]);
    expect(Object.values(stored).reduce((n, r) => n + r.findings.length, 0)).toBeGreaterThan(100);
  });
});
