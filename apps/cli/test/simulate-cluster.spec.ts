import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeKubeApiServer, kubeScenarios } from '#rollsafe/testing';
import { runCli, type CliRun } from './run-cli.js';

// `rollsafe simulate --kubeconfig` and the verdicts of `rollsafe scan --kubeconfig` against
// libs/testing's fake kube-apiserver: the cluster's real pods and nodes drive the simulation.

function run(args: string[]): Promise<CliRun> {
  return runCli(args);
}

describe('rollsafe simulate --kubeconfig', () => {
  const scenario = kubeScenarios.smallAlibabaTerway();
  let server: FakeKubeApiServer;
  let dir: string;
  let kubeconfig: string;

  beforeAll(async () => {
    server = await FakeKubeApiServer.start({ scenario });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollsafe-sim-'));
    kubeconfig = path.join(dir, 'config');
    fs.writeFileSync(kubeconfig, server.kubeconfig({ auth: 'token', contextName: 'fake' }));
  });
  afterAll(async () => {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // The suite's first run loads the Kubernetes client cold under jest's VM modules: 0.6 s when
  // quiet, over 5 s when CI runs three projects on two cores.
  it('simulates every Service of the cluster from its pods and nodes, reading with GETs only', async () => {
    const { code, stdout, stderr } = await run(['simulate', '--kubeconfig', kubeconfig, '--format', 'json']);
    expect(stderr).toBe('');
    expect([0, 1]).toContain(code);
    const runs = JSON.parse(stdout) as Array<{ verdict: string; parameterSources?: Record<string, string>; parameters?: { nodes: number } }>;
    expect(runs.length).toBeGreaterThan(0);
    const simulated = runs.filter((r) => r.verdict !== 'unknown');
    expect(simulated.length).toBeGreaterThan(0);
    for (const r of simulated) {
      expect(r.parameterSources?.['nodes']).toBe('cluster');
      expect(r.parameterSources?.['kubernetesVersion']).toBe('cluster');
    }
    expect(code).toBe(simulated.some((r) => r.verdict === 'drops') ? 1 : 0);
    expect(server.requests.every((r) => r.method === 'GET')).toBe(true);
  }, 30_000);

  it('scan --kubeconfig carries the verdicts of its LoadBalancer Services', async () => {
    const { stdout } = await run(['scan', '--kubeconfig', kubeconfig, '--format', 'json', '--fail-on', 'none']);
    const report = JSON.parse(stdout);
    expect(report.verdictSummary.services).toBe(report.verdicts.length);
    expect(report.verdicts.every((v: { service: { type: string } }) => v.service.type === 'LoadBalancer')).toBe(true);
  });
});
