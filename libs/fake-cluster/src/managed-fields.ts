// managedFields as a real API server writes them (FieldsV1), derived from the fields a manager set.
// They are most of a real object's size, so scenarios carry them to make payloads realistic.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type FieldSet = { [key: string]: FieldSet };

/** Key fields of list elements (merge keys); lists whose elements have none are atomic. */
function listKey(element: Json): string | undefined {
  if (element === null || typeof element !== 'object' || Array.isArray(element)) return undefined;
  const pick = (...names: string[]): string | undefined => {
    if (!names.every((n) => element[n] !== undefined)) return undefined;
    const key: Record<string, Json> = {};
    for (const n of names) key[n] = element[n] ?? null;
    return `k:${JSON.stringify(key)}`;
  };
  if (element['containerPort'] !== undefined) return pick('containerPort', 'protocol');
  if (element['port'] !== undefined && element['protocol'] !== undefined) return pick('port', 'protocol');
  if (element['uid'] !== undefined && element['kind'] !== undefined) return pick('uid');
  if (typeof element['mountPath'] === 'string') return pick('mountPath');
  if (typeof element['type'] === 'string' && element['status'] !== undefined) return pick('type');
  if (typeof element['type'] === 'string' && element['address'] !== undefined) return pick('type');
  if (typeof element['ip'] === 'string') return pick('ip');
  if (typeof element['name'] === 'string' && element['effect'] === undefined) return pick('name');
  return undefined;
}

const ATOMIC = new Set(['tolerations', 'containerStatuses', 'initContainerStatuses', 'endpoints', 'args', 'command', 'finalizers', 'subsets']);

function fieldsOfValue(value: Json, depth: number, name: string): FieldSet {
  if (value === null || typeof value !== 'object' || ATOMIC.has(name)) return {};
  if (Array.isArray(value)) {
    const keyed = value.map(listKey);
    if (keyed.length === 0 || keyed.some((k) => k === undefined)) return {};
    const list: FieldSet = {};
    value.forEach((element, i) => {
      list[keyed[i] as string] = { '.': {}, ...fieldsOfValue(element, depth + 2, '') };
    });
    return list;
  }
  const set: FieldSet = depth >= 2 ? { '.': {} } : {};
  for (const [key, child] of Object.entries(value)) if (child !== undefined) set[`f:${key}`] = fieldsOfValue(child, depth + 1, key);
  return set;
}

/** FieldsV1 of the given (partial) object. */
export function fieldsV1(owned: Record<string, unknown>): FieldSet {
  const set: FieldSet = {};
  for (const [key, child] of Object.entries(owned)) if (child !== undefined) set[`f:${key}`] = fieldsOfValue(child as Json, 1, key);
  return set;
}

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Update' | 'Apply';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: FieldSet;
  subresource?: string;
}

export function managedEntry(manager: string, apiVersion: string, time: string, owned: Record<string, unknown>, subresource?: string): ManagedFieldsEntry {
  return {
    manager,
    operation: 'Update',
    apiVersion,
    time,
    fieldsType: 'FieldsV1',
    fieldsV1: fieldsV1(owned),
    ...(subresource ? { subresource } : {}),
  };
}
