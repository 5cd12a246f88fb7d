import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeKubeApiServer, kubeScenarios } from '#rollsafe/testing';
import { runCli, root, type CliRun } from './run-cli.js';

// `rollsafe scan --kubeconfig` end to end against libs/testing's fake kube-apiserver.

function run(args: string[]): Promise<CliRun> {
  return runCli(args);
}

describe('rollsafe scan --kubeconfig', () => {
  const scenario = kubeScenarios.smallAlibabaTerway();
  let server: FakeKubeApiServer;
  let dir: string;
  let kubeconfig: string;

  beforeAll(async () => {
    server = await FakeKubeApiServer.start({ scenario });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollsafe-cli-'));
    kubeconfig = path.join(dir, 'config');
    fs.writeFileSync(kubeconfig, server.kubeconfig({ auth: 'token', contextName: 'fake' }));
  });
  afterAll(async () => {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => server.clearRequests());

  // The suite's first run loads the Kubernetes client cold under jest's VM modules: 0.6 s when
  // quiet, over 5 s when CI runs three projects on two cores.
  it('scans the cluster with GETs only and prints the manifest JSON contract with live findings', async () => {
    const { code, stdout, stderr } = await run(['scan', '--kubeconfig', kubeconfig, '--format', 'json']);
    expect(stderr).toBe('');
    const report = JSON.parse(stdout);
    expect(Object.keys(report).sort()).toEqual([
      'errors',
      'findings',
      'kubernetesVersion',
      'notEvaluated',
      'profiles',
      'provider',
      'summary',
      'verdictSummary',
      'verdicts',
      'warnings',
    ]);
    const fired = new Set(report.findings.map((f: { ruleId: string }) => f.ruleId));
    for (const rule of scenario.expected.firingLiveRules) expect(fired).toContain(rule);
    expect(report.notEvaluated).toEqual([]);
    expect(report.provider).toEqual({ name: 'alibaba', source: 'nodes', skippedRules: [] });
    expect(code).toBe(report.summary.critical > 0 ? 1 : 0);
    expect(server.requests.length).toBeGreaterThan(0);
    expect(server.requests.every((r) => r.method === 'GET')).toBe(true);
  }, 30_000);

  it('judges node load-balancer attachments against --slb-quota (default 50)', async () => {
    const quotaSeverities = async (extra: string[]): Promise<string[]> => {
      const { stdout } = await run(['scan', '--kubeconfig', kubeconfig, '--format', 'json', ...extra]);
      const findings = JSON.parse(stdout).findings as Array<{ ruleId: string; severity: string }>;
      return [...new Set(findings.filter((f) => f.ruleId === 'slb-quota-per-node').map((f) => f.severity))];
    };
    expect(await quotaSeverities([])).toEqual(['warning']);
    expect(await quotaSeverities(['--slb-quota', '40'])).toEqual(['critical']);
    expect(await quotaSeverities(['--slb-quota', '100'])).toEqual([]);
  });

  it('prints text with the cluster as the scope, and SARIF', async () => {
    const text = await run(['scan', '--kubeconfig', kubeconfig, '--context', 'fake', '--fail-on', 'none']);
    expect(text.code).toBe(0);
    expect(text.stdout.trimEnd().split('\n').pop()).toMatch(new RegExp(`resource\\(s\\) in cluster fake \\(${server.url.replace(/\./g, '\\.')}\\)$`));
    const sarif = JSON.parse((await run(['scan', '--kubeconfig', kubeconfig, '--format', 'sarif'])).stdout);
    expect(sarif.runs[0].results.length).toBeGreaterThan(0);
    // no file in a cluster: every result is located by its object (kind/namespace/name[/container])
    for (const result of sarif.runs[0].results) {
      const { resource, container } = result.properties;
      expect(result.locations).toEqual([
        {
          logicalLocations: [
            {
              name: resource.name,
              fullyQualifiedName: [resource.kind, resource.namespace, resource.name, container].filter(Boolean).join('/'),
              kind: 'resource',
            },
          ],
        },
      ]);
    }
    expect(sarif.runs[0].results.some((r: { properties: { resource: { kind: string } } }) => r.properties.resource.kind === 'Node')).toBe(true);
  });

  it('exits 2 with CLUSTER_UNREACHABLE and the reason when nothing listens', async () => {
    const stopped = await FakeKubeApiServer.start({ scenario });
    const file = path.join(dir, 'stopped');
    fs.writeFileSync(file, stopped.kubeconfig({ auth: 'token' }));
    await stopped.stop();
    const { code, stdout, stderr } = await run(['scan', '--kubeconfig', file]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^rollsafe: error: CLUSTER_UNREACHABLE: cannot reach https:\/\/127\.0\.0\.1:\d+: ECONNREFUSED\n$/);
  }, 20_000);

  it('exits 2 with KUBECONFIG_INVALID for a missing file, a bad file, or an unknown context', async () => {
    const missing = await run(['scan', '--kubeconfig', path.join(dir, 'nope')]);
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining('KUBECONFIG_INVALID: kubeconfig: cannot read')]);
    const bad = path.join(dir, 'bad');
    fs.writeFileSync(bad, 'clusters: [ {name: x}\n');
    expect((await run(['scan', '--kubeconfig', bad])).stderr).toContain('KUBECONFIG_INVALID');
    const context = await run(['scan', '--kubeconfig', kubeconfig, '--context', 'staging']);
    expect([context.code, context.stderr]).toEqual([2, expect.stringContaining('context "staging" is not defined')]);
  });

  it('refuses mixing PATHs with --kubeconfig, and --context alone (usage, exit 2)', async () => {
    expect((await run(['scan', 'deploy/', '--kubeconfig', kubeconfig])).code).toBe(2);
    expect((await run(['scan', '--context', 'fake'])).stderr).toContain('--context needs --kubeconfig');
  });

  it('passes its own rules on deploy/ (the reader RBAC)', async () => {
    const { code, stdout } = await run(['scan', path.join(root, 'deploy'), '--format', 'json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ findings: [], errors: [], warnings: [] });
  });
});
