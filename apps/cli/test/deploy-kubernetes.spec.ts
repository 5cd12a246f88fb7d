// deploy/kubernetes: Rollsafe on Kubernetes follows its own advice. The kustomization is
// rendered by this test (resources, namespace, labels, images: what kustomization.yaml uses),
// checked against `kubectl kustomize` where kubectl is installed, then scanned with the CLI:
// no critical and no warning finding, for any provider.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dump, load, loadAll } from 'js-yaml';
import { PROVIDERS } from '#rollsafe/advisor';
import { runCli } from './run-cli.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const dir = path.join(root, 'deploy', 'kubernetes');

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [key: string]: unknown };

/** A field of parsed YAML, by its path, as the test expects it to be (undefined where the path breaks). */
function field<T>(value: unknown, ...path: Array<string | number>): T {
  let current: unknown = value;
  for (const key of path) current = typeof current === 'object' && current !== null ? (current as Record<string | number, unknown>)[key] : undefined;
  return current as T;
}
interface Kustomization {
  namespace: string;
  labels: Array<{ pairs: Record<string, string>; includeSelectors?: boolean; includeTemplates?: boolean }>;
  resources: string[];
  images: Array<{ name: string; newName?: string; newTag?: string }>;
  [key: string]: unknown;
}

const kustomization = load(fs.readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8')) as Kustomization;

/** kustomize's output for the features kustomization.yaml uses (and only those: others fail the test). */
function render(): Obj[] {
  expect(Object.keys(kustomization).sort()).toEqual(['apiVersion', 'images', 'kind', 'labels', 'namespace', 'resources']);
  const objects: Obj[] = [];
  for (const file of kustomization.resources) {
    for (const doc of loadAll(fs.readFileSync(path.join(dir, file), 'utf8')) as Obj[]) {
      if (!doc) continue;
      doc.metadata.namespace = kustomization.namespace;
      for (const { pairs, includeSelectors, includeTemplates } of kustomization.labels) {
        expect([includeSelectors, includeTemplates]).toEqual([undefined, undefined]);
        doc.metadata.labels = { ...doc.metadata.labels, ...pairs };
      }
      const spec = doc['spec'] as { template?: { spec?: { containers?: Array<{ image: string }> } } } | undefined;
      for (const container of spec?.template?.spec?.containers ?? []) {
        const image = kustomization.images.find((i) => i.name === container.image);
        if (image) container.image = `${image.newName ?? image.name}${image.newTag ? `:${image.newTag}` : ''}`;
      }
      objects.push(doc);
    }
  }
  return objects;
}

const key = (o: Obj): string => `${o.kind}/${o.metadata.name}`;

async function scan(yaml: string, provider: string): Promise<{ code: number; report: { summary: Record<string, number>; findings: unknown[] } }> {
  const { code, stdout, stderr } = await runCli(['scan', '-', '--format', 'json', '--fail-on', 'warning', '--provider', provider], { stdin: yaml });
  expect(stderr).toBe('');
  return { code, report: JSON.parse(stdout) };
}

describe('deploy/kubernetes', () => {
  const objects = render();
  const byKey = new Map(objects.map((o) => [key(o), o]));
  const rendered = objects.map((o) => dump(o)).join('---\n');

  it('holds the API, the worker, the migration Job, config and RBAC for its own namespace (Postgres and Redis are the Secret)', () => {
    expect([...byKey.keys()].sort()).toEqual([
      'ConfigMap/rollsafe',
      'Deployment/rollsafe-api',
      'Deployment/rollsafe-worker',
      'Job/rollsafe-migrate',
      'PodDisruptionBudget/rollsafe-api',
      'PodDisruptionBudget/rollsafe-worker',
      'Role/rollsafe',
      'RoleBinding/rollsafe',
      'Service/rollsafe-api',
      'ServiceAccount/rollsafe',
    ]);
    expect(objects.every((o) => o.metadata.namespace === 'rollsafe')).toBe(true);
    const binding = byKey.get('RoleBinding/rollsafe') as Obj & { subjects: Array<{ kind: string; name: string; namespace: string }> };
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'rollsafe', namespace: kustomization.namespace }]);
    expect(objects.some((o) => o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding' || o.kind === 'Secret')).toBe(false);
    // the existing reader RBAC for clusters to scan stays where it is
    expect(fs.existsSync(path.join(root, 'deploy', 'rbac', 'rollsafe-reader.yaml'))).toBe(true);
  });

  it('renders as kubectl kustomize renders it (where kubectl is installed)', () => {
    const kubectl = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
    if (kubectl.error && (kubectl.error as NodeJS.ErrnoException).code === 'ENOENT') {
      // No kubectl here: the files were checked above and are scanned below as rendered by this test.
      expect(objects.length).toBeGreaterThan(0);
      return;
    }
    expect(kubectl.stderr).toBe('');
    expect(kubectl.status).toBe(0);
    const fromKubectl = (loadAll(kubectl.stdout) as Obj[]).filter(Boolean);
    expect(new Map(fromKubectl.map((o) => [key(o), o]))).toEqual(byKey);
  });

  it('every pod runs its own service account without a token, as a non-root user', () => {
    for (const o of objects.filter((x) => x.kind === 'Deployment' || x.kind === 'Job')) {
      const pod = (
        o['spec'] as { template: { spec: Record<string, unknown> & { containers: Array<{ securityContext: Record<string, unknown>; envFrom: unknown }> } } }
      ).template.spec;
      expect([key(o), pod['serviceAccountName'], pod['automountServiceAccountToken']]).toEqual([key(o), 'rollsafe', false]);
      expect(pod['securityContext']).toMatchObject({ runAsNonRoot: true });
      for (const container of pod.containers) {
        expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
        expect(container.envFrom).toEqual([{ configMapRef: { name: 'rollsafe' } }, { secretRef: { name: 'rollsafe' } }]);
      }
    }
  });

  it('the API drains on rollout: readiness /readyz, liveness /healthz, preStop sleep, grace above preStop + shutdown, maxUnavailable 0, PDB', () => {
    const api = byKey.get('Deployment/rollsafe-api') as Obj & { spec: Record<string, never> };
    const config = (byKey.get('ConfigMap/rollsafe') as Obj & { data: Record<string, string> }).data;
    const spec = field<{
      replicas: number;
      strategy: { rollingUpdate: { maxUnavailable: number } };
      template: { spec: { terminationGracePeriodSeconds: number; containers: unknown[] } };
    }>(api, 'spec');
    const container = field<{
      readinessProbe: { httpGet: { path: string } };
      livenessProbe: { httpGet: { path: string } };
      lifecycle: { preStop: { exec: { command: string[] } } };
      command: string[];
    }>(spec, 'template', 'spec', 'containers', 0);
    expect(spec.replicas).toBeGreaterThanOrEqual(2);
    expect(spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    const [sleep, seconds] = container.lifecycle.preStop.exec.command;
    expect(sleep).toBe('sleep');
    const shutdownSeconds = Number(config['ROLLSAFE_SHUTDOWN_TIMEOUT_MS']) / 1000;
    expect(spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(Number(seconds) + shutdownSeconds);
    expect(field<number>(byKey.get('Deployment/rollsafe-worker'), 'spec', 'template', 'spec', 'terminationGracePeriodSeconds')).toBeGreaterThan(
      shutdownSeconds,
    );
    expect(byKey.get('PodDisruptionBudget/rollsafe-api')?.['spec']).toMatchObject({ selector: { matchLabels: { 'app.kubernetes.io/name': 'rollsafe-api' } } });
    // the commands exist once the image is built
    for (const d of ['Deployment/rollsafe-api', 'Deployment/rollsafe-worker']) {
      const command = field<string[] | undefined>(byKey.get(d), 'spec', 'template', 'spec', 'containers', 0, 'command') ?? [];
      const entry = command.find((arg) => arg.startsWith('dist/')) as string;
      expect(fs.existsSync(path.join(root, entry.replace(/^dist\//, '').replace(/\.js$/, '.ts')))).toBe(true);
    }
    expect(container.command[0]).toBe('node');
  });

  it('is judged by the scan: the same API without its preStop sleep is a finding', async () => {
    const broken = objects.map((o) => {
      const copy = JSON.parse(JSON.stringify(o)) as Obj & { spec?: { template?: { spec?: { containers?: Array<Record<string, unknown>> } } } };
      if (key(o) === 'Deployment/rollsafe-api') delete copy.spec?.template?.spec?.containers?.[0]?.['lifecycle'];
      return copy;
    });
    const { code, report } = await scan(broken.map((o) => dump(o)).join('---\n'), 'auto');
    expect(report.findings).toEqual([
      expect.objectContaining({ ruleId: 'prestop-hook-missing', resource: { kind: 'Deployment', namespace: 'rollsafe', name: 'rollsafe-api' } }),
    ]);
    expect(code).toBe(1);
  });

  it.each(['auto', ...PROVIDERS])("passes Rollsafe's own scan with no critical or warning finding (--provider %s)", async (provider) => {
    const { code, report } = await scan(rendered, provider);
    expect(report.findings).toEqual([]);
    expect(report.summary).toMatchObject({ critical: 0, warning: 0, info: 0 });
    expect(code).toBe(0);
  });
});
