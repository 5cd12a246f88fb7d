// `rollsafe simulate` and the verdicts of `rollsafe scan` on the seed's manifests
// (apps/cli/test/fixtures/seed; the figures are derived in libs/simulator/test/seed.spec.ts).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, type CliRun } from './run-cli.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const seed = (name: string): string => path.join(here, 'fixtures', 'seed', `${name}.yaml`);

function run(args: string[]): Promise<CliRun> {
  return runCli(args);
}

describe('rollsafe simulate', () => {
  it('prints the contract object with resolved parameters and their sources (json), exit 1 on drops', async () => {
    const { code, stdout } = await run(['simulate', seed('no-prestop'), '--format', 'json']);
    expect(code).toBe(1);
    const [sim] = JSON.parse(stdout);
    expect(sim.workload).toEqual({ kind: 'Deployment', namespace: 'shop', name: 'web' });
    expect(sim.service).toEqual({ namespace: 'shop', name: 'web', path: 'pod' });
    expect(sim.verdict).toBe('drops');
    // 11/3 + 5/2 + 6/3 + 5/2 + 6/3 (seed.spec.ts)
    expect(sim.droppedTrafficSeconds).toBe(12.667);
    expect(sim.parameters).toMatchObject({
      replicas: 3,
      nodes: 3,
      maxSurge: 1,
      maxUnavailable: 0,
      E: 2,
      L: 11,
      lbAdd: 17,
      P: 0,
      G: 30,
      drain: true,
      drainTimeout: 20,
    });
    expect(sim.parameterSources.L).toContain('alibaba.clb.eni');
    expect(sim.parameterSources.drain).toBe('manifest (Service annotation)');
    expect(sim.parameterSources.G).toBe('default');
    expect(sim.steps[0]).toEqual({ t: 0, event: 'scale-up', replicaSet: 'new', to: 1 });
    expect(sim.fixes[0].change).toBe('preStop sleep 16s and terminationGracePeriodSeconds 46');
    expect(sim.afterFixes.verdict).toBe('safe');
  });

  it('takes every timing from flags, named as flag in the sources', async () => {
    // --lb-removal 5: the SLB lets go at d + 5. Windows [12,17) 1/3, [24,29) 1/2 (new-1 joins
    // the SLB at 12+17 = 29), [36,41) 1/2 (new-2 joins at 41): 5/3 + 2.5 + 2.5 = 6.667.
    const { code, stdout } = await run(['simulate', seed('no-prestop'), '--format', 'json', '--lb-removal', '5']);
    expect(code).toBe(1);
    const [sim] = JSON.parse(stdout);
    expect(sim.parameters.L).toBe(5);
    expect(sim.parameterSources.L).toBe('flag');
    expect(sim.droppedTrafficSeconds).toBe(6.667);
  });

  it('Kubernetes version and --in-place change the Local verdicts', async () => {
    expect((await run(['simulate', seed('local-default-strategy'), '--kubernetes-version', '1.30'])).code).toBe(0);
    const old = await run(['simulate', seed('local-default-strategy'), '--kubernetes-version', '1.25']);
    expect(old.code).toBe(1);
    expect(old.stdout).toContain('DROPS 5 s of traffic');
    expect(old.stdout).toContain('26-32 s        node-without-endpoint    33.3 % of traffic  (node node-2, pod web-old-2)');
    expect((await run(['simulate', seed('cure-local-in-place'), '--in-place', '--kubernetes-version', '1.25'])).code).toBe(0);
  });

  it('the cures are safe (exit 0)', async () => {
    const eni = await run(['simulate', seed('cure-eni')]);
    expect(eni.code).toBe(0);
    expect(eni.stdout).toContain('SAFE');
    expect(eni.stdout).toContain('0 of 1 simulated Service rollout(s) drop traffic');
  });

  it('draws one simulation as SVG', async () => {
    const { code, stdout } = await run(['simulate', seed('local-default-strategy'), '--kubernetes-version', '1.25', '--format', 'svg']);
    expect(code).toBe(1);
    expect(stdout.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(stdout).toContain('data-cause="node-without-endpoint"');
    expect(stdout).not.toContain('<script');
  });

  it('rejects bad flags with exit 2', async () => {
    expect((await run(['simulate', seed('cure-eni'), '--drain', 'maybe'])).code).toBe(2);
    expect((await run(['simulate', seed('cure-eni'), '--format', 'sarif'])).code).toBe(2);
    expect((await run(['simulate', seed('cure-eni'), '--nodes', '0'])).code).toBe(2);
    expect((await run(['simulate'])).code).toBe(2);
    const missing = await run(['simulate', seed('cure-eni'), '--workload', 'shop/nope']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nothing to simulate');
  });

  it('--drain off turns the ENI cure into connections cut', async () => {
    const { code, stdout } = await run(['simulate', seed('cure-eni'), '--drain', 'off', '--format', 'json']);
    expect(code).toBe(1);
    const [sim] = JSON.parse(stdout);
    expect(sim.windows.filter((w: { cause: string }) => w.cause === 'connections-cut').map((w: { start: number }) => w.start)).toEqual([23, 35, 47]);
  });
});

describe('rollsafe scan verdicts', () => {
  it('prints the verdicts before the findings', async () => {
    const { stdout } = await run(['scan', seed('no-readiness-probe'), '--fail-on', 'none']);
    expect(stdout.startsWith('1 of 1 Service drop traffic on rollout\n')).toBe(true);
    expect(stdout.indexOf('drop traffic on rollout')).toBeLessThan(stdout.indexOf('readiness-probe-missing ['));
    // From 8 to 12 s no pod the path sends to serves (old-3 left at 8, new-1 serves at 12): a capacity dip with no backend.
    expect(stdout).toContain('Service shop/web (cluster): 8 s of traffic lost (not-ready-endpoint, capacity-dip) [readiness-probe-missing]');
  });

  it('includes verdicts in JSON, tied to the findings that explain them', async () => {
    const { stdout } = await run(['scan', seed('no-readiness-probe'), '--format', 'json', '--fail-on', 'none']);
    const report = JSON.parse(stdout);
    expect(report.verdictSummary).toEqual({ services: 1, drops: 1, safe: 0, unknown: 0 });
    const [verdict] = report.verdicts;
    expect(verdict.verdict).toBe('drops');
    expect(verdict.ruleIds).toEqual(['readiness-probe-missing']);
    const finding = report.findings.find((f: { ruleId: string }) => f.ruleId === 'readiness-probe-missing');
    expect(verdict.findings).toEqual([finding.fingerprint]);
  });

  it('--fail-on drops gates on the verdicts', async () => {
    expect((await run(['scan', seed('cure-eni'), '--fail-on', 'drops'])).code).toBe(0);
    expect((await run(['scan', seed('connections-cut'), '--fail-on', 'drops'])).code).toBe(1);
  });
});
