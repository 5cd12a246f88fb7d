import { addObject, emptySnapshot, runAdvisor, type Finding } from '../src/index.js';

/**
 * PROVIDERS.md section 4: the Kubernetes version the scan judges for (--kubernetes-version on
 * manifests, default 1.30; the server's on live clusters) changes verdicts and remediations.
 */
const deployment = (preStop: unknown) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop' },
  spec: {
    replicas: 4,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'app',
            ports: [{ name: 'http', containerPort: 8080 }],
            readinessProbe: { tcpSocket: { port: 'http' } },
            ...(preStop ? { lifecycle: { preStop } } : {}),
          },
        ],
      },
    },
  },
});
const service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'shop' },
  spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] },
};

function findings(objects: unknown[], kubernetesVersion?: string, live?: string): Finding[] {
  const snapshot = emptySnapshot({ source: live ? 'cluster' : 'manifests', ...(live ? { kubernetesVersion: live } : {}) });
  for (const object of objects) addObject(snapshot, object);
  return runAdvisor(snapshot, kubernetesVersion ? { kubernetesVersion } : {}).findings;
}
const one = (list: Finding[], ruleId: string): Finding => {
  const found = list.find((f) => f.ruleId === ruleId);
  if (!found) throw new Error(`no ${ruleId}`);
  return found;
};

describe('Kubernetes version awareness', () => {
  it('a suggested PDB carries unhealthyPodEvictionPolicy: AlwaysAllow from 1.27 only', () => {
    const spec = (version?: string) =>
      (one(findings([deployment(undefined), service], version), 'pdb-missing').remediation.patch as { spec: Record<string, unknown> }).spec;
    expect(spec()).toMatchObject({ unhealthyPodEvictionPolicy: 'AlwaysAllow' });
    expect(spec('1.27')).toMatchObject({ unhealthyPodEvictionPolicy: 'AlwaysAllow' });
    expect(spec('1.26')).not.toHaveProperty('unhealthyPodEvictionPolicy');
  });

  it('a missing preStop gets the native sleep action from 1.30, the exec form below', () => {
    const hook = (version?: string, live?: string) => {
      const patch = one(findings([deployment(undefined), service], version, live), 'prestop-hook-missing').remediation.patch as {
        spec: { template: { spec: { containers: Array<{ lifecycle: { preStop: unknown } }> } } };
      };
      return patch.spec.template.spec.containers[0]?.lifecycle.preStop;
    };
    expect(hook()).toEqual({ sleep: { seconds: 15 } });
    expect(hook('1.29')).toEqual({ exec: { command: ['sleep', '15'] } });
    // A live cluster's own version wins over the default.
    expect(hook(undefined, '1.28.4')).toEqual({ exec: { command: ['sleep', '15'] } });
  });

  it('Local Services lose a node whatever the preStop below 1.26 (critical), and the result names the version judged', () => {
    const withSleep = [deployment({ sleep: { seconds: 20 } }), service];
    expect(one(findings(withSleep), 'local-traffic-rollout-unsafe').severity).toBe('warning');
    expect(one(findings(withSleep, '1.25'), 'local-traffic-rollout-unsafe').severity).toBe('critical');
    const snapshot = emptySnapshot({ source: 'manifests' });
    expect(runAdvisor(snapshot, { kubernetesVersion: '1.25' }).kubernetesVersion).toEqual({ version: '1.25', source: 'flag' });
    expect(runAdvisor(snapshot).kubernetesVersion).toEqual({ version: '1.30', source: 'default' });
  });
});
