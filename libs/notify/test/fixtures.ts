import type { ChangeSet, NotifiedFinding } from '../src/index.js';

let counter = 0;

export function finding(overrides: Partial<NotifiedFinding> = {}): NotifiedFinding {
  counter += 1;
  return {
    ruleId: 'missing-prestop-hook',
    severity: 'critical',
    resource: { kind: 'Deployment', namespace: 'shop', name: 'web' },
    container: 'app',
    message: 'Container app has no preStop hook: the load balancer still sends traffic while it stops.',
    docs: 'https://rollsafe.io/docs/rules/missing-prestop-hook',
    fingerprint: `fp-${counter}`,
    ...overrides,
  };
}

export function changeSet(overrides: Partial<ChangeSet> = {}): ChangeSet {
  return {
    organization: { id: 'org-1', name: 'Acme' },
    cluster: { id: 'cl-1', name: 'prod-eu' },
    scan: { id: 'scan-42', url: 'https://rollsafe.example/scans/scan-42', finishedAt: '2025-01-02T03:04:05.000Z' },
    new: [finding()],
    resolved: [finding({ ruleId: 'no-readiness-probe', severity: 'warning', resource: { kind: 'Deployment', namespace: 'shop', name: 'api' } })],
    ...overrides,
  };
}

/** `count` findings spread over `resources` resources. */
export function manyFindings(count: number, resources: number, overrides: Partial<NotifiedFinding> = {}): NotifiedFinding[] {
  return Array.from({ length: count }, (_, i) =>
    finding({ ruleId: `rule-${String(i).padStart(3, '0')}`, resource: { kind: 'Deployment', namespace: 'shop', name: `svc-${i % resources}` }, ...overrides }),
  );
}
