import { load } from 'js-yaml';
import { applyStrategicMerge, RULES, runAdvisor, SEVERITY_RANK, toYaml, validatePatchedObject, type Finding, type JsonObject } from '../src/index.js';
import { buildSnapshot, loadCaseFiles, type RuleCase } from './case-runner.js';

/**
 * RULES.md, "Remediations are safe to paste": for every rule, each remediation of each of
 * its firing cases is applied as a patch (strategic merge, or a new object), the advisor
 * runs again, and the finding must be gone, no new finding may appear, and the patched
 * object must be valid. Remediations that need a human decision say why.
 */

interface Application {
  ruleId: string;
  caseName: string;
  finding: Finding;
}

function identity(object: unknown): string {
  const o = object as { kind?: string; metadata?: { namespace?: string; name?: string } };
  return `${o.kind ?? ''}/${o.metadata?.namespace || 'default'}/${o.metadata?.name ?? ''}`;
}

function run(testCase: RuleCase): Finding[] {
  return runAdvisor(buildSnapshot(testCase), testCase.options ?? {}).findings;
}

const caseFiles = loadCaseFiles();
const applications: Application[] = [];
const decisions: Application[] = [];
for (const file of caseFiles) {
  for (const testCase of file.cases) {
    for (const finding of run(testCase).filter((f) => f.ruleId === file.ruleId)) {
      (finding.remediation.patch ? applications : decisions).push({ ruleId: file.ruleId, caseName: testCase.name, finding });
    }
  }
}
const caseOf = (a: Application): RuleCase => {
  const found = caseFiles.find((f) => f.ruleId === a.ruleId)?.cases.find((c) => c.name === a.caseName);
  if (!found) throw new Error(`no case ${a.caseName}`);
  return found;
};

/** Applies a finding's patch to the case's objects; returns the patched objects and the object before and after. */
export function applyRemediation(objects: unknown[], finding: Finding): { objects: unknown[]; before: unknown; after: unknown } {
  const { target, patch, patchType } = finding.remediation;
  if (!target || !patch) throw new Error('no patch');
  if (patchType === 'create') return { objects: [...objects, patch], before: {}, after: patch };
  const key = `${target.kind}/${target.namespace || 'default'}/${target.name}`;
  const index = objects.findIndex((o) => identity(o) === key);
  if (index < 0) throw new Error(`patch target ${key} is not among the objects`);
  const after = applyStrategicMerge(objects[index], patch);
  const patched = [...objects];
  patched[index] = after;
  return { objects: patched, before: objects[index], after };
}

describe('remediations are safe to paste', () => {
  it('every rule with a firing case is covered, and most fixes need no decision', () => {
    const covered = new Set([...applications, ...decisions].map((a) => a.ruleId));
    expect(RULES.map((r) => r.id).filter((id) => !covered.has(id))).toEqual([]);
    expect(applications.length).toBeGreaterThan(decisions.length / 2);
  });

  it.each(
    applications.map(
      (a) =>
        [
          `${a.ruleId}: ${a.caseName} (${a.finding.resource.kind}/${a.finding.resource.name}${a.finding.container ? ` ${a.finding.container}` : ''})`,
          a,
        ] as const,
    ),
  )('%s', (_name, application) => {
    const testCase = caseOf(application);
    const before = run(testCase);
    const { objects, before: original, after } = applyRemediation(testCase.objects, application.finding);
    const findings = run({ ...testCase, objects });

    // The finding is gone.
    expect(findings.filter((f) => f.fingerprint === application.finding.fingerprint).map((f) => f.message)).toEqual([]);
    // No new finding, and none got worse.
    const previous = new Map(before.map((f) => [f.fingerprint, f]));
    const added = findings.filter((f) => {
      const old = previous.get(f.fingerprint);
      return !old || SEVERITY_RANK[f.severity] < SEVERITY_RANK[old.severity];
    });
    expect(added.map((f) => `${f.ruleId} ${f.severity} ${f.message}`)).toEqual([]);
    // The patched object is valid.
    expect(validatePatchedObject(original, after)).toEqual([]);
    // The snippet shown is the patch.
    expect(application.finding.remediation.yaml.startsWith(toYaml(application.finding.remediation.patch as JsonObject))).toBe(true);
    expect(load(application.finding.remediation.yaml)).toEqual(application.finding.remediation.patch);
  });

  it.each(decisions.map((d) => [`${d.ruleId}: ${d.caseName} (${d.finding.resource.kind}/${d.finding.resource.name})`, d] as const))(
    '%s needs a decision and says why',
    (_name, decision) => {
      expect(decision.finding.remediation.needsDecision).toMatch(/\w{3,}/);
      expect(decision.finding.remediation.patch).toBeUndefined();
      expect(decision.finding.remediation.yaml.length).toBeGreaterThan(0);
      // A suggestion never invents an HTTP path.
      expect(decision.finding.remediation.yaml).not.toMatch(/path: \/healthz/);
    },
  );
});
