// The catalog follows RULES.md's order (its categories in turn, each closed by the provider rules
// of PROVIDERS.md section 5), and docs/rules/README.md, the index the CLI and the API serve,
// lists every rule in that same order with its page.
import fs from 'node:fs';
import path from 'node:path';
import { RULES } from '../src/index.js';

const README = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../docs/rules/README.md');
const CATEGORY_ORDER = ['lifecycle', 'rollout', 'placement', 'service'];
const PROVIDER_RULES = [
  'lb-readiness-gate-missing',
  'aws-readiness-gate-label-missing',
  'aws-readiness-webhook-fail-open',
  'gke-neg-gate-without-health-check',
  'lb-drain-exceeds-grace',
  'lb-registration-outpaces-rollout',
  'local-health-check-not-node-aware',
  'azure-cluster-probe-not-shared',
  'tke-direct-access-graceful-off',
  'alibaba-eni-graceful-shutdown-off',
  'alibaba-l7-health-check-off',
  'lb-backend-quota',
];

describe('rule catalog order', () => {
  it('takes the categories in RULES.md order, each category contiguous', () => {
    const ranks = RULES.map((rule) => CATEGORY_ORDER.indexOf(rule.category));
    expect(ranks).not.toContain(-1);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
  });

  it('closes each category with its provider rules, in PROVIDERS.md section 5 order', () => {
    for (const category of CATEGORY_ORDER) {
      const ids = RULES.filter((rule) => rule.category === category).map((rule) => rule.id);
      const providers = ids.filter((id) => PROVIDER_RULES.includes(id));
      expect(ids.slice(ids.length - providers.length)).toEqual(providers);
      expect(providers).toEqual(PROVIDER_RULES.filter((id) => providers.includes(id)));
    }
    expect(RULES.filter((rule) => PROVIDER_RULES.includes(rule.id))).toHaveLength(12);
  });

  it('docs/rules/README.md lists every rule in catalog order, each with its page', () => {
    const rows = fs
      .readFileSync(README, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('| `'));
    expect(rows.map((row) => /^\| `([^`]+)`/.exec(row)?.[1])).toEqual(RULES.map((rule) => rule.id));
    for (const rule of RULES) {
      const row = rows.find((r) => r.startsWith(`| \`${rule.id}\``)) ?? '';
      expect(row).toContain(`[${rule.id}.md](${rule.id}.md)`);
      expect(fs.existsSync(path.join(path.dirname(README), `${rule.id}.md`))).toBe(true);
    }
  });
});
