import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, type CliRun } from './run-cli.js';

// Issue 12: --profile FILE (scan and simulate) and --kubernetes-version change verdicts and name
// themselves in the output; bad values are usage errors (exit 2).

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const recommended = path.join(root, 'examples', 'recommended.yaml');

function run(args: string[]): Promise<CliRun> {
  return runCli(args);
}

describe('--profile and --kubernetes-version', () => {
  let dir: string;
  let profile: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollsafe-profile-'));
    profile = path.join(dir, 'team.yaml');
    // The team measured 40 s for the CCM to take an ENI backend out: the 30 s preStop is too short.
    fs.writeFileSync(profile, 'overrides:\n  alibaba.clb.eni: {lbRemoveLatencySeconds: 40}\n');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('scan: the recommended example passes with the built-in rows and not with the measured latency; JSON names both', async () => {
    const builtIn = JSON.parse((await run(['scan', recommended, '--format', 'json'])).stdout);
    expect(builtIn.findings).toEqual([]);
    expect(builtIn.kubernetesVersion).toEqual({ version: '1.30', source: 'default' });
    expect(builtIn.profiles.overrides).toBeUndefined();
    const measured = await run(['scan', recommended, '--format', 'json', '--profile', profile, '--kubernetes-version', '1.29']);
    expect(measured.code).toBe(0);
    const report = JSON.parse(measured.stdout);
    expect(report.findings.map((f: { ruleId: string }) => f.ruleId)).toEqual(['prestop-sleep-too-short']);
    expect(report.findings[0].evidence).toMatchObject({ requiredSeconds: 46, profile: 'alibaba.clb.eni' });
    expect(report.kubernetesVersion).toEqual({ version: '1.29', source: 'flag' });
    expect(report.profiles.overrides).toBe(`profile file ${profile}`);
    // Below 1.30 the preStop fix is the exec form (the native sleep action is off by default).
    expect(report.findings[0].remediation.patch.spec.template.spec.containers[0].lifecycle.preStop).toEqual({ exec: { command: ['sleep', '46'] } });
  });

  it('simulate: the measured latency turns the same rollout into one that drops traffic', async () => {
    const safe = JSON.parse((await run(['simulate', recommended, '--format', 'json'])).stdout);
    expect(safe[0]).toMatchObject({ verdict: 'safe', parameters: { profile: 'alibaba.clb.eni', L: 11 } });
    const measured = await run(['simulate', recommended, '--format', 'json', '--profile', profile]);
    expect(measured.code).toBe(1);
    expect(JSON.parse(measured.stdout)[0]).toMatchObject({ verdict: 'drops', parameters: { L: 41 } });
  });

  it('refuses a missing file, an unknown row or field, and a version outside 1.24-1.36 (exit 2)', async () => {
    const bad = path.join(dir, 'bad.yaml');
    fs.writeFileSync(bad, 'overrides:\n  aws.nlb.magic: {lbRemoveLatencySeconds: 1}\n  aws: {latency: 3}\n');
    const unknown = await run(['scan', recommended, '--profile', bad]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown profile "aws\.nlb\.magic"/);
    expect(unknown.stderr).toMatch(/aws\.latency: not a profile field/);
    expect((await run(['scan', recommended, '--profile', path.join(dir, 'none.yaml')])).code).toBe(2);
    expect((await run(['simulate', recommended, '--profile', bad])).code).toBe(2);
    const version = await run(['scan', recommended, '--kubernetes-version', '1.12']);
    expect(version.code).toBe(2);
    expect(version.stderr).toMatch(/--kubernetes-version must be a version from 1.24 to 1.36/);
  });

  it('rollsafe profiles prints every row, with --profile values marked, and as JSON with sources and confidence', async () => {
    const text = await run(['profiles', '--profile', profile]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^alibaba\.clb\.eni +pod +api +40\* /m);
    expect(text.stdout).toMatch(/^aws\.lbc\.nlb\.ip +pod +api +30~ +90~ /m);
    const json = JSON.parse((await run(['profiles', '--format', 'json'])).stdout);
    expect(json.profiles).toHaveLength(22);
    expect(json.profiles.find((p: { id: string }) => p.id === 'azure.slb.local').drain).toMatchObject({ supported: false });
    expect(json.profiles[0].lbRemoveLatencySeconds).toMatchObject({ confidence: 'estimate', source: expect.stringContaining('ccm#412') });
  });
});
