import jsYaml4, { type LoaderState, type Type } from 'js-yaml-4';
import { boolCoreTag, floatCoreTag, intCoreTag, NOT_RESOLVED, nullCoreTag } from 'js-yaml';

/**
 * The fast path: js-yaml 4.1's loader (about 1.5x faster than js-yaml 5's event parser plus
 * constructor, and it allocates no event list), with a schema whose implicit scalars are
 * resolved by js-yaml 5's own core-schema tags, so every plain scalar becomes the same value
 * as on the reference path (js-yaml 4's core schema differs: `0b101`, `1_000`, `-0x10`, `-0`).
 *
 * It is used only for documents without tags, anchors or aliases (see `mayUseFastPath`): those
 * keep the reference path, which counts aliases and bounds their expansion.
 */
interface CoreTag {
  readonly tagName: string;
  resolve: (source: string, isExplicit: boolean, tagName: string) => unknown;
}

function implicitType(tag: CoreTag, firstChars: string[]): Type {
  const first = new Set(firstChars);
  const acceptsEmpty = first.has('');
  let resolved: unknown;
  return new jsYaml4.Type(tag.tagName, {
    kind: 'scalar',
    resolve: (data: string) => {
      if (data.length === 0 ? !acceptsEmpty : !first.has(data[0] as string)) return false;
      resolved = tag.resolve(data, false, tag.tagName);
      return resolved !== NOT_RESOLVED;
    },
    // js-yaml 4 calls construct right after a successful resolve of the same scalar.
    construct: () => resolved,
  });
}

const DIGITS = [...'0123456789'];
const IMPLICIT: [CoreTag, Set<string>][] = [
  [nullCoreTag, new Set(['', '~', 'n', 'N'])],
  [boolCoreTag, new Set(['t', 'T', 'f', 'F'])],
  [intCoreTag, new Set(['-', '+', ...DIGITS])],
  [floatCoreTag, new Set(['-', '+', '.', ...DIGITS])],
];

/** For each ASCII first character, a bit per IMPLICIT tag that may resolve a scalar starting with it. */
const CANDIDATES = new Uint8Array(128);
IMPLICIT.forEach(([, firsts], bit) => {
  for (const first of firsts) if (first !== '') CANDIDATES[first.charCodeAt(0)] = (CANDIDATES[first.charCodeAt(0)] ?? 0) | (1 << bit);
});

/** The value of a plain scalar, as the schema below resolves it (null, bool, int, float, else the string). */
export function resolvePlain(source: string): unknown {
  if (source.length === 0) return null;
  const code = source.charCodeAt(0);
  const candidates = code < 128 ? (CANDIDATES[code] ?? 0) : 0;
  if (candidates === 0) return source; // most scalars: names, images, paths
  for (let bit = 0; bit < IMPLICIT.length; bit++) {
    if ((candidates & (1 << bit)) === 0) continue;
    const [tag] = IMPLICIT[bit] as [CoreTag, Set<string>];
    const value = tag.resolve(source, false, tag.tagName);
    if (value !== NOT_RESOLVED) return value;
  }
  return source;
}
const SCHEMA = jsYaml4.FAILSAFE_SCHEMA.extend({
  implicit: [
    implicitType(nullCoreTag, ['', '~', 'n', 'N']),
    implicitType(boolCoreTag, ['t', 'T', 'f', 'F']),
    implicitType(intCoreTag, ['-', '+', ...DIGITS]),
    implicitType(floatCoreTag, ['-', '+', '.', ...DIGITS]),
  ],
});

/** `!tag`, `&anchor` or `*alias` where a node may start; a false positive only costs speed. */
const NODE_PROPERTY = /(?:^|[\s[{,:])[!&*]/;

/** True when a document has no tag, anchor or alias, so the fast path gives the reference result. */
export function mayUseFastPath(chunk: string): boolean {
  if (!chunk.includes('*') && !chunk.includes('&') && !chunk.includes('!')) return true;
  return !NODE_PROPERTY.test(chunk);
}

export type Listener = (event: 'open' | 'close', state: LoaderState) => void;

/** Loads one document with js-yaml 4.1; throws js-yaml 4's YAMLException (duplicate keys included). */
export function loadFast(chunk: string, listener: Listener | undefined): unknown {
  return jsYaml4.load(chunk, listener ? { schema: SCHEMA, listener } : { schema: SCHEMA });
}

export function isFastYamlError(error: unknown): error is { reason: string; mark?: { line: number; column: number } } {
  return error instanceof jsYaml4.YAMLException;
}
