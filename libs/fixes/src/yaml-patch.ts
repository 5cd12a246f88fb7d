import { isMap, isScalar, isSeq, Scalar, visit, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import { MERGE_KEYS, type JsonObject, type JsonValue } from '#rollsafe/advisor';

/** Strings Kubernetes' YAML 1.1 parser would read as a boolean, null or number: written quoted. */
const AMBIGUOUS = /^(y|n|yes|no|on|off|true|false|null|~|[-+]?(\d[\d_]*)?\.?\d[\d_]*([eE][-+]?\d+)?|0x[0-9a-fA-F]+|0o?[0-7]+)$/i;

/** A new node for a patch value; strings YAML 1.1 would misread are double-quoted. */
export function createNode(doc: Document, value: JsonValue): Node {
  const node = doc.createNode(value) as Node;
  visit(node, {
    Scalar(_key, scalar) {
      if (typeof scalar.value === 'string' && AMBIGUOUS.test(scalar.value)) scalar.type = Scalar.QUOTE_DOUBLE;
    },
  });
  return node;
}

function lastPair(map: YAMLMap, key: string): Pair | undefined {
  for (let index = map.items.length - 1; index >= 0; index--) {
    const pair = map.items[index] as Pair;
    const name = isScalar(pair.key) ? pair.key.value : pair.key;
    if (name === key) return pair;
  }
  return undefined;
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Applies a strategic merge patch to a mapping node of a YAML document, in place, so that
 * everything the patch does not touch keeps its comments, key order and style: maps merge,
 * `null` deletes a key, lists with a merge key (containers by name, ...) merge item by
 * item, other lists and scalars are replaced (a scalar keeps its node, and so its comment,
 * when the type does not change). New keys go after the existing ones.
 */
export function mergeIntoMap(doc: Document, map: YAMLMap, patch: JsonObject): void {
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      while (map.has(key)) map.delete(key);
      continue;
    }
    // A duplicated key: the last one wins, as kubectl reads it, so that is the one to patch.
    const pair = lastPair(map, key);
    const current = pair?.value as Node | undefined;
    const mergeKey = MERGE_KEYS[key];
    if (Array.isArray(value) && mergeKey && isSeq(current)) {
      for (const item of value) {
        const existing = isJsonObject(item)
          ? current.items.find(
              (node): node is YAMLMap => isMap(node) && String((node.get(mergeKey, true) as Scalar | undefined)?.value) === String(item[mergeKey]),
            )
          : undefined;
        if (existing && isJsonObject(item)) mergeIntoMap(doc, existing, item);
        else current.add(createNode(doc, item));
      }
    } else if (isJsonObject(value) && isMap(current)) {
      mergeIntoMap(doc, current, value);
    } else if (!isJsonObject(value) && !Array.isArray(value) && isScalar(current) && typeof current.value === typeof value) {
      current.value = value;
    } else if (pair) {
      pair.value = createNode(doc, value);
    } else {
      map.set(key, createNode(doc, value));
    }
  }
}
