import fs from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';
import { BAIL, parseBlockDocument } from '../src/block-parser.js';
import { loadFast } from '../src/fast-yaml.js';
import { splitDocuments } from '../src/split.js';

const workspace = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function files(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? files(full) : /\.(ya?ml|json)$/.test(entry.name) ? [full] : [];
  });
}

/** Same value, same key order, same -0: what js-yaml 4 (with the fast path's schema) builds. */
function same(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(a, b) && JSON.stringify(a) === JSON.stringify(b);
}

function compare(chunk: string): 'bail' | 'same' | 'different' {
  const block = parseBlockDocument(chunk, 1_000_000, 100);
  if (block === BAIL) return 'bail';
  let reference: unknown;
  try {
    reference = loadFast(chunk, undefined);
  } catch {
    return 'different'; // the block parser took a document js-yaml refuses
  }
  return same(block, reference ?? null) ? 'same' : 'different';
}

const SNIPPETS = [
  "a: 1\nb: -0\nc: .inf\nd: 0x1F\ne: \"q\"\nf: 'it''s'\ng: ~\nh: true\ni: 1e3\nj: 0b1\nk: 1_0\n",
  'list:\n- a\n- b: 1\n  c: 2\n-\n  d: 3\n- [x, "y", {z: 1}]\nnext: {}\nempty:\nlast: []\n',
  'nested:\n  deeper:\n    - name: x\n      value: "y"\n    - name: z\n  after: 1\n',
  'lit: |\n  line 1\n\n    more\n  line 3\n\nstrip: |-\n  a\n  b\nkeep: |+\n  a\n\n\nend: 1\n',
  'empty-lit: |\nnext: 1\ntrailing: |\n  x\n     \n  y\n',
  'c: a # comment\nd: "b" # comment\ne: a#b\nf: http://x:80/y\ng: -1\nh: --flag=x\n"quoted key": 1\n\'single\': 2\n1: one\nnull: n\ntrue: t\n',
  'k: [a, b]\nl: {a: [1, {b: c}], d: "e, f"}\nm: [--port=80, "-c"]\n',
  '--- # doc\napiVersion: v1\nkind: ConfigMap\ndata:\n  a.conf: |\n    x = 1\n    # not a comment\n  b: c\n',
  // Outside the subset: these must give up (or agree).
  'a: >\n  folded\n  text\n',
  'a: multi\n  line plain\n',
  'a: "multi\n  line"\n',
  'a: "esc\\n"\n',
  'a: 1\na: 2\n',
  '? complex\n: value\n',
  'a:\tb\n',
  'a: [1, 2,]\n',
  'a: |2\n   x\n',
  '{"kind": "Service"}\n',
  'a: b: c\n',
  '- a\nb: 1\n',
  'a:\n  - b\n  c: 1\n',
];

describe('the block parser takes a document only when it builds what js-yaml 4 builds', () => {
  it.each(SNIPPETS.map((s, i) => [i, s]))('snippet %i', (_i, snippet) => {
    expect(compare(snippet as string)).not.toBe('different');
  });

  it('takes the ordinary snippets (not giving up on everything)', () => {
    expect(SNIPPETS.slice(0, 8).map(compare)).toEqual(Array(8).fill('same'));
  });

  it('agrees on every document of the conformance and example corpora', () => {
    const counts = { bail: 0, same: 0, different: 0 };
    const different: string[] = [];
    for (const file of [...files(path.join(workspace, 'conformance/corpus')), ...files(path.join(workspace, 'examples'))]) {
      const text = fs.readFileSync(file, 'utf8');
      for (const span of splitDocuments(text) ?? []) {
        const outcome = compare(text.slice(span.start, span.end));
        counts[outcome]++;
        if (outcome === 'different') different.push(`${path.relative(workspace, file)}:${span.line}`);
      }
    }
    expect(different).toEqual([]);
    expect(counts.same).toBeGreaterThan(counts.bail);
  });
});

describe('the block parser in place: a document of a larger text', () => {
  /** Each snippet as the middle document of a text, parsed in place and cut out. */
  function inPlaceAndCut(before: string, snippet: string, after: string): [unknown, unknown] {
    const text = `${before}---\n${snippet}---\n${after}`;
    const spans = splitDocuments(text) ?? [];
    const middle = spans[1];
    if (!middle) throw new Error('no middle document');
    return [
      parseBlockDocument(text, 1_000_000, 100, undefined, middle.start, middle.end),
      parseBlockDocument(text.slice(middle.start, middle.end), 1_000_000, 100),
    ];
  }

  it.each(SNIPPETS.map((s, i) => [i, s]))('snippet %i gives the value of the document cut out', (_i, snippet) => {
    const [inPlace, cut] = inPlaceAndCut('a: 1\n', snippet as string, '   b: 2\n');
    expect(inPlace).toEqual(cut);
  });

  it('gives up on a tab or CR in the document only, not in the documents around it', () => {
    expect(inPlaceAndCut('a:\tb\n', 'c: d\n', 'e: f\r\n')[0]).toEqual({ c: 'd' });
    expect(inPlaceAndCut('a: b\n', 'c:\td\n', 'e: f\n')[0]).toBe(BAIL);
    expect(inPlaceAndCut('a: b\n', 'c: d\r\n', 'e: f\n')[0]).toBe(BAIL);
  });

  it('reads nothing past the end of the document (a literal, an empty value or a sequence on its last line)', () => {
    expect(inPlaceAndCut('z: 0\n', 'a: |\n', '- x\n')).toEqual([{ a: '' }, { a: '' }]);
    expect(inPlaceAndCut('z: 0\n', 'a: |-\n  x\n', '- y\n')).toEqual([{ a: 'x' }, { a: 'x' }]);
    expect(inPlaceAndCut('z: 0\n', 'a:\n', '- b\n')).toEqual([{ a: null }, { a: null }]);
    expect(inPlaceAndCut('z: 0\n', '- a\n-\n', '- b\n')).toEqual([
      ['a', null],
      ['a', null],
    ]);
  });
});

describe('the block parser on random documents dumped by js-yaml', () => {
  // mulberry32: deterministic, so a failure reproduces.
  let seed = 1234;
  const random = (): number => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)] as T;
  const PIECES = [
    'a',
    'name',
    'x-y',
    ' ',
    ': ',
    ':',
    '#',
    ' #',
    '- ',
    '-',
    '"',
    "'",
    '\\',
    '\n',
    '\t',
    'é',
    '{',
    '}',
    '[',
    ']',
    ',',
    '*',
    '&',
    '!',
    '|',
    '>',
    '%',
    '@',
    '0',
    '1',
    '.5',
    'true',
    'null',
    '~',
    'yes',
    '0x1F',
    '-0',
    '1e3',
    '  ',
  ];
  const scalar = (): unknown =>
    pick([
      () => Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(PIECES)).join(''),
      () => Math.floor(random() * 100000) - 50000,
      () => random() * 1000,
      () => random() < 0.5,
      () => null,
      () => pick(['', 'web', 'nginx:1.25', '/healthz', '8080', '25%', 'sleep 5', 'http://x:80/y']),
    ])();
  const value = (depth: number): unknown => {
    const r = random();
    if (depth > 3 || r < 0.5) return scalar();
    if (r < 0.75) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
    const object: Record<string, unknown> = {};
    for (let i = 0; i < Math.floor(random() * 5); i++) object[String(scalar())] = value(depth + 1);
    return object;
  };

  it('agrees with js-yaml 4 wherever it does not give up (3,000 documents)', async () => {
    const jsYaml4 = (await import('js-yaml-4')).default;
    const counts = { bail: 0, same: 0, different: 0 };
    const different: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const document: Record<string, unknown> = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}` }, data: value(0) };
      const options = pick([{}, { flowLevel: 2 }, { lineWidth: -1 }, { lineWidth: 20 }, { indent: 4 }, { noArrayIndent: true }, { quotingType: '"' }]);
      let text: string;
      try {
        text = jsYaml4.dump(document, options);
      } catch {
        continue;
      }
      const outcome = compare(text);
      counts[outcome]++;
      if (outcome === 'different' && different.length < 5) different.push(text);
    }
    expect(different).toEqual([]);
    expect(counts.same).toBeGreaterThan(500);
  });

  it('gives up (or agrees) on mutated documents, valid or not (3,000 mutations)', async () => {
    const jsYaml4 = (await import('js-yaml-4')).default;
    const counts = { bail: 0, same: 0, different: 0 };
    const different: string[] = [];
    const INSERTS = [' ', '  ', ':', ': ', '#', ' #', '-', '- ', '"', "'", '|', '|-', '{', '[', ']', '}', ',', '\n', '\n  ', '\n- ', 'x'];
    for (let i = 0; i < 3000; i++) {
      const document = { kind: 'ConfigMap', metadata: { name: `c${i}`, labels: { a: 'b' } }, data: value(0), list: [value(1), { k: value(2) }] };
      let text = jsYaml4.dump(document, pick([{}, { flowLevel: 2 }, { lineWidth: -1 }]));
      for (let m = 0; m < 1 + Math.floor(random() * 3); m++) {
        const at = Math.floor(random() * text.length);
        const kind = random();
        if (kind < 0.25) {
          // Shift one line's indentation by one or two columns, either way.
          const lines = text.split('\n');
          const line = Math.floor(random() * lines.length);
          lines[line] = random() < 0.5 ? `${pick([' ', '  '])}${lines[line]}` : (lines[line] ?? '').replace(/^ {1,2}/, '');
          text = lines.join('\n');
        } else if (kind < 0.45) {
          text = text.slice(0, at) + text.slice(at + 1);
        } else {
          text = text.slice(0, at) + pick(INSERTS) + text.slice(at);
        }
      }
      const outcome = compare(text);
      counts[outcome]++;
      if (outcome === 'different' && different.length < 5) different.push(text);
    }
    expect(different).toEqual([]);
    expect(counts.same).toBeGreaterThan(300);
  });
});

describe('parseManifestText on random multi-document files', () => {
  let seed = 99;
  const random = (): number => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)] as T;

  it('gives the reference parser values and lines, whatever path each document takes (200 files)', async () => {
    const jsYaml4 = (await import('js-yaml-4')).default;
    const { parseManifestText, CLI_LIMITS } = await import('../src/index.js');
    const { parseReference } = await import('../src/reference-parse.js');
    const different: string[] = [];
    for (let f = 0; f < 200; f++) {
      const parts: string[] = [pick(['', '# leading comment\n', '\n\n', '---\n'])];
      for (let d = 0; d < 1 + Math.floor(random() * 6); d++) {
        const object = {
          apiVersion: 'v1',
          kind: pick(['Service', 'ConfigMap', 'Deployment', 'List']),
          metadata: { name: `n${f}-${d}`, labels: { app: pick(['a', 'b']) } },
          items:
            random() < 0.3
              ? [
                  { kind: 'Service', metadata: { name: 'i1' } },
                  { kind: 'Service', metadata: { name: 'i2' } },
                ]
              : undefined,
          data: { text: pick(['one line', 'two\nlines\n', '  indented\n', 'trailing\n\n']), n: Math.floor(random() * 100) },
        };
        let body = jsYaml4.dump(JSON.parse(JSON.stringify(object)), pick([{}, { flowLevel: 2 }, { lineWidth: -1 }]));
        if (random() < 0.15) body = body.replace('metadata:', 'metadata: &m').replace(/\n$/, '\nother: *m\n'); // an alias: reference path
        if (random() < 0.15) body = `${body}kind: Duplicate\n`; // a duplicate key: reference path, with a warning
        parts.push(`${pick(['', '# c\n', '\n'])}${body}`);
      }
      const text = parts[0] + parts.slice(1).join(pick(['---\n', '---\n\n', '--- # doc\n']));
      const mine = parseManifestText({ name: 'f.yaml', text }, CLI_LIMITS);
      const reference = parseReference(text, 'f.yaml', 1, CLI_LIMITS, Infinity);
      const view = (documents: { value: unknown; line: number; itemLines?: number[] }[]): string =>
        JSON.stringify(documents.map((d) => [d.line, d.itemLines ?? [], d.value]));
      if (
        !('documents' in reference) ||
        view(mine.documents) !== view(reference.documents) ||
        JSON.stringify(mine.duplicateKeys) !== JSON.stringify(reference.duplicateKeys)
      ) {
        different.push(text);
      }
    }
    expect(different.slice(0, 2)).toEqual([]);
  });
});
