import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAdvisor, type Snapshot } from '#rollsafe/advisor';
import { parseManifests } from '../src/index.js';

/**
 * The parser's contract on real inputs: every file of the conformance and example corpora
 * parses to the same snapshot (objects, lines, warnings, errors) and gives the same findings
 * (fingerprint, rule, file:line) as the stored list, which was generated with the js-yaml 5
 * event parser BEFORE the parser was replaced (issue 13).
 *
 * The `parse` digests depend on the parser only. The `findings` depend on the rules too: when a
 * rule change (not a parser change) moves them, regenerate the list with
 *   UPDATE_CORPUS_FINGERPRINTS=1 npx jest -c libs/manifests/jest.config.js corpus-fingerprints
 * and say so in the commit.
 */
const workspace = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const STORED = path.join(workspace, 'libs/manifests/test/fixtures/corpus-fingerprints.json');
const ROOTS = ['conformance/corpus', 'examples'];

interface FileRecord {
  parse: string;
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

function digestSnapshot(snapshot: Snapshot, errors: unknown[]): string {
  const hash = createHash('sha256');
  for (const [object, location] of snapshot.locations) hash.update(JSON.stringify([location, object]));
  hash.update(JSON.stringify([snapshot.warnings, snapshot.otherPodTemplates, errors]));
  return hash.digest('hex').slice(0, 16);
}

function recordFile(name: string, text: string): FileRecord {
  const { snapshot, errors } = parseManifests([{ name, text }]);
  const result = runAdvisor(snapshot);
  const findings = [...result.findings, ...result.suppressed]
    .map((f) => `${f.fingerprint} ${f.ruleId} ${f.location?.file ?? '-'}:${f.location?.line ?? '-'}`)
    .sort();
  return { parse: digestSnapshot(snapshot, errors), findings };
}

function recordCorpus(): Record<string, FileRecord> {
  const records: Record<string, FileRecord> = {};
  for (const root of ROOTS) {
    for (const file of listFiles(path.join(workspace, root))) {
      const name = path.relative(workspace, file);
      records[name] = recordFile(name, fs.readFileSync(file, 'utf8'));
    }
  }
  return records;
}

describe('conformance and example corpora', () => {
  const current = recordCorpus();

  if (process.env['UPDATE_CORPUS_FINGERPRINTS']) {
    it('writes the stored list', () => {
      fs.mkdirSync(path.dirname(STORED), { recursive: true });
      fs.writeFileSync(STORED, JSON.stringify(current, null, 1) + '\n');
    });
    return;
  }

  const stored = JSON.parse(fs.readFileSync(STORED, 'utf8')) as Record<string, FileRecord>;

  it('covers the same files as the stored list', () => {
    expect(Object.keys(current).sort()).toEqual(Object.keys(stored).sort());
    expect(Object.keys(current).length).toBeGreaterThan(400);
  });

  it('parses every file to the same snapshot (objects, lines, warnings, errors)', () => {
    const changed = Object.keys(stored).filter((name) => current[name] && current[name].parse !== stored[name]?.parse);
    expect(changed).toEqual([]);
  });

  it('gives every file the same findings (fingerprint, rule, file:line)', () => {
    const changed = Object.keys(stored).filter((name) => current[name] && JSON.stringify(current[name].findings) !== JSON.stringify(stored[name]?.findings));
    expect(changed).toEqual([]);
    expect(Object.values(stored).reduce((n, r) => n + r.findings.length, 0)).toBeGreaterThan(100);
  });
});
