import { RULES } from '../src/index.js';
import { loadCaseFiles, runCase } from './case-runner.js';

const caseFiles = loadCaseFiles();

describe('rule catalog coverage', () => {
  it.each(RULES.map((rule) => rule.id))('%s has cases that fire and cases that stay quiet', (ruleId) => {
    const file = caseFiles.find((f) => f.ruleId === ruleId);
    expect(file).toBeDefined();
    const cases = file?.cases ?? [];
    expect(cases.some((c) => c.expect.some((line) => line.startsWith(`${ruleId} `)))).toBe(true);
    expect(cases.some((c) => c.expect.length === 0)).toBe(true);
  });

  it('has no case file for a rule that does not exist', () => {
    const known = new Set(RULES.map((rule) => rule.id));
    expect(caseFiles.map((f) => f.ruleId).filter((id) => !known.has(id) && !id.startsWith('_'))).toEqual([]);
  });
});

for (const file of caseFiles) {
  describe(`${file.ruleId} cases`, () => {
    it.each(file.cases.map((c) => [c.name, c] as const))('%s', (_name, testCase) => {
      const { actual, expected, notEvaluated } = runCase(file.ruleId, testCase);
      expect(actual).toEqual(expected);
      for (const id of testCase.notEvaluated ?? []) expect(notEvaluated).toContain(id);
    });
  });
}
