import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { codeCacheRejected } from './code-cache-check.js';
import { buildIdOf, compileWithCodeCache, readCodeCache, writeCodeCache } from '../src/bundle/code-cache.js';

/** A bundle as tools/bundle-cli.mjs writes it: the build line, then one function expression. */
function bundleSource(build: string, body: string): string {
  return `// rollsafe-build ${build}\n(function (exports) {\n${body}\n})`;
}

const BODY = Array.from({ length: 40 }, (_, i) => `exports.f${i} = (x) => x * ${i} + [${i}, x].reduce((a, b) => a + b, 0);`).join('\n');

describe('the bundled CLI code cache', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollsafe-code-cache-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function written(source: string): string {
    const file = path.join(dir, 'cli.cjs');
    fs.writeFileSync(file, source);
    const { script, cacheUsed } = compileWithCodeCache(file, source);
    expect(cacheUsed).toBe(false); // nothing written yet
    const exports: Record<string, (x: number) => number> = {};
    (script.runInThisContext() as (e: object) => void)(exports);
    expect(exports['f3']?.(2)).toBe(11);
    writeCodeCache(file, source, script);
    return file;
  }

  it('is used for the build it was written for, and the script still runs', () => {
    const source = bundleSource('a'.repeat(32), BODY);
    const file = written(source);
    expect(JSON.parse(fs.readFileSync(`${file}.cache.json`, 'utf8'))).toEqual({ build: 'a'.repeat(32), v8: process.versions.v8 });
    const { script, cacheUsed } = compileWithCodeCache(file, source);
    expect(cacheUsed).toBe(true);
    const exports: Record<string, (x: number) => number> = {};
    (script.runInThisContext() as (e: object) => void)(exports);
    expect(exports['f39']?.(1)).toBe(79);
  });

  it('is ignored beside another build of the same length, and for another V8', () => {
    const file = written(bundleSource('a'.repeat(32), BODY));
    // Same length, other code: V8 alone would take the cache (it checks the source's length only).
    const rebuilt = bundleSource('b'.repeat(32), BODY.replace('x * 3', 'x * 4'));
    expect(readCodeCache(file, rebuilt)).toBeUndefined();
    const { script, cacheUsed } = compileWithCodeCache(file, rebuilt);
    expect(cacheUsed).toBe(false);
    const exports: Record<string, (x: number) => number> = {};
    (script.runInThisContext() as (e: object) => void)(exports);
    expect(exports['f3']?.(2)).toBe(13);

    const source = bundleSource('a'.repeat(32), BODY);
    expect(readCodeCache(file, source)).toBeInstanceOf(Buffer);
    fs.writeFileSync(`${file}.cache.json`, JSON.stringify({ build: 'a'.repeat(32), v8: '1.2.3.4' }));
    expect(readCodeCache(file, source)).toBeUndefined();
  });

  it('is ignored when missing, unreadable or for a source without a build line', () => {
    const file = path.join(dir, 'cli.cjs');
    expect(readCodeCache(file, bundleSource('c'.repeat(32), BODY))).toBeUndefined();
    fs.writeFileSync(`${file}.cache.json`, '{not json');
    expect(readCodeCache(file, bundleSource('c'.repeat(32), BODY))).toBeUndefined();
    expect(buildIdOf(`(function () {})`)).toBeUndefined();
    expect(() => writeCodeCache(file, '(function () {})', compileWithCodeCache(file, '(function () {})').script)).toThrow(/no build line/);
  });

  it('is refused by V8 under other flags (why the entry sets its flags before compiling)', () => {
    const file = written(bundleSource('d'.repeat(32), BODY));
    expect(
      codeCacheRejected(
        file,
        process.execArgv.filter((flag) => !flag.startsWith('--experimental-vm-modules')),
      ),
    ).toBe('false');
    expect(codeCacheRejected(file, ['--interrupt-budget=1000'])).toBe('true');
  });
});
