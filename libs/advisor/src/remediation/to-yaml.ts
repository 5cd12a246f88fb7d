import type { JsonObject, JsonValue } from '../model/finding.js';

/**
 * Block-style YAML for a JSON value, as a remediation snippet shows it: maps and sequences
 * of maps in block style, lists of scalars in flow style (`command: ["sleep", "20"]`),
 * strings quoted only when YAML would read them as something else.
 */
export function toYaml(value: JsonObject): string {
  const lines: string[] = [];
  emitMap(value, 0, lines);
  return lines.join('\n');
}

const PLAIN = /^[A-Za-z_./][A-Za-z0-9_./ -]*$/;
const RESERVED = /^(true|false|yes|no|on|off|null|y|n|~)$/i;

export function yamlScalar(value: JsonValue): string {
  if (value === null) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') {
    if (PLAIN.test(value) && !RESERVED.test(value) && !value.endsWith(' ') && !value.includes(': ') && !value.includes(' #')) return value;
    return JSON.stringify(value);
  }
  return JSON.stringify(value);
}

/** Keys are few (Kubernetes field names, annotation keys): each is judged once, up to this many. */
const MAX_CACHED_KEYS = 1000;
const yamlKeys = new Map<string, string>();

function yamlKey(key: string): string {
  let name = yamlKeys.get(key);
  if (name === undefined) {
    name = yamlScalar(key);
    if (yamlKeys.size < MAX_CACHED_KEYS) yamlKeys.set(key, name);
  }
  return name;
}

const PADS: string[] = [];
const padOf = (depth: number): string => (PADS[depth] ??= '  '.repeat(depth));

function isScalar(value: JsonValue): value is string | number | boolean | null {
  return value === null || typeof value !== 'object';
}

/** Appends the map's lines to `lines` (none for an empty map). */
function emitMap(map: JsonObject, depth: number, lines: string[]): void {
  const pad = padOf(depth);
  for (const key of Object.keys(map)) {
    const value = map[key] as JsonValue;
    const name = yamlKey(key);
    if (isScalar(value)) lines.push(`${pad}${name}: ${yamlScalar(value)}`);
    else if (Array.isArray(value)) {
      if (value.length === 0) lines.push(`${pad}${name}: []`);
      else if (value.every(isScalar))
        lines.push(`${pad}${name}: [${value.map((v) => (typeof v === 'string' ? JSON.stringify(v) : yamlScalar(v))).join(', ')}]`);
      else {
        lines.push(`${pad}${name}:`);
        emitSeq(value, depth + 1, lines);
      }
    } else {
      const header = lines.length;
      lines.push(`${pad}${name}:`);
      emitMap(value, depth + 1, lines);
      if (lines.length === header + 1) lines[header] = `${pad}${name}: {}`;
    }
  }
}

function emitSeq(items: JsonValue[], depth: number, lines: string[]): void {
  const pad = padOf(depth);
  const itemPadLength = padOf(depth + 1).length;
  for (const item of items) {
    if (isScalar(item) || Array.isArray(item)) {
      lines.push(`${pad}- ${isScalar(item) ? yamlScalar(item) : JSON.stringify(item)}`);
      continue;
    }
    // A map item: its first line moves up beside the dash (`- name: app`).
    const first = lines.length;
    emitMap(item, depth + 1, lines);
    if (lines.length === first) lines.push(`${pad}- {}`);
    else lines[first] = `${pad}- ${(lines[first] as string).slice(itemPadLength)}`;
  }
}
