// Deterministic ids for scenarios: a seeded PRNG, uids, Kubernetes-style name suffixes, timestamps.

/** mulberry32: small, fast, good enough for test data. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit hash of numbers and strings (stateless ids for lazily generated objects). */
export function hash32(...parts: Array<number | string>): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    const text = String(part);
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    h ^= 0xff;
    h = Math.imul(h, 0x01000193);
  }
  // final avalanche (murmur3 fmix32)
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hex8(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}

/** A version-4-looking uid from four 32-bit numbers. */
export function uidFrom(a: number, b: number, c: number, d: number): string {
  const x = hex8(a) + hex8(b) + hex8(c) + hex8(d);
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-4${x.slice(13, 16)}-${((parseInt(x[16] ?? '8', 16) & 3) | 8).toString(16)}${x.slice(17, 20)}-${x.slice(20, 32)}`;
}

export function uidOf(...parts: Array<number | string>): string {
  return uidFrom(hash32(...parts, 'a'), hash32(...parts, 'b'), hash32(...parts, 'c'), hash32(...parts, 'd'));
}

/** The alphabet Kubernetes uses for generated names (no vowels, no confusable digits). */
export const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
/** The same characters in code-unit order: encoding numbers with it keeps their order. */
export const SORTED_NAME_ALPHABET = [...NAME_ALPHABET].sort().join('');

/** `length` characters of the name alphabet from a number (stable). */
export function nameSuffix(value: number, length: number): string {
  let out = '';
  let v = value >>> 0;
  for (let i = 0; i < length; i++) {
    out += NAME_ALPHABET[v % 27];
    v = Math.floor(v / 27) ^ hash32(v, i);
    v >>>= 0;
  }
  return out;
}

/** A fixed-width suffix whose code-unit order follows `value` (0 <= value < 27^length). */
export function orderedSuffix(value: number, length: number): string {
  let out = '';
  let v = value;
  for (let i = 0; i < length; i++) {
    out = (SORTED_NAME_ALPHABET[v % 27] ?? 'b') + out;
    v = Math.floor(v / 27);
  }
  return out;
}

/** Scenario clock: the cluster was made on this date; nothing reads the real clock. */
export const SCENARIO_EPOCH_MS = Date.UTC(2025, 0, 10, 8, 0, 0);

/** RFC 3339 seconds, as the API server writes times. */
export function timestamp(offsetSeconds: number): string {
  return new Date(SCENARIO_EPOCH_MS + Math.floor(offsetSeconds) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
