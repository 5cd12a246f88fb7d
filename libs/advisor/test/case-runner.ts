import fs from 'node:fs';
import path from 'node:path';
import { loadAll } from 'js-yaml';
import { addObject, emptySnapshot, runAdvisor, type AdvisorOptions, type Finding, type Snapshot, type SnapshotFacts } from '../src/index.js';

/**
 * One table-driven case: objects (as a cluster or an upload would give them), the rules under
 * test, and the findings of those rules the advisor must produce — no more, no fewer.
 */
export interface RuleCase {
  name: string;
  /** Rule ids whose findings are compared (default: the file's rule id). */
  rules?: string[];
  source?: 'manifests' | 'cluster';
  facts?: Omit<SnapshotFacts, 'source'>;
  options?: AdvisorOptions;
  /** `<rule-id> <severity> <Kind>/<namespace>/<name> [container]`; `[]` for a quiet case. */
  expect: string[];
  /** Rule ids that must be reported as not evaluated. */
  notEvaluated?: string[];
  objects: unknown[];
}

export interface CaseFile {
  ruleId: string;
  file: string;
  cases: RuleCase[];
}

export const CASES_DIR = path.join(path.dirname(new URL(import.meta.url).pathname), 'cases');

export function loadCaseFiles(): CaseFile[] {
  return fs
    .readdirSync(CASES_DIR)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((name) => {
      const file = path.join(CASES_DIR, name);
      const cases = loadAll(fs.readFileSync(file, 'utf8')).filter(Boolean) as RuleCase[];
      return { ruleId: name.replace(/\.yaml$/, ''), file, cases };
    });
}

export function buildSnapshot(testCase: RuleCase): Snapshot {
  const snapshot = emptySnapshot({ source: testCase.source ?? 'manifests', ...(testCase.facts ?? {}) });
  testCase.objects.forEach((object, index) => addObject(snapshot, object, { file: 'case.yaml', line: index + 1 }));
  return snapshot;
}

export function describeFinding(finding: Finding): string {
  const { kind, namespace, name } = finding.resource;
  const resource = namespace ? `${kind}/${namespace}/${name}` : `${kind}/${name}`;
  return `${finding.ruleId} ${finding.severity} ${resource}${finding.container ? ` ${finding.container}` : ''}`;
}

const CLUSTER_SCOPED = new Set(['Node', 'Namespace', 'MutatingWebhookConfiguration']);

/** Expected lines may omit the `default` namespace: `Deployment/web` means `Deployment/default/web`. */
export function normalizeExpectation(line: string): string {
  const [ruleId, severity, resource, ...rest] = line.trim().split(/\s+/);
  const parts = (resource ?? '').split('/');
  const qualified = parts.length === 2 && !CLUSTER_SCOPED.has(parts[0] ?? '') ? `${parts[0]}/default/${parts[1]}` : resource;
  return [ruleId, severity, qualified, ...rest].join(' ');
}

export function runCase(ruleId: string, testCase: RuleCase): { actual: string[]; expected: string[]; notEvaluated: string[] } {
  const rules = testCase.rules ?? [ruleId];
  const result = runAdvisor(buildSnapshot(testCase), testCase.options ?? {});
  const actual = result.findings
    .filter((f) => rules.includes(f.ruleId))
    .map(describeFinding)
    .sort();
  const expected = testCase.expect.map(normalizeExpectation).sort();
  return { actual, expected, notEvaluated: result.notEvaluated };
}
