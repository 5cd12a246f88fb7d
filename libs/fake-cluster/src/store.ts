// Stores of scenario objects, sorted by etcd key.
import type { KubeObject, KubeObjectStore, KubeResourceName } from './types.js';

export const ALL_RESOURCES: readonly KubeResourceName[] = [
  'nodes',
  'pods',
  'services',
  'endpoints',
  'endpointslices',
  'deployments',
  'replicasets',
  'statefulsets',
  'daemonsets',
  'poddisruptionbudgets',
  'horizontalpodautoscalers',
  'namespaces',
  'mutatingwebhookconfigurations',
];

export function keyOf(object: KubeObject): string {
  const namespace = object.metadata?.namespace;
  const name = object.metadata?.name ?? '';
  return namespace ? `${namespace}/${name}` : name;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Objects held in memory (small scenarios); JSON is made once, on first use. */
export class ArrayStore implements KubeObjectStore {
  private readonly keys: string[];
  private readonly objects: KubeObject[];
  private readonly cache: Array<string | undefined>;

  constructor(objects: KubeObject[]) {
    const keyed = objects.map((object) => ({ key: keyOf(object), object })).sort((a, b) => compare(a.key, b.key));
    this.keys = keyed.map((k) => k.key);
    this.objects = keyed.map((k) => k.object);
    this.cache = new Array<string | undefined>(objects.length);
  }

  get size(): number {
    return this.keys.length;
  }

  key(index: number): string {
    return this.keys[index] ?? '';
  }

  json(index: number): string {
    let text = this.cache[index];
    if (text === undefined) {
      text = JSON.stringify(this.objects[index]);
      this.cache[index] = text;
    }
    return text;
  }
}

export const EMPTY_STORE: KubeObjectStore = { size: 0, key: () => '', json: () => '{}' };

/** First index in [lo, hi) whose key is >= target. */
export function lowerBound(store: KubeObjectStore, target: string, lo = 0, hi = store.size): number {
  let low = lo;
  let high = hi;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (store.key(mid) < target) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Every object of a store, parsed (for tests; avoid on the large scenario). */
export function storeObjects(store: KubeObjectStore): KubeObject[] {
  const out: KubeObject[] = [];
  for (let i = 0; i < store.size; i++) out.push(JSON.parse(store.json(i)) as KubeObject);
  return out;
}
