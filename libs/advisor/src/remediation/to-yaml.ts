import type { JsonObject, JsonValue } from '../model/finding.js';

/**
 * Block-style YAML for a JSON value, as a remediation snippet shows it: maps and sequences
 * of maps in block style, lists of scalars in flow style (`command: ["sleep", "20"]`),
 * strings quoted only when YAML would read them as something else.
 */
export function toYaml(value: JsonObject): string {
  return emitMap(value, 0).join('\n');
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

function isScalar(value: JsonValue): value is string | number | boolean | null {
  return value === null || typeof value !== 'object';
}

function emitMap(map: JsonObject, depth: number): string[] {
  const pad = '  '.repeat(depth);
  const lines: string[] = [];
  for (const [key, value] of Object.entries(map)) {
    const name = yamlScalar(key);
    if (isScalar(value)) lines.push(`${pad}${name}: ${yamlScalar(value)}`);
    else if (Array.isArray(value)) {
      if (value.length === 0) lines.push(`${pad}${name}: []`);
      else if (value.every(isScalar))
        lines.push(`${pad}${name}: [${value.map((v) => (typeof v === 'string' ? JSON.stringify(v) : yamlScalar(v))).join(', ')}]`);
      else {
        lines.push(`${pad}${name}:`);
        lines.push(...emitSeq(value, depth + 1));
      }
    } else if (Object.keys(value).length === 0) lines.push(`${pad}${name}: {}`);
    else {
      lines.push(`${pad}${name}:`);
      lines.push(...emitMap(value, depth + 1));
    }
  }
  return lines;
}

function emitSeq(items: JsonValue[], depth: number): string[] {
  const pad = '  '.repeat(depth);
  const lines: string[] = [];
  for (const item of items) {
    if (isScalar(item) || Array.isArray(item)) {
      lines.push(`${pad}- ${isScalar(item) ? yamlScalar(item) : JSON.stringify(item)}`);
      continue;
    }
    const inner = emitMap(item as JsonObject, depth + 1);
    if (inner.length === 0) lines.push(`${pad}- {}`);
    else lines.push(`${pad}- ${inner[0]?.trimStart() ?? ''}`, ...inner.slice(1));
  }
  return lines;
}
