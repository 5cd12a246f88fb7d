// A manifest snapshot as text, so that an upload parsed once by the API is not parsed again
// by the worker. Everything of the snapshot travels as it is, but for the locations: keyed by
// object identity in memory, they travel beside each collection, index for index.
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

/** The snapshot back from `encodeSnapshot`'s text; undefined when it is of another version. */
export function decodeSnapshot(text: string): Snapshot | undefined {
  const { version, locations: byCollection, ...rest } = JSON.parse(text) as Encoded;
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
 * The codec version of `encodeSnapshot` text without parsing it: `version` is the last key
 * before `locations`, whose strings are file names, so the last `"version":` of the text is it
 * (a quote inside a JSON string is escaped).
 */
export function codecVersionOf(text: string): number | undefined {
  const at = text.lastIndexOf('"version":');
  if (at < 0) return undefined;
  const match = /^\d+/.exec(text.slice(at + '"version":'.length, at + '"version":'.length + 12));
  return match ? Number(match[0]) : undefined;
}

/**
 * A snapshot kept as codec text by the API: handed to the advisor thread as it is (a string is
 * copied in one piece; the decoded object graph would be cloned object by object, several
 * times the cost of decoding it) and decoded there; decoded here only when asked.
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
