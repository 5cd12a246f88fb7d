import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Composer, CST, Parser, type Document } from 'yaml';
import { RULES, validatePatchedObject } from '#rollsafe/advisor';
import { runCli, root, type CliRun } from './run-cli.js';

/**
 * Issue 9: the real-world corpus (corpus/real-world, 36 files from 11 projects, see its
 * SOURCES.md). Its critical and warning findings are the reviewed list in
 * expected-findings.txt (each one discussed in docs/conformance.md, "Real-world shapes");
 * `rollsafe fix` on it must leave no critical lifecycle finding, raise nothing new, keep
 * every comment and untouched document, and write only valid objects.
 * ROLLSAFE_UPDATE_CORPUS=1 rewrites expected-findings.txt (review the diff).
 */
const corpus = path.join(root, 'corpus', 'real-world');
const expectedFile = path.join(corpus, 'expected-findings.txt');

interface Finding {
  ruleId: string;
  severity: string;
  fingerprint: string;
  container?: string;
  resource: { kind: string; namespace: string; name: string };
  location?: { file: string; line: number };
}

function run(args: string[], cwd = root): Promise<CliRun> {
  return runCli(args, { cwd });
}

async function scan(dir: string): Promise<{ findings: Finding[]; errors: unknown[] }> {
  return JSON.parse((await run(['scan', dir, '--format', 'json', '--fail-on', 'none'])).stdout);
}

function describeFinding(f: Finding, base: string): string {
  const { kind, namespace, name } = f.resource;
  return `${f.severity} ${f.ruleId} ${kind}/${namespace}/${name}${f.container ? ` [${f.container}]` : ''} ${path.relative(base, f.location?.file ?? '')}`;
}

function manifestFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ya?ml|json)$/.test(e.name))
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

type Objects = Map<string, unknown>;

/** Each document's source text and objects (a `kind: List` gives its items), from one parse. */
function documentsOf(text: string): Array<{ source: string; objects: Objects }> {
  const tokens = [...new Parser().parse(text)];
  const documents = [...new Composer().compose(tokens)] as Document[];
  return tokens
    .filter((t) => t.type === 'document')
    .map((token, index) => {
      const objects: Objects = new Map();
      const value = documents[index]?.toJS({ maxAliasCount: -1 }) as {
        kind?: string;
        items?: unknown[];
        metadata?: { namespace?: string; name?: string };
      } | null;
      const items = (value?.kind?.endsWith('List') && Array.isArray(value.items) ? value.items : [value]) as Array<typeof value>;
      for (const item of items) if (item?.kind) objects.set(`${item.kind}/${item.metadata?.namespace ?? ''}/${item.metadata?.name ?? ''}`, item);
      return { source: CST.stringify(token), objects };
    });
}

function allObjects(documents: Array<{ objects: Objects }>): Objects {
  return new Map(documents.flatMap((d) => [...d.objects]));
}

const comments = (text: string): string[] =>
  text
    .split('\n')
    .filter((line) => /(^|\s)#/.test(line))
    .map((line) => line.slice(line.search(/(^|\s)#/)).trim())
    .sort();

describe('real-world corpus', () => {
  it('has at least 15 files from at least 10 projects, each listed in SOURCES.md', () => {
    const sources = fs.readFileSync(path.join(corpus, 'SOURCES.md'), 'utf8');
    const files = manifestFiles(corpus);
    expect(files.length).toBeGreaterThanOrEqual(15);
    for (const file of files) expect(sources).toContain(`| \`${file}\` |`);
    const projects = new Set([...sources.matchAll(/\| \[([^\]]+)\]\(https:\/\/github\.com\//g)].map((m) => m[1]));
    expect(projects.size).toBeGreaterThanOrEqual(10);
  });

  it('scans each project (one upload each) with no input error, and its critical and warning findings are the reviewed list', async () => {
    const actual: string[] = [];
    const projects = fs.readdirSync(corpus, { withFileTypes: true }).filter((e) => e.isDirectory() && e.name !== 'LICENSES');
    for (const project of projects) {
      const report = await scan(path.join(corpus, project.name));
      expect([project.name, report.errors]).toEqual([project.name, []]);
      actual.push(...report.findings.filter((f) => f.severity !== 'info').map((f) => describeFinding(f, corpus)));
    }
    actual.sort();
    if (process.env['ROLLSAFE_UPDATE_CORPUS']) fs.writeFileSync(expectedFile, actual.join('\n') + '\n');
    const expected = fs.readFileSync(expectedFile, 'utf8').trim().split('\n').sort();
    expect(actual).toEqual(expected);
  });

  it('rollsafe fix leaves no critical lifecycle finding, raises nothing new, keeps every comment and untouched document, writes valid objects', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'rollsafe-corpus-fix-'));
    try {
      const fixed = await run(['fix', corpus, '--out', out, '--fail-on', 'none'], out);
      expect(fixed.code).toBe(0);
      expect(fixed.stdout).not.toMatch(/^NEW/m);
      expect(fixed.stdout).toMatch(/^\d+ fix\(es\) applied in \d+ file\(s\)/m);
      const outCorpus = path.join(out, 'real-world');

      const before = await scan(corpus);
      const after = await scan(outCorpus);
      const lifecycle = new Set(RULES.filter((r) => r.category === 'lifecycle').map((r) => r.id));
      expect(after.findings.filter((f) => f.severity === 'critical' && lifecycle.has(f.ruleId)).map((f) => describeFinding(f, outCorpus))).toEqual([]);
      const known = new Set(before.findings.map((f) => f.fingerprint));
      expect(after.findings.filter((f) => !known.has(f.fingerprint)).map((f) => describeFinding(f, outCorpus))).toEqual([]);
      expect(after.findings.length).toBeLessThan(before.findings.length);

      for (const file of manifestFiles(corpus)) {
        const original = fs.readFileSync(path.join(corpus, file), 'utf8');
        const patched = fs.readFileSync(path.join(outCorpus, file), 'utf8');
        if (original === patched) continue;
        // Every comment is kept.
        const left = comments(patched);
        for (const comment of comments(original)) {
          const at = left.indexOf(comment);
          expect([file, at >= 0 ? 'kept' : comment]).toEqual([file, 'kept']);
          left.splice(at, 1);
        }
        // Every document whose objects did not change is there byte for byte.
        const originalDocuments = documentsOf(original);
        const originalObjects = allObjects(originalDocuments);
        const patchedObjects = allObjects(documentsOf(patched));
        for (const { source, objects } of originalDocuments) {
          const unchanged = [...objects].every(([key, value]) => JSON.stringify(patchedObjects.get(key)) === JSON.stringify(value));
          if (unchanged) expect([file, patched.includes(source)]).toEqual([file, true]);
        }
        // Every patched object is valid.
        for (const [key, value] of patchedObjects) {
          if (originalObjects.has(key)) expect([key, validatePatchedObject(originalObjects.get(key), value)]).toEqual([key, []]);
        }
      }
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});
