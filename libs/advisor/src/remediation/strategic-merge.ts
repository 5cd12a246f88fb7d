import type { JsonObject, JsonValue } from '../model/finding.js';

/**
 * The merge keys of the lists a remediation touches, as the Kubernetes API declares them
 * (`patchMergeKey`): these lists merge item by item; every other list is replaced whole.
 */
export const MERGE_KEYS: Readonly<Record<string, string>> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  imagePullSecrets: 'name',
  topologySpreadConstraints: 'topologyKey',
  ports: 'containerPort',
};

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Applies a strategic merge patch to a copy of `target` for the fields remediations touch:
 * maps merge, `null` deletes a key, lists with a merge key (containers by name,
 * topologySpreadConstraints by topologyKey, ...) merge item by item, other lists and
 * scalars are replaced. The input is not modified.
 */
export function applyStrategicMerge<T>(target: T, patch: JsonObject): T {
  return mergeMap(isJsonObject(target) ? target : {}, patch) as T;
}

function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

function mergeMap(target: JsonObject, patch: JsonObject): JsonObject {
  const result: JsonObject = clone(target);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete result[key];
      continue;
    }
    const current = result[key];
    const mergeKey = MERGE_KEYS[key];
    if (Array.isArray(value) && mergeKey && Array.isArray(current)) {
      result[key] = mergeList(current, value, mergeKey);
    } else if (isJsonObject(value) && isJsonObject(current)) {
      result[key] = mergeMap(current, value);
    } else {
      result[key] = isJsonObject(value) ? mergeMap({}, value) : clone(value);
    }
  }
  return result;
}

function mergeList(current: JsonValue[], patch: JsonValue[], mergeKey: string): JsonValue[] {
  const result = clone(current);
  for (const item of patch) {
    if (!isJsonObject(item)) {
      result.push(clone(item));
      continue;
    }
    const index = result.findIndex((existing) => isJsonObject(existing) && existing[mergeKey] === item[mergeKey]);
    if (index >= 0) result[index] = mergeMap(result[index] as JsonObject, item);
    else result.push(mergeMap({}, item));
  }
  return result;
}
