import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readManifestPaths } from '../src/index.js';

describe('readManifestPaths', () => {
  let dir: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollsafe-read-'));
    fs.mkdirSync(path.join(dir, 'nested', 'deeper'), { recursive: true });
    fs.mkdirSync(path.join(dir, '.git'));
    fs.writeFileSync(path.join(dir, 'b.yaml'), 'kind: Service\n');
    fs.writeFileSync(path.join(dir, 'a.yml'), 'kind: Service\n');
    fs.writeFileSync(path.join(dir, 'nested', 'deeper', 'c.json'), '{}');
    fs.writeFileSync(path.join(dir, 'nested', 'notes.txt'), 'not a manifest');
    fs.writeFileSync(path.join(dir, '.git', 'config.yaml'), 'kind: Service\n');
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('walks directories recursively for .yaml, .yml and .json, in a stable order, skipping hidden directories', async () => {
    const { inputs, errors } = await readManifestPaths([dir], () => Promise.resolve(''));
    expect(errors).toEqual([]);
    expect(inputs.map((i) => path.relative(dir, i.name))).toEqual(['a.yml', 'b.yaml', path.join('nested', 'deeper', 'c.json')]);
  });

  it('reads - from stdin and reports a missing path without dropping the others', async () => {
    const { inputs, errors } = await readManifestPaths(['-', path.join(dir, 'missing.yaml'), path.join(dir, 'a.yml')], () => Promise.resolve('kind: Pod\n'));
    expect(inputs.map((i) => i.name)).toEqual(['-', path.join(dir, 'a.yml')]);
    expect(inputs[0]?.text).toBe('kind: Pod\n');
    expect(errors).toEqual([{ code: 'UNREADABLE', file: path.join(dir, 'missing.yaml'), message: 'no such file or directory' }]);
  });
});
