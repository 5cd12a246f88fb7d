import type { LabelSelector, Labels } from '../model/k8s.js';
import { matchesLabelSelector, matchesServiceSelector } from '../util/selectors.js';

/**
 * An inverted index (namespace, key=value) -> items, so that a selector is answered from the
 * shortest posting list of its pairs instead of by scanning every object.
 */
export class LabelIndex<T> {
  /** namespace -> label key -> label value -> items: nested maps, so no key string is built per label. */
  private readonly postings = new Map<string, Map<string, Map<string, T[]>>>();
  private readonly byNamespace = new Map<string, T[]>();

  constructor(private readonly labelsOf: (item: T) => Labels) {}

  add(namespace: string, item: T): void {
    push(this.byNamespace, namespace, item);
    const labels = this.labelsOf(item);
    let byKey = this.postings.get(namespace);
    if (!byKey) this.postings.set(namespace, (byKey = new Map()));
    for (const key in labels) {
      let byValue = byKey.get(key);
      if (!byValue) byKey.set(key, (byValue = new Map()));
      push(byValue, String(labels[key]), item);
    }
  }

  inNamespace(namespace: string): readonly T[] {
    return this.byNamespace.get(namespace) ?? [];
  }

  /** Items whose labels hold every pair of a Service selector (non-empty). */
  matchServiceSelector(namespace: string, selector: Labels): T[] {
    const candidates = this.shortestPosting(namespace, selector);
    if (!candidates) return [];
    return candidates.filter((item) => matchesServiceSelector(selector, this.labelsOf(item)));
  }

  /** Items a LabelSelector selects (`{}` selects the whole namespace, undefined nothing). */
  matchLabelSelector(namespace: string, selector: LabelSelector | undefined): T[] {
    if (!selector) return [];
    const matchLabels = selector.matchLabels ?? {};
    const candidates = Object.keys(matchLabels).length > 0 ? (this.shortestPosting(namespace, matchLabels) ?? []) : this.inNamespace(namespace);
    return candidates.filter((item) => matchesLabelSelector(selector, this.labelsOf(item)));
  }

  private shortestPosting(namespace: string, pairs: Labels): readonly T[] | undefined {
    const byKey = this.postings.get(namespace);
    let shortest: readonly T[] | undefined;
    for (const key in pairs) {
      const posting = byKey?.get(key)?.get(String(pairs[key]));
      if (!posting) return undefined;
      if (!shortest || posting.length < shortest.length) shortest = posting;
    }
    return shortest;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
