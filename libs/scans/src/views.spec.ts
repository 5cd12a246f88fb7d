import type { Finding } from '#rollsafe/store';
import { toFindingView } from './views.js';

const finding: Finding = {
  id: '00000000-0000-4000-8000-000000000001',
  organizationId: '00000000-0000-4000-8000-00000000000a',
  scanId: '00000000-0000-4000-8000-00000000000b',
  seq: 7,
  ruleId: 'readiness-probe-missing',
  severity: 'critical',
  kind: 'Deployment',
  namespace: 'shop',
  name: 'web',
  container: null,
  message: 'web has no readiness probe',
  evidence: { container: 'web', replicas: 2 },
  remediation: { summary: 'add a readiness probe', yaml: 'readinessProbe: {}\n' },
  docs: 'https://rollsafe.dev/rules/readiness-probe-missing',
  locationFile: null,
  locationLine: null,
  fingerprint: 'f1',
};

describe('toFindingView', () => {
  // One object of one shape (no spreads): what it leaves out is undefined, which JSON leaves out.
  it('serializes as the spread views did: the same keys in the same order, those a finding lacks left out', () => {
    expect(JSON.stringify(toFindingView(finding))).toBe(
      JSON.stringify({
        id: finding.id,
        ruleId: 'readiness-probe-missing',
        severity: 'critical',
        resource: { kind: 'Deployment', namespace: 'shop', name: 'web' },
        message: 'web has no readiness probe',
        evidence: { container: 'web', replicas: 2 },
        remediation: { summary: 'add a readiness probe', yaml: 'readinessProbe: {}\n' },
        docs: 'https://rollsafe.dev/rules/readiness-probe-missing',
        fingerprint: 'f1',
      }),
    );
    const full = toFindingView({
      ...finding,
      container: 'app',
      locationFile: 'web.yaml',
      locationLine: 3,
      remediation: {
        summary: 's',
        yaml: 'y',
        target: { kind: 'Deployment', namespace: 'shop', name: 'web' },
        patchType: 'strategic-merge',
        patch: { spec: {} },
        needsDecision: 'which port',
        ignored: 'x',
      },
    });
    expect(JSON.stringify(full)).toBe(
      JSON.stringify({
        id: finding.id,
        ruleId: 'readiness-probe-missing',
        severity: 'critical',
        resource: { kind: 'Deployment', namespace: 'shop', name: 'web' },
        container: 'app',
        message: 'web has no readiness probe',
        evidence: { container: 'web', replicas: 2 },
        remediation: {
          summary: 's',
          yaml: 'y',
          target: { kind: 'Deployment', namespace: 'shop', name: 'web' },
          patchType: 'strategic-merge',
          patch: { spec: {} },
          needsDecision: 'which port',
        },
        docs: 'https://rollsafe.dev/rules/readiness-probe-missing',
        location: { file: 'web.yaml', line: 3 },
        fingerprint: 'f1',
      }),
    );
  });

  it('reads a stored remediation defensively', () => {
    expect(JSON.stringify(toFindingView({ ...finding, remediation: ['not', 'an', 'object'] }).remediation)).toBe('{"summary":"","yaml":""}');
    expect(JSON.stringify(toFindingView({ ...finding, remediation: { summary: 1, patchType: 'other', patch: [], target: { kind: 'x' } } }).remediation)).toBe(
      '{"summary":"","yaml":""}',
    );
  });

  it('gives every finding the same shape of object', () => {
    const keys = (value: object) => Object.keys(value).join(',');
    expect(keys(toFindingView(finding))).toBe(keys(toFindingView({ ...finding, container: 'app', locationFile: 'f', locationLine: 1 })));
  });
});
