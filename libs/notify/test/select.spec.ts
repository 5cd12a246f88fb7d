import { buildRequest, selectChanges } from '../src/index.js';
import { changeSet, finding } from './fixtures.js';

describe('selectChanges', () => {
  const critical = finding({ severity: 'critical' });
  const warning = finding({ severity: 'warning', ruleId: 'no-pdb' });
  const info = finding({ severity: 'info', ruleId: 'single-replica' });

  it('keeps new and resolved findings at or above the minimum severity, most severe first', () => {
    const selected = selectChanges(changeSet({ new: [info, warning, critical], resolved: [info, warning] }), 'warning');
    expect(selected?.new.map((f) => f.severity)).toEqual(['critical', 'warning']);
    expect(selected?.resolved.map((f) => f.severity)).toEqual(['warning']);
  });

  it('keeps everything for info and only critical findings for critical', () => {
    const all = changeSet({ new: [info, warning, critical], resolved: [info] });
    expect(selectChanges(all, 'info')?.new).toHaveLength(3);
    expect(selectChanges(all, 'info')?.resolved).toHaveLength(1);
    expect(selectChanges(all, 'critical')?.new).toEqual([critical]);
    expect(selectChanges(all, 'critical')?.resolved).toEqual([]);
  });

  it('sends resolved-only changes', () => {
    const selected = selectChanges(changeSet({ new: [], resolved: [warning] }), 'warning');
    expect(selected?.new).toEqual([]);
    expect(selected?.resolved).toEqual([warning]);
  });

  it('has nothing to send when nothing changed, or nothing at the minimum severity changed', () => {
    expect(selectChanges(changeSet({ new: [], resolved: [] }), 'info')).toBeNull();
    expect(selectChanges(changeSet({ new: [info], resolved: [info] }), 'warning')).toBeNull();
    for (const kind of ['slack', 'dingtalk', 'feishu', 'wecom', 'teams', 'generic'] as const) {
      expect(buildRequest({ kind, url: 'https://example.invalid/hook', minSeverity: 'info' }, changeSet({ new: [], resolved: [] }))).toBeNull();
    }
  });

  it('does not change its input', () => {
    const input = changeSet({ new: [info, critical] });
    const before = JSON.stringify(input);
    selectChanges(input, 'critical');
    expect(JSON.stringify(input)).toBe(before);
  });
});
