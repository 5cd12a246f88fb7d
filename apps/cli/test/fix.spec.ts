import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { validatePatchedObject } from '#rollsafe/advisor';
import { runCli, type CliRun } from './run-cli.js';

function run(args: string[], cwd: string, stdin = ''): Promise<CliRun> {
  return runCli(args, { cwd, stdin });
}

const WEB = `# The shop front end. Owned by team-web.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 3 # scaled by hand for now
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: app # the main container
          image: registry.example.com/web:1.4.2
          ports:
            - name: http
              containerPort: 8080
          livenessProbe:
            httpGet: {path: /healthz, port: http}
        - name: log-shipper
          image: fluent-bit
---
# The public entry point.
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  type: LoadBalancer   # behind the cloud load balancer
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
---
# Untouched: a ConfigMap with odd formatting stays byte for byte.
apiVersion:   v1
kind: ConfigMap
metadata: { name: web-config ,  namespace: shop }
data:
  greeting: "hello"   # quoted on purpose
`;

const LIST = `apiVersion: v1
kind: List
items:
  - apiVersion: apps/v1
    kind: Deployment
    metadata: {name: api, namespace: shop}
    spec:
      replicas: 2
      strategy: {type: Recreate}
      selector: {matchLabels: {app: api}}
      template:
        metadata: {labels: {app: api}}
        spec:
          containers:
            - name: api
              ports: [{containerPort: 9000}]
              readinessProbe: {tcpSocket: {port: 9000}}
              lifecycle: {preStop: {sleep: {seconds: 20}}}
          terminationGracePeriodSeconds: 60
          topologySpreadConstraints:
            - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: api}}}
  - apiVersion: v1
    kind: Service
    metadata: {name: api, namespace: shop}
    spec: {selector: {app: api}, ports: [{port: 80, targetPort: 9000}]}
  - apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata: {name: api, namespace: shop}
    spec: {minAvailable: 2, selector: {matchLabels: {app: api}}}
`;

const BROKEN = `apiVersion: v1
kind: Service
metadata: {name: broken
spec: [
`;

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollsafe-fix-'));
  fs.mkdirSync(path.join(dir, 'k8s'));
  fs.writeFileSync(path.join(dir, 'k8s', 'web.yaml'), WEB);
  fs.writeFileSync(path.join(dir, 'k8s', 'list.yaml'), LIST);
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const read = (...parts: string[]): string => fs.readFileSync(path.join(dir, ...parts), 'utf8');
const commentLines = (text: string): string[] =>
  text
    .split('\n')
    .filter((line) => line.includes('#'))
    .map((line) => line.slice(line.indexOf('#')).trim())
    .sort();

function objects(text: string): Map<string, unknown> {
  const map = new Map<string, unknown>();
  for (const doc of parseAllDocuments(text)) {
    const value = doc.toJS() as { kind?: string; items?: unknown[]; metadata?: { namespace?: string; name?: string } } | null;
    for (const item of (value?.kind === 'List' ? value.items : [value]) as Array<typeof value>) {
      if (item?.kind) map.set(`${item.kind}/${item.metadata?.namespace ?? 'default'}/${item.metadata?.name ?? ''}`, item);
    }
  }
  return map;
}

async function scanJson(target: string): Promise<{ findings: Array<{ ruleId: string; severity: string; fingerprint: string; container?: string }> }> {
  return JSON.parse((await run(['scan', path.join(dir, target), '--format', 'json', '--fail-on', 'none'], dir)).stdout);
}

describe('rollsafe fix', () => {
  it('writes every file under --out, patching only what needs no decision, keeping comments, key order and untouched documents', async () => {
    const before = await scanJson('k8s');
    const result = await run(['fix', 'k8s', '--out', 'fixed'], dir);
    expect(result.stderr).toBe('');
    const web = read('fixed', 'k8s', 'web.yaml');

    // The ConfigMap document and the Service's comments are byte for byte.
    expect(web).toContain(WEB.slice(WEB.indexOf('# Untouched')));
    expect(commentLines(web)).toEqual(commentLines(WEB));
    // Key order of the patched Deployment is kept; new keys come after.
    const deployment = objects(web).get('Deployment/shop/web') as { spec: { template: { spec: { containers: Array<Record<string, unknown>> } } } };
    expect(Object.keys(deployment.spec.template.spec.containers[0] ?? {})).toEqual(['name', 'image', 'ports', 'livenessProbe', 'lifecycle', 'readinessProbe']);
    // The readiness probe is a TCP check of the serving port, never an invented path, and not the liveness handler.
    expect(deployment.spec.template.spec.containers[0]?.['readinessProbe']).toEqual({ tcpSocket: { port: 'http' }, periodSeconds: 5, failureThreshold: 3 });
    expect(deployment.spec.template.spec.containers[1]).toEqual({ name: 'log-shipper', image: 'fluent-bit' });
    // A PodDisruptionBudget is added as a new document after the Deployment.
    expect(objects(web).get('PodDisruptionBudget/shop/web')).toEqual({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'web' } }, unhealthyPodEvictionPolicy: 'AlwaysAllow' },
    });
    // Every patched object is valid.
    const original = objects(WEB);
    for (const [key, value] of objects(web)) if (original.has(key)) expect(validatePatchedObject(original.get(key), value)).toEqual([]);

    // The report says what changed and what was left, and why.
    expect(result.stdout).toMatch(/^provider: none found: provider rules skipped \(lb-connection-drain-off\)$/m);
    expect(result.stdout).toMatch(/^fixed {2}k8s\/web\.yaml:2 {2}Deployment shop\/web \[app\] readiness-probe-missing: /m);
    expect(result.stdout).toMatch(/^left {3}.*external-traffic-policy-cluster \(info\): the load balancer mode /m);
    expect(result.stdout).not.toMatch(/^NEW/m);

    // The result scans without the fixed findings and with nothing new.
    const after = await scanJson('fixed/k8s');
    const known = new Set(before.findings.map((f) => f.fingerprint));
    expect(after.findings.filter((f) => !known.has(f.fingerprint))).toEqual([]);
    expect(after.findings.filter((f) => f.severity === 'critical')).toEqual([]);
    // The input is untouched.
    expect(read('k8s', 'web.yaml')).toBe(WEB);
  });

  it('patches items of a kind: List, switches a PDB from minAvailable to maxUnavailable, and leaves decisions', async () => {
    const result = await run(['fix', 'k8s/list.yaml', '--out', 'out'], dir);
    const list = read('out', 'k8s', 'list.yaml');
    const patched = objects(list);
    expect((patched.get('Deployment/shop/api') as { spec: { strategy: unknown } }).spec.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
    });
    expect((patched.get('PodDisruptionBudget/shop/api') as { spec: unknown }).spec).toEqual({ selector: { matchLabels: { app: 'api' } }, maxUnavailable: 1 });
    expect(result.stdout).toContain('recreate-strategy: Roll pods one at a time');
    expect(result.code).toBe(0);
  });

  it('reads - from stdin and writes the patched manifests to stdout, the report to stderr', async () => {
    const result = await run(['fix', '-'], dir, WEB);
    expect(result.code).toBe(0);
    expect(objects(result.stdout).get('PodDisruptionBudget/shop/web')).toBeDefined();
    expect(result.stdout).toContain(WEB.slice(WEB.indexOf('# Untouched')));
    expect(result.stderr).toMatch(/fix\(es\) applied in 1 file\(s\)/);
  });

  it('--in-place rewrites only changed files; --rules limits the fixes to those rules', async () => {
    fs.writeFileSync(path.join(dir, 'k8s', 'config.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n');
    const stat = fs.statSync(path.join(dir, 'k8s', 'config.yaml')).mtimeMs;
    const result = await run(['fix', 'k8s', '--in-place', '--rules', 'prestop-hook-missing'], dir);
    expect(result.stdout).toMatch(/^fixed .* prestop-hook-missing: /m);
    expect(result.stdout).not.toMatch(/readiness-probe-missing|pdb-missing/);
    const web = objects(read('k8s', 'web.yaml')).get('Deployment/shop/web') as {
      spec: { template: { spec: { terminationGracePeriodSeconds: number; containers: Array<Record<string, unknown>> } } };
    };
    expect(web.spec.template.spec.containers[0]?.['lifecycle']).toEqual({ preStop: { sleep: { seconds: 15 } } });
    expect(web.spec.template.spec.containers[0]?.['readinessProbe']).toBeUndefined();
    expect(web.spec.template.spec.terminationGracePeriodSeconds).toBe(45);
    expect(fs.statSync(path.join(dir, 'k8s', 'config.yaml')).mtimeMs).toBe(stat);
    // What is left still reaches --fail-on critical (the readiness probe was not in --rules).
    expect(result.code).toBe(1);
  });

  it('patches JSON files as JSON', async () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'j', namespace: 'shop' },
      spec: { template: { metadata: { labels: { app: 'j' } }, spec: { containers: [{ name: 'j', ports: [{ containerPort: 80 }] }] } } },
    };
    const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'j', namespace: 'shop' }, spec: { selector: { app: 'j' }, ports: [{ port: 80 }] } };
    fs.writeFileSync(path.join(dir, 'k8s', 'j.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [deployment, service] }, null, 2) + '\n');
    await run(['fix', 'k8s/j.json', '--out', 'o'], dir);
    const out = JSON.parse(read('o', 'k8s', 'j.json')) as { items: Array<{ spec: { template: { spec: { containers: Array<Record<string, unknown>> } } } }> };
    expect(out.items[0]?.spec.template.spec.containers[0]?.['readinessProbe']).toEqual({ tcpSocket: { port: 80 }, periodSeconds: 5, failureThreshold: 3 });
  });

  it('exits 2 on usage errors and on a file that does not parse (the others are still fixed)', async () => {
    expect((await run(['fix', 'k8s'], dir)).code).toBe(2);
    expect((await run(['fix', 'k8s', '--out', 'x', '--in-place'], dir)).code).toBe(2);
    expect((await run(['fix', 'k8s', '--out', 'x', '--rules', 'no-such-rule'], dir)).stderr).toContain('unknown rule id(s): no-such-rule');
    expect((await run(['fix', '-', '--out', 'x'], dir)).code).toBe(2);
    fs.writeFileSync(path.join(dir, 'k8s', 'broken.yaml'), BROKEN);
    const result = await run(['fix', 'k8s', '--out', 'o'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('broken.yaml');
    expect(objects(read('o', 'k8s', 'web.yaml')).get('PodDisruptionBudget/shop/web')).toBeDefined();
  });
});

describe('rollsafe fix keeps the lines of a patched document it does not change', () => {
  it.each([
    ['2-space indents, indented sequences', 2, true],
    ['2-space indents, unindented sequences (kubectl, kustomize)', 2, false],
  ])('%s', async (_name, width, indentSeq) => {
    const pad = (n: number): string => ' '.repeat(n * width);
    const dash = (n: number): string => (indentSeq ? pad(n + 1) : pad(n)) + '- ';
    const argsDash = `${pad(3)}${indentSeq ? pad(1) : ''}  ${indentSeq ? pad(1) : ''}`;
    const source = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      `${pad(1)}name: api`,
      `${pad(1)}namespace: shop`,
      'spec:',
      `${pad(1)}replicas: 2    # two, by hand`,
      '',
      `${pad(1)}template:`,
      `${pad(2)}metadata: {labels: {app: api}}`,
      `${pad(2)}spec:`,
      `${pad(3)}containers:`,
      `${dash(3)}name: api`,
      `${pad(3)}${indentSeq ? pad(1) : ''}  args:`,
      `${argsDash}- --message=a long flag value`,
      `${' '.repeat(argsDash.length + 2)}folded onto a second line`,
      `${pad(3)}${indentSeq ? pad(1) : ''}  ports: [ {containerPort: 9000} ]`,
      '---',
      'apiVersion: v1',
      'kind: Service',
      'metadata: {name: api, namespace: shop}',
      'spec: {type: LoadBalancer, selector: {app: api}, ports: [{port: 80, targetPort: 9000}]}',
      '',
    ].join('\n');
    fs.writeFileSync(path.join(dir, 'k8s', 'styled.yaml'), source);
    const result = await run(['fix', 'k8s/styled.yaml', '--out', 'o', '--rules', 'readiness-probe-missing'], dir);
    expect(result.stdout).toMatch(/^fixed .* readiness-probe-missing: /m);
    const out = read('o', 'k8s', 'styled.yaml');
    // Only lines are added: every source line is still there, in order, as written.
    const lines = out.split('\n');
    let at = 0;
    for (const line of source.split('\n')) {
      at = lines.indexOf(line, at);
      expect([line, at >= 0]).toEqual([line, true]);
      at++;
    }
    expect(lines.length - source.split('\n').length).toBe(5);
    const api = objects(out).get('Deployment/shop/api') as { spec: { template: { spec: { containers: Array<Record<string, unknown>> } } } };
    expect(api.spec.template.spec.containers[0]?.['readinessProbe']).toEqual({ tcpSocket: { port: 9000 }, periodSeconds: 5, failureThreshold: 3 });
    expect(api.spec.template.spec.containers[0]?.['args']).toEqual(['--message=a long flag value folded onto a second line']);
  });
});

describe('rollsafe fix on imperfect files', () => {
  it('fixes the good documents of a file with a broken one (copied as it was), and a document with a duplicate key (the last wins)', async () => {
    const broken = `apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  replicas: 2
  replicas: 3
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: api, ports: [{containerPort: 9000}]}]
---
apiVersion: v1
kind: Service
metadata: {name: broken
spec: [
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec: {type: LoadBalancer, selector: {app: api}, ports: [{port: 80, targetPort: 9000}]}
`;
    fs.writeFileSync(path.join(dir, 'k8s', 'broken.yaml'), broken);
    const result = await run(['fix', 'k8s/broken.yaml', '--out', 'o'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/broken\.yaml:\d+:\d+: .*document that starts at line 12/);
    const out = read('o', 'k8s', 'broken.yaml');
    // The broken document and the Service are copied byte for byte; both replicas lines stay.
    expect(out).toContain(broken.slice(broken.indexOf('---\napiVersion: v1\nkind: Service\nmetadata: {name: broken')));
    expect(out).toContain('  replicas: 2\n  replicas: 3\n');
    expect(out).toContain('readinessProbe: {tcpSocket: {port: 9000}, periodSeconds: 5, failureThreshold: 3}');
    // The PodDisruptionBudget counts the 3 replicas the last key gives.
    expect(result.stdout).toMatch(/^fixed .* pdb-missing: /m);
  });
});

describe('provider and SARIF fixes', () => {
  it('names the provider and its source in text, JSON and SARIF, and SARIF results carry the fix', async () => {
    fs.writeFileSync(
      path.join(dir, 'k8s', 'svc.yaml'),
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: api\n  namespace: shop\n  annotations:\n    service.beta.kubernetes.io/aws-load-balancer-connection-draining-enabled: "false"\nspec:\n  type: LoadBalancer\n  selector: {app: api}\n  ports: [{port: 80}]\n',
    );
    const text = await run(['scan', path.join(dir, 'k8s'), '--fail-on', 'none'], dir);
    expect(text.stdout).toMatch(/^provider: aws \(from Service annotations\)$/m);
    const flagged = JSON.parse((await run(['scan', path.join(dir, 'k8s'), '--format', 'json', '--provider', 'alibaba'], dir)).stdout);
    expect(flagged.provider).toEqual({ name: 'alibaba', source: 'flag', skippedRules: [] });

    const sarif = JSON.parse((await run(['scan', path.join(dir, 'k8s'), '--format', 'sarif'], dir)).stdout);
    expect(sarif.runs[0].properties.provider).toEqual({ name: 'aws', source: 'annotations', skippedRules: [] });
    const drain = sarif.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'lb-connection-drain-off');
    expect(drain.fixes[0].artifactChanges[0]).toEqual({
      artifactLocation: { uri: 'k8s/svc.yaml', uriBaseId: '%SRCROOT%' },
      replacements: [
        {
          deletedRegion: { startLine: 7, startColumn: 1, endLine: 8, endColumn: 1 },
          insertedContent: {
            text: '    service.beta.kubernetes.io/aws-load-balancer-connection-draining-enabled: "true"\n    service.beta.kubernetes.io/aws-load-balancer-connection-draining-timeout: "30"\n',
          },
        },
      ],
    });
    expect(drain.properties.patch.target).toEqual({ kind: 'Service', namespace: 'shop', name: 'api' });
    const decision = sarif.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'external-traffic-policy-cluster');
    expect(decision.fixes).toBeUndefined();
    expect(decision.properties.needsDecision).toMatch(/network choice/);
  });
});
