// RULES.md, "Edge cases, settled" (issue 9, the parser part): a duplicated key is a warning (the
// last value wins, as with kubectl) and a broken document fails alone, at the CLI's surface.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli, type CliRun } from './run-cli.js';

function run(args: string[], cwd: string): Promise<CliRun> {
  return runCli(args, { cwd });
}

const workload = (name: string): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: shop
spec:
  replicas: 2
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
        - name: app
          image: registry.example.com/${name}:1.0
          ports: [{name: http, containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: shop
spec:
  type: LoadBalancer
  selector: {app: ${name}}
  ports: [{port: 80, targetPort: http}]
`;

describe('scan: duplicate keys and broken documents', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollsafe-parse-'));
    const configMap =
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: shop\ndata:\n  LOG_LEVEL: info\n  TIMEOUT: "5"\n  LOG_LEVEL: debug\n';
    const workloads = Array.from({ length: 11 }, (_, i) => workload(`app-${i}`));
    fs.writeFileSync(path.join(dir, 'release.yaml'), [configMap, ...workloads].join('---\n'));
    fs.writeFileSync(path.join(dir, 'mixed.yaml'), [workload('before'), 'kind: Service\nmetadata:\n  name: [unclosed\n', workload('after')].join('---\n'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('judges every workload of a file whose ConfigMap repeats a key, and warns with file, line and key (exit by findings, not 2)', async () => {
    const { code, stdout, stderr } = await run(['scan', path.join(dir, 'release.yaml'), '--format', 'json'], dir);
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as { findings: { resource: { name: string } }[]; errors: unknown[]; summary: { skipped: number } };
    expect(report.errors).toEqual([]);
    expect(new Set(report.findings.map((f) => f.resource.name)).size).toBe(11);
    expect(report.summary.skipped).toBe(0);
    expect(stderr).toContain(`rollsafe: warning: ${path.join(dir, 'release.yaml')}:9: duplicate key "LOG_LEVEL": the last value wins`);
  });

  it('judges the good documents of a file with a broken one, and names the broken one with file, line and column (exit 2)', async () => {
    const { code, stdout, stderr } = await run(['scan', path.join(dir, 'mixed.yaml'), '--format', 'json'], dir);
    expect(code).toBe(2);
    const report = JSON.parse(stdout) as { findings: { resource: { name: string } }[]; errors: { file: string; line: number; column: number }[] };
    expect(new Set(report.findings.map((f) => f.resource.name))).toEqual(new Set(['before', 'after']));
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toMatchObject({ file: path.join(dir, 'mixed.yaml') });
    expect(stderr).toMatch(/rollsafe: error: \S*mixed\.yaml:\d+:\d+: .*\(in the document that starts at line 27\)/);
  });
});
