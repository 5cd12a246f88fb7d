// Issue 13: the parallel parse gives the errors of the single-threaded parse (code, file, line,
// column, message), whichever share of the input the error falls in, and for the document limit
// whatever the other shares hold.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI_LIMITS, parseManifests, parseManifestsParallel, type ManifestLimits, type ParseResult } from '../src/index.js';

// The workers run the compiled parser (`npm test` builds before it tests): jest's sources are TypeScript.
const workspace = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const workerFile = path.join(workspace, 'dist/libs/manifests/src/parse-worker.js');
const workerUrl = new URL(`file://${workerFile}`);

const service = (name: string): string =>
  `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n  labels: {app: ${name}}\nspec:\n  selector: {app: ${name}}\n  ports: [{port: 80, targetPort: http}]\n`;
const services = (from: number, count: number): string[] => Array.from({ length: count }, (_, i) => service(`svc-${from + i}`));
const file = (documents: string[]): string => documents.join('---\n');

function plain(result: ParseResult): unknown {
  return {
    objects: [...result.snapshot.locations].map(([object, location]) => [location, object]),
    warnings: result.snapshot.warnings,
    errors: result.errors,
    documentCount: result.documentCount,
  };
}

async function expectSameAsSingleThreaded(inputs: { name: string; text: string }[], limits: ManifestLimits, threadCounts = [2, 3, 4]): Promise<ParseResult> {
  const single = parseManifests(inputs, limits);
  for (const threads of threadCounts) {
    const parallel = await parseManifestsParallel(inputs, limits, { threads, minBytes: 0, workerUrl });
    expect(plain(parallel)).toEqual(plain(single));
  }
  return single;
}

const ALIASES = `kind: ConfigMap\nmetadata: {name: aliases, labels: &l {a: b}}\ndata:\n${Array.from({ length: 12 }, (_, i) => `  k${i}: *l\n`).join('')}`;
const LAUGHS = `kind: ConfigMap\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n`;
const blockList = (items: number): string => `apiVersion: v1\nkind: List\nitems:\n${'- {kind: Service, metadata: {name: item}}\n'.repeat(items)}`;
const flowList = (items: number): string => `apiVersion: v1\nkind: List\nitems: [${Array(items).fill('{}').join(', ')}]\n`;
const scalarList = (items: number): string => `apiVersion: v1\nkind: List\nitems: [${Array(items).fill('1').join(', ')}]\n`;
// Not a List: a root `items:` taken by js-yaml 4 (the block parser gives up on the folded scalar)
// counts against the document limit only while it is being parsed.
const rootItemsNotList = (items: number): string => `kind: Thing\nnote: >\n  folded\nitems:\n${'- x\n'.repeat(items)}`;

(fs.existsSync(workerFile) ? describe : describe.skip)('parseManifestsParallel: the errors of the single-threaded parse', () => {
  const limits: ManifestLimits = { ...CLI_LIMITS, maxAliasesPerDocument: 10, maxExpandedNodesPerDocument: 500 };

  it('a YAML syntax error in a later share names the same file, line, column and message', async () => {
    const broken = 'kind: Service\nmetadata:\n  name: broken\n spec: {}\n';
    const single = await expectSameAsSingleThreaded([{ name: 'release.yaml', text: file([...services(0, 400), broken, ...services(400, 10)]) }], limits);
    expect(single.errors).toEqual([
      {
        code: 'YAML_SYNTAX',
        file: 'release.yaml',
        line: 3604,
        column: 2,
        message: 'bad indentation of a mapping entry (in the document that starts at line 3601)',
      },
    ]);
  });

  it('a broken document that is a share alone still names its first line, as a document of a multi-document file', async () => {
    // With two threads, the second share starts at the `---` after the large ConfigMap.
    const data = Array.from({ length: 6000 }, (_, i) => `  key-${i}: value\n`).join('');
    const large = `kind: ConfigMap\nmetadata:\n  name: large\ndata:\n${data}`;
    const broken = 'kind: Service\nmetadata:\n  name: broken\n spec: {}\n';
    const single = await expectSameAsSingleThreaded([{ name: 'big.yaml', text: file([...services(0, 10), large, broken]) }], CLI_LIMITS, [2]);
    expect(single.errors).toEqual([
      {
        code: 'YAML_SYNTAX',
        file: 'big.yaml',
        line: 6099,
        column: 2,
        message: 'bad indentation of a mapping entry (in the document that starts at line 6096)',
      },
    ]);
  });

  it('duplicate keys in the second half are warnings with the same lines', async () => {
    const duplicate = 'kind: Service\nmetadata:\n  name: twice\n  name: again\n';
    const single = await expectSameAsSingleThreaded([{ name: 'dup.yaml', text: file([...services(0, 400), duplicate, ...services(400, 5)]) }], limits);
    expect(single.snapshot.warnings).toEqual([expect.objectContaining({ location: { file: 'dup.yaml', line: 3604 } })]);
  });

  it('the alias and expanded-node limits in the second half name the same line', async () => {
    const single = await expectSameAsSingleThreaded([{ name: 'alias.yaml', text: file([...services(0, 400), ALIASES, ...services(400, 5), LAUGHS]) }], limits);
    expect(single.errors.map((error) => [error.code, error.line])).toEqual([
      ['ALIAS_LIMIT', 3601],
      ['ALIAS_LIMIT', 3662],
    ]);
  });

  it.each([
    ['block', blockList],
    ['flow', flowList],
    ['scalar', scalarList],
    ['non-List root items', rootItemsNotList],
  ])(
    'a %s List past the documents left after the other shares names the same line',
    async (_style, list) => {
      // 460 documents in all: the List fits the limit alone, not after the services before it.
      const text = file([...services(0, 400), list(50), ...services(400, 9)]);
      for (const maxDocuments of [420, 450, 451, 460]) {
        await expectSameAsSingleThreaded([{ name: 'list.yaml', text }], { ...limits, maxDocuments });
      }
    },
    60_000,
  );

  it('the document limit reached in a later file or a later share gives the same error, other files still parsed', async () => {
    const inputs = [
      { name: 'a.yaml', text: file(services(0, 300)) },
      { name: 'b.yaml', text: file([...services(300, 300), blockList(5)]) },
      { name: 'c.yaml', text: service('after') },
    ];
    for (const maxDocuments of [299, 500, 601, 606]) {
      await expectSameAsSingleThreaded(inputs, { ...limits, maxDocuments });
    }
  }, 60_000);

  it('a million empty documents: the same result under the limit, the same TOO_MANY_DOCUMENTS error over it', async () => {
    const text = '---\n'.repeat(1_000_000);
    const under = await expectSameAsSingleThreaded([{ name: 'empty.yaml', text }], CLI_LIMITS, [2]);
    expect(under.errors).toEqual([]);
    expect(under.documentCount).toBe(1_000_000);
    const over = await expectSameAsSingleThreaded([{ name: 'empty.yaml', text }], { ...CLI_LIMITS, maxDocuments: 600_000 }, [2]);
    expect(over.errors).toEqual([{ code: 'TOO_MANY_DOCUMENTS', file: 'empty.yaml', message: 'too many YAML documents: the limit is 600000 in one scan' }]);
  }, 120_000);
});
