import { load } from 'js-yaml';
import type { JsonObject, JsonValue } from '../src/index.js';
import { toYaml, yamlScalar } from '../src/remediation/to-yaml.js';

// toYaml as it was before it wrote into one list of lines (kept as the reference its output must equal).
function referenceToYaml(value: JsonObject): string {
  return referenceMap(value, 0).join('\n');
}
const isScalar = (value: JsonValue): value is string | number | boolean | null => value === null || typeof value !== 'object';
function referenceMap(map: JsonObject, depth: number): string[] {
  const pad = '  '.repeat(depth);
  const lines: string[] = [];
  for (const [key, value] of Object.entries(map)) {
    const name = yamlScalar(key);
    if (isScalar(value)) lines.push(`${pad}${name}: ${yamlScalar(value)}`);
    else if (Array.isArray(value)) {
      if (value.length === 0) lines.push(`${pad}${name}: []`);
      else if (value.every(isScalar))
        lines.push(`${pad}${name}: [${value.map((v) => (typeof v === 'string' ? JSON.stringify(v) : yamlScalar(v))).join(', ')}]`);
      else lines.push(`${pad}${name}:`, ...referenceSeq(value, depth + 1));
    } else if (Object.keys(value).length === 0) lines.push(`${pad}${name}: {}`);
    else lines.push(`${pad}${name}:`, ...referenceMap(value, depth + 1));
  }
  return lines;
}
function referenceSeq(items: JsonValue[], depth: number): string[] {
  const pad = '  '.repeat(depth);
  const lines: string[] = [];
  for (const item of items) {
    if (isScalar(item) || Array.isArray(item)) {
      lines.push(`${pad}- ${isScalar(item) ? yamlScalar(item) : JSON.stringify(item)}`);
      continue;
    }
    const inner = referenceMap(item as JsonObject, depth + 1);
    if (inner.length === 0) lines.push(`${pad}- {}`);
    else lines.push(`${pad}- ${inner[0]?.trimStart() ?? ''}`, ...inner.slice(1));
  }
  return lines;
}

const SHAPES: JsonObject[] = [
  {},
  { a: {} },
  { a: { b: {} }, c: [] },
  { list: [{}, {}, { x: 1 }] },
  { list: [{ a: {} }, { b: [] }, { c: [{ d: {} }] }] },
  { nested: [[1, 'two'], [], [{ deep: true }]] },
  { mixed: [1, { a: 'b' }, null, 'x'] },
  { 'needs: quoting': 'on', '': 'empty key', ' lead': 'x', 'trail ': 'y', '#': '# comment', '1': 'digit key', yes: 'no' },
  { values: { n: 0, neg: -1.5, t: true, f: false, z: null, pct: '25%', colon: 'a: b', hash: 'a #b', unicode: 'façade ✓', nl: 'two\nlines' } },
  {
    spec: {
      template: {
        spec: {
          terminationGracePeriodSeconds: 46,
          initContainers: [{ name: 'proxy', restartPolicy: 'Always', lifecycle: { preStop: { sleep: { seconds: 16 } } } }],
          containers: [{ name: 'app', readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 5 }, command: ['sleep', '20'] }],
        },
      },
    },
  },
];

describe('toYaml', () => {
  it('writes exactly what the line-list version wrote, for empty maps and lists at every depth, sequences of maps and quoted keys', () => {
    for (const shape of SHAPES) expect(toYaml(shape)).toBe(referenceToYaml(shape));
  });

  it('reads back as the value it wrote', () => {
    for (const shape of SHAPES.slice(1)) expect(load(toYaml(shape))).toEqual(shape);
  });

  it('writes the same text the second time a key is seen (keys are judged once)', () => {
    const first = toYaml({ on: { off: 1 } });
    expect(toYaml({ on: { off: 1 } })).toBe(first);
    expect(first).toBe('"on":\n  "off": 1');
  });
});
