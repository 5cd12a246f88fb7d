import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI_LIMITS, parseManifests, parseManifestsParallel, readManifestPaths } from '../src/index.js';
import { plain } from './plain-result.js';

// The workers run the compiled parser (`npm test` builds before it tests): jest's sources are TypeScript.
const workspace = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const workerFile = path.join(workspace, 'dist/libs/manifests/src/parse-worker.js');
const built = fs.existsSync(workerFile);

const deployment = (name: string, extra = ''): string =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n  namespace: ns-${name.length % 3}\nspec:\n  replicas: 2${extra}\n  template:\n    metadata:\n      labels: {app: ${name}}\n    spec:\n      containers:\n        - name: app\n          image: "registry.example.com/${name}:1.0"\n          ports: [{containerPort: 8080, name: http}]\n`;
const service = (name: string): string =>
  `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}}\nspec:\n  selector: {app: ${name}}\n  ports: [{port: 80, targetPort: http}]\n`;

(built ? describe : describe.skip)('parseManifestsParallel (compiled worker)', () => {
  const workerUrl = new URL(`file://${workerFile}`);
  const docs: string[] = [];
  for (let i = 0; i < 3000; i++) {
    docs.push(i % 500 === 7 ? deployment(`dup-${i}`, '\n  replicas: 3') : deployment(`app-${i}`));
    docs.push(i % 700 === 11 ? `kind: Service\nmetadata:\n  name: broken-${i}\n spec: {}\n` : service(`app-${i}`));
    if (i % 900 === 5) docs.push(`kind: ConfigMap\nmetadata: {name: anchors-${i}, labels: &l {a: b}}\ndata: {x: *l, y: -0, z: .inf}\n`);
  }
  const big = `# rendered\n${docs.join('---\n')}`;
  const inputs = [
    { name: 'small-a.yaml', text: service('a') },
    { name: 'release.yaml', text: big },
    { name: 'list.json', text: JSON.stringify({ kind: 'List', items: [{ kind: 'Service', metadata: { name: 'from-list' } }] }) },
    { name: 'small-b.yaml', text: `${deployment('b')}---\n${service('b')}` },
  ];

  it.each([2, 3, 4])('gives the single-threaded result with %i threads (lines, errors, duplicate keys, limits)', async (threads) => {
    const single = parseManifests(inputs, CLI_LIMITS);
    const parallel = await parseManifestsParallel(inputs, CLI_LIMITS, { threads, minBytes: 0, workerUrl });
    expect(single.errors.length).toBeGreaterThan(0);
    expect(single.snapshot.warnings.some((w) => w.message.startsWith('duplicate key'))).toBe(true);
    expect(plain(parallel)).toEqual(plain(single));
  });

  it('takes a file read in parts (cut at its markers as it was read) as the single-threaded parse does', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollsafe-parallel-parts-'));
    try {
      const file = path.join(dir, 'release.yaml');
      fs.writeFileSync(file, big);
      const read = await readManifestPaths([file], () => Promise.resolve(''), { chunkBytes: 64 * 1024 });
      expect(read.inputs[0]?.parts?.length).toBeGreaterThan(10);
      const whole = parseManifests([{ name: file, text: big }], CLI_LIMITS);
      for (const threads of [2, 3]) {
        const parallel = await parseManifestsParallel(read.inputs, CLI_LIMITS, { threads, minBytes: 0, workerUrl });
        expect(plain(parallel)).toEqual(plain(whole));
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('applies the document limit as the single-threaded parse does', async () => {
    const limits = { ...CLI_LIMITS, maxDocuments: 5000 };
    const single = parseManifests(inputs, limits);
    const parallel = await parseManifestsParallel(inputs, limits, { threads: 2, minBytes: 0, workerUrl });
    expect(single.errors.map((e) => e.code)).toContain('TOO_MANY_DOCUMENTS');
    expect(plain(parallel)).toEqual(plain(single));
  });
});
