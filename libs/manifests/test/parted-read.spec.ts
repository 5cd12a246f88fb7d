import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI_LIMITS, parseManifests, readManifestPaths, type ManifestInput } from '../src/index.js';
import { plain } from './plain-result.js';

/**
 * A file larger than one read is kept in parts cut at its `---` markers (read-paths.ts,
 * parted-input.ts). Read with small reads here so that every corpus file of several documents
 * is cut many times: each must parse exactly as its whole text does.
 */
const workspace = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const ROOTS = ['conformance/corpus', 'examples', 'libs/advisor/test/cases', 'apps/cli/test/fixtures'];
const noStdin = () => Promise.resolve('');

function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(ya?ml|json)$/i.test(entry.name)) out.push(full);
    }
  };
  walk(path.join(workspace, root));
  return out.sort();
}

const whole = (file: string): ManifestInput => ({ name: file, text: fs.readFileSync(file, 'utf8') });

/**
 * Every corpus file read and parsed twice per read size: 2-4 s alone on two cores, over jest's
 * default 5 s when CI runs other suites beside it.
 */
const WHOLE_CORPUS_TIMEOUT_MS = 60_000;

describe('reading a large file in parts', () => {
  const files = ROOTS.flatMap(listFiles);

  it.each([64, 512, 4096])(
    'parses every corpus file read %i bytes at a time as its whole text',
    async (chunkBytes) => {
      let parted = 0;
      for (const file of files) {
        const read = await readManifestPaths([file], noStdin, { chunkBytes });
        const input = read.inputs[0] as ManifestInput;
        if (input.parts) parted++;
        expect(input.text).toBe(fs.readFileSync(file, 'utf8'));
        expect({ file, parse: plain(parseManifests(read.inputs, CLI_LIMITS)) }).toEqual({ file, parse: plain(parseManifests([whole(file)], CLI_LIMITS)) });
      }
      expect(parted).toBeGreaterThan(20);
    },
    WHOLE_CORPUS_TIMEOUT_MS,
  );

  describe('on inputs made for it', () => {
    let dir: string;
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollsafe-parted-'));
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    const service = (i: number) =>
      `apiVersion: v1\nkind: Service\nmetadata:\n  name: svc-${i}\n  labels: {n: "${i}", text: "é ü ${i}"}\nspec:\n  ports: [{port: ${80 + i}}]\n`;
    const many = (count: number, at: (i: number) => string = service) => Array.from({ length: count }, (_, i) => at(i)).join('---\n');
    const write = (name: string, text: string): string => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, text);
      return file;
    };
    async function readBoth(file: string, limits = CLI_LIMITS): Promise<{ input: ManifestInput; parted: unknown; whole: unknown }> {
      const read = await readManifestPaths([file], noStdin, { chunkBytes: 256 });
      return {
        input: read.inputs[0] as ManifestInput,
        parted: plain(parseManifests(read.inputs, limits)),
        whole: plain(parseManifests([whole(file)], limits)),
      };
    }

    it('cuts a file of many documents (UTF-8 included) and keeps each part at its file line', async () => {
      const { input, parted, whole: all } = await readBoth(write('many.yaml', `# head\n${many(60)}`));
      expect(input.parts?.length).toBeGreaterThan(10);
      for (const part of input.parts ?? []) expect(input.text.split('\n')[part.firstLine - 1]).toBe(part.text.split('\n')[0]);
      expect(parted).toEqual(all);
    });

    it.each([
      ['a % directive', `%YAML 1.2\n---\n${many(30)}`],
      ['a ... marker', `${many(15)}...\n---\n${many(15)}`],
      ['a NUL byte', `${many(15)}---\nkind: ConfigMap\ndata: {a: "\u0000"}\n---\n${many(15)}`],
      ['JSON', `{"kind": "List", "items": [${Array.from({ length: 40 }, (_, i) => `{"kind": "Service", "metadata": {"name": "s${i}"}}`).join(',\n')}]}\n`],
    ])('keeps a file with %s whole, with the same result', async (_what, text) => {
      const { input, parted, whole: all } = await readBoth(write(`whole-${text.length}.yaml`, text));
      expect(input.parts).toBeUndefined();
      expect(parted).toEqual(all);
    });

    it('reports a broken document, duplicate keys and the document limit as the whole text does', async () => {
      const text = many(40, (i) =>
        i === 17
          ? `kind: Service\nmetadata:\n  name: broken\n spec: {}\n`
          : i === 25
            ? `kind: ConfigMap\nmetadata: {name: d}\ndata: {a: 1, a: 2}\n`
            : service(i),
      );
      const file = write('errors.yaml', text);
      const { input, parted, whole: all } = await readBoth(file);
      expect(input.parts).toBeDefined();
      expect(parted).toEqual(all);
      expect(JSON.stringify(all)).toContain('YAML_SYNTAX');
      for (const maxDocuments of [5, 20, 39, 41]) {
        const limited = await readBoth(file, { ...CLI_LIMITS, maxDocuments });
        expect(limited.parted).toEqual(limited.whole);
      }
    });

    it('reports an input over the size limit as the whole text does', async () => {
      const { input, parted, whole: all } = await readBoth(write('large.yaml', many(40)), { ...CLI_LIMITS, maxBytes: 2000 });
      expect(input.parts).toBeDefined();
      expect(JSON.stringify(all)).toContain('TOO_LARGE');
      expect(parted).toEqual(all);
    });
  });
});
