import fs from 'node:fs';
import vm from 'node:vm';

/**
 * The first line tools/bundle-cli.mjs writes in the bundled CLI (`cli.cjs`): a hash of the rest.
 * V8 checks a code cache against its own version, its flags and the source's length only, so a
 * cache is used only beside the build it was written for.
 */
const BUILD_LINE = /^\/\/ rollsafe-build ([0-9a-f]{16,})\n/;

interface CodeCacheMeta {
  build: string;
  v8: string;
}

export function buildIdOf(source: string): string | undefined {
  return BUILD_LINE.exec(source.slice(0, 120))?.[1];
}

const cacheFileOf = (file: string) => `${file}.cache`;
const metaFileOf = (file: string) => `${file}.cache.json`;

/**
 * The V8 code cache written beside `file` for this build of it and this V8, else undefined
 * (none written, another build, another node, unreadable).
 */
export function readCodeCache(file: string, source: string): Buffer | undefined {
  const build = buildIdOf(source);
  if (!build) return undefined;
  try {
    const meta = JSON.parse(fs.readFileSync(metaFileOf(file), 'utf8')) as Partial<CodeCacheMeta>;
    if (meta.build !== build || meta.v8 !== process.versions.v8) return undefined;
    return fs.readFileSync(cacheFileOf(file));
  } catch {
    return undefined;
  }
}

/**
 * Compiles a script with its code cache when there is one that V8 accepts: the functions the
 * cache holds are then neither parsed nor compiled again. V8 refuses a cache made with other
 * flags (NODE_OPTIONS, say); the script is then compiled from its source, as without one.
 */
export function compileWithCodeCache(file: string, source: string): { script: vm.Script; cacheUsed: boolean } {
  const cachedData = readCodeCache(file, source);
  const script = new vm.Script(source, { filename: file, ...(cachedData ? { cachedData } : {}) });
  return { script, cacheUsed: cachedData !== undefined && !script.cachedDataRejected };
}

/**
 * Writes the script's code cache beside `file`: every function compiled so far, so it is called
 * after a run (the build's training scan) rather than after compiling.
 */
export function writeCodeCache(file: string, source: string, script: vm.Script): void {
  const build = buildIdOf(source);
  if (!build) throw new Error(`${file} has no build line: it was not written by tools/bundle-cli.mjs`);
  fs.writeFileSync(cacheFileOf(file), script.createCachedData());
  const meta: CodeCacheMeta = { build, v8: process.versions.v8 };
  fs.writeFileSync(metaFileOf(file), `${JSON.stringify(meta)}\n`);
}
