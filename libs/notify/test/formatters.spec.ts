import {
  buildDigest,
  formatDingTalk,
  formatFeishu,
  formatGeneric,
  formatSlack,
  formatTeams,
  formatWeCom,
  LIMIT_LEVELS,
  selectChanges,
  type ChangeSet,
  type SlackBlock,
} from '../src/index.js';
import { changeSet, finding, manyFindings } from './fixtures.js';
import { dingTalkProblems, feishuProblems, genericProblems, slackProblems, teamsProblems, weComProblems } from './shapes.js';

const selected = (changes: ChangeSet) => selectChanges(changes, 'info') as ChangeSet;

function sectionTexts(blocks: SlackBlock[]): string[] {
  return blocks.flatMap((block) => (block.type === 'section' ? [block.text.text] : block.type === 'context' ? block.elements.map((e) => e.text) : []));
}

describe('grouping and capping', () => {
  it('groups findings by resource, naming each rule and linking its docs', () => {
    const changes = selected(
      changeSet({
        new: [
          finding({ ruleId: 'missing-prestop-hook', resource: { kind: 'Deployment', namespace: 'shop', name: 'web' } }),
          finding({
            ruleId: 'no-readiness-probe',
            severity: 'warning',
            resource: { kind: 'Deployment', namespace: 'shop', name: 'web' },
            docs: 'https://rollsafe.io/docs/rules/no-readiness-probe',
          }),
          finding({ ruleId: 'max-unavailable-too-high', severity: 'warning', resource: { kind: 'StatefulSet', namespace: 'db', name: 'pg' } }),
        ],
        resolved: [],
      }),
    );
    const digest = buildDigest(changes, LIMIT_LEVELS[0] as (typeof LIMIT_LEVELS)[number]);
    expect(digest.sections).toHaveLength(1);
    expect(digest.sections[0]?.groups.map((g) => [g.resource.name, g.findings.map((f) => f.ruleId)])).toEqual([
      ['web', ['missing-prestop-hook', 'no-readiness-probe']],
      ['pg', ['max-unavailable-too-high']],
    ]);

    const slack = sectionTexts(formatSlack(changes).blocks).join('\n');
    expect(slack).toContain('*Deployment shop/web*');
    expect(slack).toContain('`no-readiness-probe (container app)`');
    expect(slack).toContain('<https://rollsafe.io/docs/rules/no-readiness-probe|docs>');
    const dingtalk = formatDingTalk(changes).markdown.text;
    expect(dingtalk).toContain('**Deployment shop/web**');
    expect(dingtalk).toContain('**no-readiness-probe (container app)**');
    expect(dingtalk).toContain('[docs](https://rollsafe.io/docs/rules/no-readiness-probe)');
    const wecom = formatWeCom(changes).markdown.content;
    expect(wecom).toContain('`no-readiness-probe (container app)`');
    expect(wecom).toContain('[docs](https://rollsafe.io/docs/rules/no-readiness-probe)');
    const feishu = JSON.stringify(formatFeishu(changes));
    expect(feishu).toContain('no-readiness-probe (container app)');
    expect(feishu).toContain('(https://rollsafe.io/docs/rules/no-readiness-probe)');
    const teams = JSON.stringify(formatTeams(changes));
    expect(teams).toContain('Deployment shop/web');
    expect(teams).toContain('(https://rollsafe.io/docs/rules/no-readiness-probe)');
  });

  it('caps findings per resource and resources per section with "and N more"', () => {
    const changes = selected(changeSet({ new: [...manyFindings(8, 1), ...manyFindings(24, 12, { severity: 'warning' })], resolved: [] }));
    const digest = buildDigest(changes, { maxResources: 10, maxFindingsPerResource: 5, maxMessageChars: 300 });
    const section = digest.sections[0];
    expect(section?.total).toBe(32);
    expect(section?.groups).toHaveLength(10);
    expect(section?.groups[0]?.findings).toHaveLength(5);
    // svc-0 has the 8 critical findings and 2 warnings: 5 shown, 5 more.
    expect(section?.groups[0]?.hidden).toBe(5);
    // 12 resources in all: 10 shown, 2 hidden with 2 findings each.
    expect(section?.hiddenResources).toBe(2);
    expect(section?.hiddenFindings).toBe(4);

    const slack = sectionTexts(formatSlack(changes).blocks).join('\n');
    expect(slack).toContain('…and 5 more on this resource');
    expect(slack).toContain('…and 4 more findings on 2 more resources');
    expect(formatDingTalk(changes).markdown.text).toContain('…and 4 more findings on 2 more resources');
    // WeCom's 4096 bytes hold fewer: the formatter shrank the caps, and still says what it left out.
    const wecom = formatWeCom(changes).markdown.content;
    expect(Buffer.byteLength(wecom)).toBeLessThanOrEqual(4096);
    expect(wecom).toMatch(/…and \d+ more on this resource/);
    expect(wecom).toMatch(/…and \d+ more findings on \d+ more resources/);
    expect(JSON.stringify(formatFeishu(changes))).toContain('…and 4 more findings on 2 more resources');
    expect(JSON.stringify(formatTeams(changes))).toContain('…and 5 more on this resource');
  });

  it('shows new and resolved findings in their own sections', () => {
    const changes = selected(changeSet());
    const slack = formatSlack(changes);
    expect(sectionTexts(slack.blocks)).toEqual(expect.arrayContaining(['*New findings (1)*', '*Resolved findings (1)*']));
    expect(slack.text).toBe('Rollsafe: 1 new finding, 1 resolved in prod-eu');
    expect(formatDingTalk(changes).markdown.text).toContain('#### Resolved findings (1)');
    expect(formatFeishu(changes).card.header.template).toBe('red');
    expect(formatFeishu(selected(changeSet({ new: [] }))).card.header.template).toBe('green');
  });

  it('keeps the generic payload complete and uncapped', () => {
    const changes = selected(changeSet({ new: manyFindings(120, 40), resolved: [] }));
    const payload = formatGeneric(changes);
    expect(genericProblems(payload)).toEqual([]);
    expect(payload.new).toHaveLength(120);
    expect(payload.cluster).toEqual({ id: 'cl-1', name: 'prod-eu' });
    expect(formatGeneric(selected(changeSet({ cluster: undefined }))).cluster).toBeNull();
  });
});

describe('platform limits', () => {
  // Long, multi-byte messages on many resources: every formatter must shrink to fit.
  const huge = selected(
    changeSet({
      new: manyFindings(400, 100, { message: '滚动更新期间负载均衡仍会把流量发给正在停止的 Pod。'.repeat(20) }),
      resolved: manyFindings(300, 90, { severity: 'warning', message: 'x'.repeat(2000) }),
    }),
  );

  it('Slack: at most 50 blocks, 3000 characters per text, 150 in the header', () => {
    const payload = formatSlack(huge);
    expect(slackProblems(payload)).toEqual([]);
    expect(payload.blocks.length).toBeLessThanOrEqual(50);
  });

  it('WeCom: content at most 4096 bytes', () => {
    const payload = formatWeCom(huge);
    expect(weComProblems(payload)).toEqual([]);
    expect(payload.markdown.content).toContain('more');
  });

  it('Feishu: body at most 20 KB; Teams: body under 28 KB; DingTalk: readable size', () => {
    const feishu = formatFeishu(huge);
    expect(feishuProblems(feishu, Buffer.from(JSON.stringify(feishu)), false)).toEqual([]);
    const teams = formatTeams(huge);
    expect(teamsProblems(teams)).toEqual([]);
    expect(Buffer.byteLength(JSON.stringify(teams))).toBeLessThanOrEqual(28 * 1024);
    const dingtalk = formatDingTalk(huge);
    expect(dingTalkProblems(dingtalk)).toEqual([]);
    expect(Buffer.byteLength(dingtalk.markdown.text)).toBeLessThanOrEqual(5000);
  });

  it('treats finding text as data, not markup', () => {
    const hostile = selected(
      changeSet({
        new: [
          finding({
            message: 'evil <!channel> *bold* [link](javascript:alert(1)) <font color="warning">x</font>',
            resource: { kind: 'Deployment', namespace: 'shop', name: 'web>|<' },
            docs: 'javascript:alert(1)',
          }),
        ],
        resolved: [],
      }),
    );
    const slack = sectionTexts(formatSlack(hostile).blocks).join('\n');
    expect(slack).not.toContain('<!channel>');
    expect(slack).toContain('&lt;!channel&gt;');
    // In Slack only <url|label> makes a link, and < is escaped: the message's markdown-looking link stays text.
    expect(slack).not.toContain('<javascript:');
    const wecom = formatWeCom(hostile).markdown.content;
    expect(wecom).not.toContain('<font color="warning">x');
    expect(wecom).not.toContain('](javascript:');
    expect(formatDingTalk(hostile).markdown.text).not.toContain('](javascript:');
    expect(JSON.stringify(formatTeams(hostile))).not.toContain('](javascript:');
  });
});

describe('verdict changes lead every message', () => {
  const withVerdicts = (): ChangeSet => ({
    ...changeSet({
      new: [finding({ ruleId: 'pdb-missing', severity: 'warning', resource: { kind: 'Deployment', namespace: 'shop', name: 'cart' } })],
      resolved: [],
    }),
    verdicts: {
      startedDropping: [
        {
          namespace: 'shop',
          name: 'web',
          verdict: 'drops',
          droppedTrafficSeconds: 12.67,
          link: 'https://rollsafe.example/api/v1/scans/s1/services/shop/web/timeline.svg',
        },
      ],
      stoppedDropping: [{ namespace: 'shop', name: 'api', verdict: 'safe', droppedTrafficSeconds: 5, link: 'https://rollsafe.example/docs/simulator.md' }],
    },
  });

  it('puts the Services that started and stopped dropping before the findings, in all six formats', () => {
    const changes = withVerdicts();
    const texts = {
      slack: sectionTexts(formatSlack(changes).blocks).join('\n'),
      dingtalk: formatDingTalk(changes).markdown.text,
      wecom: formatWeCom(changes).markdown.content,
      feishu: JSON.stringify(formatFeishu(changes)),
      teams: JSON.stringify(formatTeams(changes)),
    };
    for (const [kind, text] of Object.entries(texts)) {
      const started = text.indexOf('a rollout drops traffic for 12.7 s');
      const stopped = text.indexOf('a rollout no longer drops traffic');
      const firstFinding = text.indexOf('pdb-missing');
      expect({ kind, started: started >= 0, stopped: stopped >= 0 }).toEqual({ kind, started: true, stopped: true });
      expect({ kind, leads: started < stopped && stopped < firstFinding }).toEqual({ kind, leads: true });
    }
    expect(formatSlack(changes).text).toMatch(/^Rollsafe: 1 Service now drops traffic on rollout, 1 stopped dropping, 1 new finding/);
    const generic = formatGeneric(changes);
    expect(Object.keys(generic).indexOf('verdicts')).toBeLessThan(Object.keys(generic).indexOf('new'));
    expect(generic.verdicts.startedDropping).toEqual([expect.objectContaining({ name: 'web', droppedTrafficSeconds: 12.67 })]);
  });

  it('sends a verdict change at any minimum severity, even with no finding to tell', () => {
    const onlyVerdicts = { ...withVerdicts(), new: [] };
    expect(selectChanges(onlyVerdicts, 'critical')).not.toBeNull();
    expect(selectChanges({ ...onlyVerdicts, verdicts: { startedDropping: [], stoppedDropping: [] } }, 'critical')).toBeNull();
  });

  it('keeps within every platform limit with many verdict changes', () => {
    const many = withVerdicts();
    many.verdicts = {
      startedDropping: Array.from({ length: 60 }, (_, i) => ({
        namespace: 'shop',
        name: `svc-${i}`,
        verdict: 'drops',
        droppedTrafficSeconds: i,
        link: 'https://rollsafe.example/d',
      })),
      stoppedDropping: [],
    };
    expect(slackProblems(formatSlack(many))).toEqual([]);
    expect(dingTalkProblems(formatDingTalk(many))).toEqual([]);
    expect(weComProblems(formatWeCom(many))).toEqual([]);
    const feishu = formatFeishu(many);
    expect(feishuProblems(feishu, Buffer.from(JSON.stringify(feishu)), false)).toEqual([]);
    expect(teamsProblems(formatTeams(many))).toEqual([]);
    expect(genericProblems(formatGeneric(many))).toEqual([]);
  });
});
