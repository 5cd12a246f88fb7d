// Services with equal parameters share one simulation and one fix search per scan: each
// verdict must still be the one its Service gets alone, with its own names.
import { serviceVerdicts, simulate, type ServiceVerdict, type SimulationInput, type SimulationParams } from '../src/index.js';
import { SimulationMemo } from '../src/simulation-memo.js';
import { appYaml, snapshotOf, type AppOptions } from './seed.js';

/** Drops traffic behind an Alibaba ENI SLB: pod names in the windows, the Service's name in the readiness gate fix. */
const ENI_SINGLE_REPLICA: AppOptions = { replicas: 1, readinessProbe: true, preStopSleep: 30, grace: 60, eni: true };
/** Drops on the Local path: windows name nodes and pods, fixes name the container. */
const LOCAL_NO_PRESTOP: AppOptions = { readinessProbe: true, local: true };

function alone(yaml: string): ServiceVerdict {
  const { verdicts } = serviceVerdicts(snapshotOf(yaml));
  expect(verdicts).toHaveLength(1);
  return verdicts[0] as ServiceVerdict;
}

/** Names that sort differently as numbers and as text, a prefix of another name, another container. */
const APPS: Array<{ name: string; options: AppOptions; container?: string }> = [
  { name: 'web-2', options: ENI_SINGLE_REPLICA },
  { name: 'web-10', options: ENI_SINGLE_REPLICA },
  { name: 'web', options: ENI_SINGLE_REPLICA, container: 'server' },
  { name: 'api-9', options: LOCAL_NO_PRESTOP },
  { name: 'api-10-old', options: LOCAL_NO_PRESTOP },
  { name: 'api0', options: LOCAL_NO_PRESTOP, container: 'main' },
];

function yamlOf(app: (typeof APPS)[number]): string {
  const yaml = appYaml({ ...app.options, name: app.name });
  return app.container ? yaml.replace('- name: app', `- name: ${app.container}`) : yaml;
}

describe('verdicts of Services with equal parameters', () => {
  const together = serviceVerdicts(snapshotOf(APPS.map(yamlOf).join('---\n'))).verdicts;

  test('each is the verdict its Service gets alone', () => {
    expect(together).toHaveLength(APPS.length);
    for (const app of APPS) {
      const verdict = together.find((v) => v.service.name === app.name);
      expect(verdict).toEqual(alone(yamlOf(app)));
    }
  });

  test('each names its own Service, workload, pods and container', () => {
    for (const app of APPS) {
      const verdict = together.find((v) => v.service.name === app.name) as ServiceVerdict;
      expect(verdict.verdict).toBe('drops');
      expect(verdict.workload?.name).toBe(app.name);
      const pods = verdict.windows.flatMap((w) => (w.pod === undefined ? [] : [w.pod]));
      expect(pods.length).toBeGreaterThan(0);
      for (const pod of pods) expect(pod).toMatch(new RegExp(`^${app.name}-(old|new)-\\d+$`));
      const text = verdict.fixes.map((f) => `${f.change}\n${f.remediation.yaml}`).join('\n');
      const containers = [...text.matchAll(/- name: (\S+)/g)].map((m) => m[1]);
      const gates = [...text.matchAll(/service\.readiness\.alibabacloud\.com\/([\w.-]+)/g)].map((m) => m[1]);
      // The preStop fix names the container (Local apps); the readiness gate fix the Service (ENI apps).
      expect(app.options.local ? containers.length : gates.length).toBeGreaterThan(0);
      for (const container of containers) expect(container).toBe(app.container ?? 'app');
      for (const gate of gates) expect(gate).toBe(app.name);
    }
  });

  test('no two verdicts share a window or fix object', () => {
    const windows = together.flatMap((v) => v.windows);
    expect(new Set(windows).size).toBe(windows.length);
    const fixes = together.flatMap((v) => v.fixes);
    expect(new Set(fixes).size).toBe(fixes.length);
    expect(new Set(fixes.map((f) => f.closes)).size).toBe(fixes.length);
  });
});

describe('SimulationMemo', () => {
  const params = alone(appYaml({ ...LOCAL_NO_PRESTOP, name: 'api' })).parameters as SimulationParams;
  const input = (name: string, p: SimulationParams = params, live: Partial<SimulationInput> = {}): SimulationInput => ({
    workload: { kind: 'Deployment', namespace: 'shop', name },
    service: { namespace: 'shop', name },
    params: p,
    sources: {},
    notes: [`note of ${name}`],
    ...live,
  });

  test('a shared result is the one simulate gives for the other name', () => {
    const memo = new SimulationMemo();
    memo.simulate(input('api-7'));
    expect(memo.simulate(input('shop-api'))).toEqual(simulate(input('shop-api'), { detail: false }));
  });

  test('parameters that differ in any field are simulated apart', () => {
    const memo = new SimulationMemo();
    memo.simulate(input('api'));
    // E and podStart are not in the hash: equality, not the hash, must tell them apart.
    for (const changed of [
      { ...params, E: 7 },
      { ...params, podStart: 9 },
      { ...params, readinessProbe: null },
    ]) {
      expect(memo.simulate(input('api', changed))).toEqual(simulate(input('api', changed), { detail: false }));
    }
  });

  test('live inputs (real pods and nodes) are not shared', () => {
    const memo = new SimulationMemo();
    const a = input('api', params, {
      nodeNames: ['node-a', 'node-b'],
      initialPods: [
        { name: 'api-x', node: 'node-a', ready: true },
        { name: 'api-y', node: 'node-b', ready: true },
      ],
    });
    const b = input('api', params, {
      nodeNames: ['node-a', 'node-b'],
      initialPods: [
        { name: 'api-p', node: 'node-b', ready: true },
        { name: 'api-q', node: 'node-b', ready: false },
      ],
    });
    expect(memo.simulate(a)).toEqual(simulate(a, { detail: false }));
    expect(memo.simulate(b)).toEqual(simulate(b, { detail: false }));
    expect(memo.simulate(b)).not.toEqual(memo.simulate(a));
  });
});
