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

  it('reads text exactly as a UTF-8 decode of the whole file would, across chunk boundaries', async () => {
    const chunk = 4 << 20;
    const cases: Array<[string, Buffer]> = [
      ['ascii.yaml', Buffer.from('kind: Service\n'.repeat(700_000))],
      // An ASCII chunk, then a two-byte character split across the boundary.
      ['split.yaml', Buffer.concat([Buffer.alloc(chunk - 1, 0x61), Buffer.from('é ü\n', 'utf8')])],
      ['bom.yaml', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('kind: Pod\n')])],
      // Invalid bytes become U+FFFD, as before.
      ['invalid.yaml', Buffer.concat([Buffer.alloc(chunk + 10, 0x62), Buffer.from([0xff, 0xc3]), Buffer.from('x')])],
    ];
    for (const [name, bytes] of cases) fs.writeFileSync(path.join(dir, name), bytes);
    const { inputs, errors } = await readManifestPaths(
      cases.map(([name]) => path.join(dir, name)),
      () => Promise.resolve(''),
    );
    expect(errors).toEqual([]);
    expect(inputs.map((input) => input.text === cases.find(([name]) => input.name.endsWith(name))?.[1].toString('utf8'))).toEqual([true, true, true, true]);
    expect(inputs[1]?.text.endsWith('aé ü\n')).toBe(true);
    expect(inputs[2]?.text.charCodeAt(0)).toBe(0xfeff);
    expect(inputs[3]?.text.endsWith('b\ufffd\ufffdx')).toBe(true);
  });
});
