// Services with equal parameters share one simulation and one fix search per scan: each
// verdict must still be the one its Service gets alone, with its own names.
import { serviceVerdicts, simulate, type ServiceVerdict, type SimulationInput, type SimulationParams } from '../src/index.js';
import { sameSimulationKey, simulationKey } from '../src/simulation-key.js';
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

describe('simulationKey', () => {
  const appParams = alone(appYaml({ ...LOCAL_NO_PRESTOP, name: 'api' })).parameters as SimulationParams;
  let seed = 5;
  const random = (): number => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  /** Few distinct values, so that many draws share a key; halves and thirds leave the whole seconds. */
  const randomParams = (): SimulationParams => {
    const replicas = pick([1, 2, 3, 5]);
    const maxSurge = pick([0, 1, 2]);
    return {
      kind: pick(['Deployment', 'Deployment', 'StatefulSet', 'DaemonSet'] as const),
      strategy: random() < 0.2 ? 'Recreate' : 'RollingUpdate',
      path: pick(['cluster', 'local', 'pod', 'internal'] as const),
      replicas,
      nodes: pick([1, replicas]),
      maxSurge,
      maxUnavailable: maxSurge === 0 ? 1 : pick([0, 1]),
      minReadySeconds: pick([0, 0, 5]),
      E: pick([1, 2.5]),
      L: pick([0, 5]),
      lbAdd: pick([0, 10, 1 / 3]),
      podStart: pick([2, 2, 0.5]),
      appWarmup: pick([10, 5]),
      appShutdown: pick([0, 5]),
      P: pick([0, 15]),
      G: pick([30, 10, 60, 5, 1.5]),
      readinessProbe: random() < 0.25 ? null : { initialDelaySeconds: pick([0, 5, 10]), periodSeconds: pick([5, 10, 2.5]), successThreshold: pick([1, 2]) },
      readinessGate: random() < 0.5,
      hcInterval: pick([2, 5]),
      hcUnhealthyThreshold: 2,
      hcHealthyThreshold: pick([2, 3]),
      hcSeesNode: random() < 0.5,
      removalTrigger: pick(['api', 'hc', 'api+hc'] as const),
      drain: random() < 0.5,
      drainTimeout: pick([0, 300]),
      provider: pick(['alibaba', 'aws']),
      profile: pick(['a', 'b']),
      kubernetesVersion: pick(['1.25', '1.30']),
      inPlace: random() < 0.2,
    };
  };
  const input = (params: SimulationParams): SimulationInput => ({
    workload: { kind: params.kind, namespace: 'shop', name: 'api' },
    service: { namespace: 'shop', name: 'api' },
    params,
    sources: {},
  });
  /** The result less the parameters it echoes. */
  const outcome = (params: SimulationParams): unknown => ({ ...simulate(input(params), { detail: false }), parameters: null });

  test('parameters with equal keys simulate alike', () => {
    let shared = 0;
    for (let round = 0; round < 2000; round++) {
      const params = randomParams();
      // Another draw of one field: often one simulate does not read, or reads to the same effect.
      const other = randomParams();
      const field = pick(Object.keys(params) as Array<keyof SimulationParams>);
      const variant = { ...params, [field]: other[field] } as SimulationParams;
      if (!sameSimulationKey(simulationKey(params), simulationKey(variant))) continue;
      shared++;
      expect(outcome(variant)).toEqual(outcome(params));
    }
    expect(shared).toBeGreaterThan(1000);
  });

  test('a probe counts through the time it makes a pod ready, exactly when every time is whole', () => {
    const base = appParams;
    const a = { ...base, appWarmup: 10, readinessProbe: { initialDelaySeconds: 0, periodSeconds: 5, successThreshold: 1 } };
    const b = { ...base, appWarmup: 10, readinessProbe: { initialDelaySeconds: 10, periodSeconds: 10, successThreshold: 1 } };
    expect(sameSimulationKey(simulationKey(a), simulationKey(b))).toBe(true);
    const halves = { ...a, podStart: 0.5 };
    expect(sameSimulationKey(simulationKey(halves), simulationKey({ ...b, podStart: 0.5 }))).toBe(false);
  });

  test('the memo simulates once for Services that differ only where simulate does not look', () => {
    const memo = new SimulationMemo();
    const first = memo.simulate(input({ ...appParams, provider: 'alibaba', drainTimeout: 0 }));
    const second = memo.simulate(input({ ...appParams, provider: 'aws', drainTimeout: 300 }));
    expect(second.windows).toEqual(first.windows);
    expect(second.windows).not.toBe(first.windows);
    expect(second.parameters.provider).toBe('aws');
  });
});
