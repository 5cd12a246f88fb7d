// A manifest snapshot as text, so that an upload parsed once by the API is not parsed again
// by the worker. Locations are keyed by object identity in memory; here they travel beside
// each collection, index for index.
import { emptySnapshot, type K8sObject, type Snapshot, type SnapshotObjects, type SourceLocation } from '#rollsafe/advisor';

const COLLECTIONS: ReadonlyArray<keyof SnapshotObjects> = [
  'deployments',
  'statefulSets',
  'daemonSets',
  'replicaSets',
  'pods',
  'services',
  'endpointSlices',
  'endpoints',
  'podDisruptionBudgets',
  'horizontalPodAutoscalers',
  'nodes',
];

/** Bump when the shape changes: a stored snapshot of another version is ignored and the files are parsed again. */
export const SNAPSHOT_CODEC_VERSION = 1;

interface EncodedSnapshot {
  version: number;
  facts: Snapshot['facts'];
  warnings: Snapshot['warnings'];
  otherPodTemplates: Snapshot['otherPodTemplates'];
  objects: Partial<Record<keyof SnapshotObjects, { items: unknown[]; locations: Array<SourceLocation | null> }>>;
}

export function encodeSnapshot(snapshot: Snapshot): string {
  const objects: EncodedSnapshot['objects'] = {};
  for (const collection of COLLECTIONS) {
    const items: K8sObject[] = snapshot[collection];
    if (items.length === 0) continue;
    objects[collection] = { items, locations: items.map((item) => snapshot.locations.get(item) ?? null) };
  }
  const encoded: EncodedSnapshot = {
    version: SNAPSHOT_CODEC_VERSION,
    facts: snapshot.facts,
    warnings: snapshot.warnings,
    otherPodTemplates: snapshot.otherPodTemplates,
    objects,
  };
  return JSON.stringify(encoded);
}

/** The snapshot back from `encodeSnapshot`'s text; undefined when it is of another version. */
export function decodeSnapshot(text: string): Snapshot | undefined {
  const encoded = JSON.parse(text) as EncodedSnapshot;
  if (encoded.version !== SNAPSHOT_CODEC_VERSION) return undefined;
  const snapshot = emptySnapshot(encoded.facts);
  snapshot.warnings.push(...encoded.warnings);
  snapshot.otherPodTemplates.push(...encoded.otherPodTemplates);
  for (const collection of COLLECTIONS) {
    const stored = encoded.objects[collection];
    if (!stored) continue;
    const target = snapshot[collection] as unknown[];
    stored.items.forEach((item, index) => {
      target.push(item);
      const location = stored.locations[index];
      if (location) snapshot.locations.set(item as K8sObject, location);
    });
  }
  return snapshot;
}
