// Native sidecars (Kubernetes 1.29+, PROVIDERS.md section 4): an init container with
// `restartPolicy: Always` that serves the Service's port is judged, and patched where it is.
import { emptySnapshot, addObject, runAdvisor } from '../src/index.js';

function mesh(kubernetesVersion?: string) {
  const snapshot = emptySnapshot({ source: 'manifests' });
  addObject(snapshot, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'mesh', namespace: 'shop' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'mesh' } },
      template: {
        metadata: { labels: { app: 'mesh' } },
        spec: {
          initContainers: [{ name: 'proxy', restartPolicy: 'Always', ports: [{ name: 'http', containerPort: 8080 }] }],
          containers: [{ name: 'app', ports: [{ containerPort: 9090 }], readinessProbe: { tcpSocket: { port: 9090 } } }],
        },
      },
    },
  });
  addObject(snapshot, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'mesh', namespace: 'shop' },
    spec: { type: 'LoadBalancer', selector: { app: 'mesh' }, ports: [{ port: 80, targetPort: 'http' }] },
  });
  return runAdvisor(snapshot, { provider: 'alibaba', ...(kubernetesVersion ? { kubernetesVersion } : {}) });
}

describe('native sidecars', () => {
  it('patch the sidecar under initContainers, never a container of the same name under containers', () => {
    const readiness = mesh().findings.find((f) => f.ruleId === 'readiness-probe-missing');
    expect(readiness?.container).toBe('proxy');
    const spec = (readiness?.remediation.patch as { spec: { template: { spec: Record<string, unknown> } } }).spec.template.spec;
    expect(spec['containers']).toBeUndefined();
    expect(spec['initContainers']).toEqual([expect.objectContaining({ name: 'proxy', readinessProbe: expect.any(Object) })]);
  });

  it('are judged from 1.29 only', () => {
    const serving = (version: string) =>
      mesh(version)
        .findings.filter((f) => f.container === 'proxy')
        .map((f) => f.ruleId);
    expect(serving('1.28')).toEqual([]);
    expect(serving('1.29')).toEqual(expect.arrayContaining(['readiness-probe-missing', 'prestop-hook-missing']));
  });
});
