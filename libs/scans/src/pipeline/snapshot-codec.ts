// A manifest snapshot as text, so that an upload parsed once by the API is not parsed again
// by the worker. Everything of the snapshot travels as it is, but for the locations: keyed by
// object identity in memory, they travel beside each collection, index for index. The store
// keeps it packed (keepSnapshot): the JSON of a 10 MB upload's snapshot is about 9 MB, which
// the API wrote and the worker read and copied whole on their event loops; deflated it is about
// 0.6 MB, unpacked on the advisor thread in a few ms.
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { emptySnapshot, type K8sObject, type Snapshot, type SnapshotObjects, type SourceLocation } from '#rollsafe/advisor';

const COLLECTIONS = Object.keys(emptySnapshot({ source: 'manifests' })).filter((key) =>
  Array.isArray(emptySnapshot({ source: 'manifests' })[key as keyof Snapshot]),
) as Array<keyof Snapshot>;

/** Bump when the shape changes: a stored snapshot of another version is ignored and the files are parsed again. */
export const SNAPSHOT_CODEC_VERSION = 2;

type Encoded = Omit<Snapshot, 'locations'> & { version: number; locations: Partial<Record<keyof SnapshotObjects, Array<SourceLocation | null>>> };

function isObjectCollection(snapshot: Snapshot, key: keyof Snapshot): key is keyof SnapshotObjects {
  return key !== 'warnings' && key !== 'otherPodTemplates' && Array.isArray(snapshot[key]);
}

export function encodeSnapshot(snapshot: Snapshot): string {
  const { locations, ...rest } = snapshot;
  const byCollection: Encoded['locations'] = {};
  for (const key of COLLECTIONS) {
    if (!isObjectCollection(snapshot, key) || snapshot[key].length === 0) continue;
    const items: K8sObject[] = snapshot[key];
    byCollection[key] = items.map((item) => locations.get(item) ?? null);
  }
  const encoded: Encoded = { ...rest, version: SNAPSHOT_CODEC_VERSION, locations: byCollection };
  return JSON.stringify(encoded);
}

/** What a packed snapshot starts with: the codec version of the JSON inside, then deflate's bytes in base64. */
const PACKED = /^deflate;v=(\d+);base64,/;

/**
 * The snapshot as the store keeps it: `encodeSnapshot`'s JSON deflated, in base64 after a
 * prefix naming the codec version (a text column takes it; Postgres does not try to compress
 * it again). UTF-8 bytes with a buffer of their own, so a thread can hand them over.
 */
export function keepSnapshot(snapshot: Snapshot): Uint8Array {
  const deflated = deflateRawSync(encodeSnapshot(snapshot));
  const prefix = `deflate;v=${SNAPSHOT_CODEC_VERSION};base64,`;
  const kept = Buffer.allocUnsafeSlow(prefix.length + Math.ceil(deflated.length / 3) * 4);
  const at = kept.write(prefix, 'latin1');
  return kept.subarray(0, at + kept.write(deflated.toString('base64'), at, 'latin1'));
}

/** The snapshot back from `encodeSnapshot`'s text or `keepSnapshot`'s; undefined when it is of another version. */
export function decodeSnapshot(text: string): Snapshot | undefined {
  const packed = PACKED.exec(text);
  const json = packed ? inflateRawSync(Buffer.from(text.slice(packed[0].length), 'base64')).toString('utf8') : text;
  const { version, locations: byCollection, ...rest } = JSON.parse(json) as Encoded;
  if (version !== SNAPSHOT_CODEC_VERSION) return undefined;
  const snapshot: Snapshot = { ...rest, locations: new Map() };
  for (const [key, stored] of Object.entries(byCollection) as Array<[keyof SnapshotObjects, Array<SourceLocation | null>]>) {
    const items: K8sObject[] = snapshot[key];
    stored.forEach((location, index) => {
      const item = items[index];
      if (location && item) snapshot.locations.set(item, location);
    });
  }
  return snapshot;
}

/**
 * The codec version of kept text without decoding it: a packed snapshot's prefix names it; in
 * `encodeSnapshot` text `version` is the last key before `locations`, whose strings are file
 * names, so the last `"version":` of the text is it (a quote inside a JSON string is escaped).
 */
export function codecVersionOf(text: string): number | undefined {
  const packed = PACKED.exec(text);
  if (packed) return Number(packed[1]);
  const at = text.lastIndexOf('"version":');
  if (at < 0) return undefined;
  const match = /^\d+/.exec(text.slice(at + '"version":'.length, at + '"version":'.length + 12));
  return match ? Number(match[0]) : undefined;
}

/**
 * A snapshot kept by the API (`keepSnapshot`'s text, or older rows' `encodeSnapshot` text):
 * handed to the advisor thread as it is (a string is copied in one piece; the decoded object
 * graph would be cloned object by object, several times the cost of decoding it) and decoded
 * there; decoded here only when asked.
 */
export class EncodedSnapshot {
  private decoded: Snapshot | undefined;

  /** `objects`: how many objects it holds, about (the upload's document count). */
  constructor(
    readonly text: string,
    readonly objects: number,
  ) {}

  decode(): Snapshot {
    this.decoded ??= decodeSnapshot(this.text);
    if (!this.decoded) throw new Error(`the kept snapshot is not of codec version ${SNAPSHOT_CODEC_VERSION}`);
    return this.decoded;
  }
}
