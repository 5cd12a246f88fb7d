import { load } from 'js-yaml';
import { applyStrategicMerge, toYaml, validatePatchedObject } from '../src/index.js';

const deployment = {
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: {
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
    template: {
      spec: {
        containers: [
          { name: 'app', ports: [{ containerPort: 8080 }], livenessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 7 } },
          { name: 'sidecar', args: ['--a', '--b'] },
        ],
      },
    },
  },
};

describe('applyStrategicMerge', () => {
  it('merges containers by name, deletes keys set to null, replaces plain lists, and leaves the input alone', () => {
    const before = JSON.stringify(deployment);
    const patched = applyStrategicMerge(deployment, {
      spec: {
        template: {
          spec: {
            terminationGracePeriodSeconds: 45,
            containers: [
              { name: 'app', livenessProbe: { httpGet: null, tcpSocket: { port: 8080 } } },
              { name: 'sidecar', args: ['--c'] },
              { name: 'new', image: 'x' },
            ],
          },
        },
      },
    });
    expect(JSON.stringify(deployment)).toBe(before);
    expect(patched.spec.template.spec).toEqual({
      terminationGracePeriodSeconds: 45,
      containers: [
        { name: 'app', ports: [{ containerPort: 8080 }], livenessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 7 } },
        { name: 'sidecar', args: ['--c'] },
        { name: 'new', image: 'x' },
      ],
    });
  });

  it('merges topology spread constraints by topologyKey', () => {
    const patched = applyStrategicMerge(
      { spec: { topologySpreadConstraints: [{ topologyKey: 'topology.kubernetes.io/zone', maxSkew: 1 }] } },
      { spec: { topologySpreadConstraints: [{ topologyKey: 'kubernetes.io/hostname', maxSkew: 1 }] } },
    );
    expect(patched.spec.topologySpreadConstraints.map((c) => c.topologyKey)).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
  });
});

describe('validatePatchedObject', () => {
  it('accepts a valid patch and names each problem of an invalid one', () => {
    expect(validatePatchedObject(deployment, deployment)).toEqual([]);
    const twoHandlers = applyStrategicMerge(deployment, {
      spec: {
        template: {
          spec: {
            containers: [{ name: 'app', livenessProbe: { tcpSocket: { port: 8080 } }, readinessProbe: { httpGet: { path: '/healthz/ready', port: 8080 } } }],
          },
        },
      },
    });
    expect(validatePatchedObject(deployment, twoHandlers)).toEqual([
      'container "app" livenessProbe has 2 handlers (httpGet, tcpSocket)',
      'HTTP path "/healthz/ready" that the input did not use',
    ]);
    const hook = applyStrategicMerge(deployment, {
      spec: { template: { spec: { containers: [{ name: 'app', lifecycle: { preStop: { sleep: { seconds: 5 }, exec: { command: ['sleep', '5'] } } } }] } } },
    });
    expect(validatePatchedObject(deployment, hook)).toEqual(['container "app" preStop has 2 handlers (exec, sleep)']);
    const pdb = { kind: 'PodDisruptionBudget', spec: { minAvailable: 2 } };
    expect(validatePatchedObject(pdb, applyStrategicMerge(pdb, { spec: { maxUnavailable: 1 } }))).toEqual([
      'the PodDisruptionBudget sets both minAvailable and maxUnavailable',
    ]);
    expect(validatePatchedObject(pdb, applyStrategicMerge(pdb, { spec: { minAvailable: null, maxUnavailable: 1 } }))).toEqual([]);
  });

  it('refuses Recreate with rollingUpdate, both zero, and a surge on pods that hold host ports', () => {
    const recreate = applyStrategicMerge(deployment, { spec: { strategy: { type: 'Recreate' } } });
    expect(validatePatchedObject(deployment, recreate)).toEqual(['a Recreate strategy with rollingUpdate']);
    const zero = applyStrategicMerge(deployment, { spec: { strategy: { rollingUpdate: { maxUnavailable: 0 } } } });
    expect(validatePatchedObject(deployment, zero)).toEqual(['maxSurge and maxUnavailable are both 0']);
    const host = applyStrategicMerge(deployment, { spec: { template: { spec: { hostNetwork: true } } } });
    const surge = applyStrategicMerge(host, { spec: { strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } } });
    expect(validatePatchedObject(host, surge)).toEqual(['a surge on a workload whose pods hold host ports cannot start on the same node']);
  });
});

describe('toYaml', () => {
  it('writes block YAML that reads back as the patch, quoting what YAML would misread', () => {
    const patch = {
      metadata: { annotations: { 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain': 'on', timeout: '30', plain: 'ScheduleAnyway' } },
      spec: { containers: [{ name: 'app', lifecycle: { preStop: { exec: { command: ['sleep', '20'] } } } }], minAvailable: null, maxSurge: '25%' },
    };
    const text = toYaml(patch);
    expect(load(text)).toEqual(patch);
    expect(text).toContain('connection-drain: "on"');
    expect(text).toContain('command: ["sleep", "20"]');
    expect(text).toContain('  containers:\n    - name: app\n      lifecycle:');
  });
});
