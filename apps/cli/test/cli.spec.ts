import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RULES, SCAN_INLINING_BUDGET, SCAN_INTERRUPT_BUDGET } from '#rollsafe/advisor';
import { codeCacheRejected } from './code-cache-check.js';
import { runCli, root, type CliRun } from './run-cli.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = (name: string): string => path.join(here, 'fixtures', name);
const recommended = path.join(root, 'examples', 'recommended.yaml');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], stdin = ''): Promise<CliRun> {
  return runCli(args, { stdin });
}

describe('rollsafe scan', () => {
  it('passes the recommended configuration with no warning or critical (exit 0)', async () => {
    const { code, stdout } = await run(['scan', recommended, '--format', 'json']);
    const report = JSON.parse(stdout);
    expect(code).toBe(0);
    expect(report.summary).toMatchObject({ critical: 0, warning: 0 });
    expect(report.summary.notEvaluated).toBeGreaterThan(0);
  });

  it('exits 1 when a finding reaches --fail-on (critical by default) and 0 with --fail-on none', async () => {
    expect((await run(['scan', fixture('unsafe.yaml')])).code).toBe(1);
    expect((await run(['scan', fixture('unsafe.yaml'), '--fail-on', 'none'])).code).toBe(0);
  });

  it('lets warnings pass by default and fail with --fail-on warning', async () => {
    const byDefault = await run(['scan', fixture('warnings-only.yaml'), '--format', 'json']);
    expect(JSON.parse(byDefault.stdout).summary.critical).toBe(0);
    expect(JSON.parse(byDefault.stdout).summary.warning).toBeGreaterThan(0);
    expect(byDefault.code).toBe(0);
    expect((await run(['scan', fixture('warnings-only.yaml'), '--fail-on', 'warning'])).code).toBe(1);
  });

  it('prints the JSON contract: findings with resource, message, evidence, remediation, docs, location', async () => {
    const { stdout } = await run(['scan', fixture('unsafe.yaml'), '--format', 'json']);
    const report = JSON.parse(stdout);
    const finding = report.findings.find((f: { ruleId: string }) => f.ruleId === 'readiness-probe-missing');
    expect(finding).toMatchObject({
      ruleId: 'readiness-probe-missing',
      severity: 'critical',
      resource: { kind: 'Deployment', namespace: 'shop', name: 'web' },
      container: 'app',
      location: { file: fixture('unsafe.yaml'), line: 1 },
    });
    expect(finding.message).toContain('shop/web');
    expect(finding.remediation.yaml).toContain('readinessProbe:');
    expect(finding.docs).toMatch(/docs\/rules\/readiness-probe-missing\.md$/);
    expect(Object.keys(report.summary).sort()).toEqual(['critical', 'info', 'notEvaluated', 'skipped', 'suppressed', 'warning']);
  });

  it('prints SARIF 2.1.0 with rule help and results that point at file and line', async () => {
    const { stdout } = await run(['scan', fixture('unsafe.yaml'), '--format', 'sarif']);
    const sarif = JSON.parse(stdout);
    expect(sarif.version).toBe('2.1.0');
    const driver = sarif.runs[0].tool.driver;
    expect(driver.name).toBe('Rollsafe');
    expect(driver.rules).toHaveLength(RULES.length);
    expect(RULES).toHaveLength(36);
    for (const rule of driver.rules) {
      expect(rule.help.text.length).toBeGreaterThan(20);
      expect(rule.helpUri).toContain(rule.id);
    }
    const service = sarif.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'external-traffic-policy-cluster');
    expect(service.level).toBe('note');
    expect(service.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'apps/cli/test/fixtures/unsafe.yaml', uriBaseId: '%SRCROOT%' },
      region: { startLine: 19 },
    });
    expect(driver.rules[service.ruleIndex].id).toBe('external-traffic-policy-cluster');
  });

  it('groups text output by resource and ends with a one-line summary', async () => {
    const { stdout } = await run(['scan', fixture('unsafe.yaml')]);
    const lines = stdout.trimEnd().split('\n');
    // The rollout verdicts come first (apps/cli/test/simulate.spec.ts), then a blank line.
    expect(lines[0]).toBe('1 of 1 Service drop traffic on rollout');
    expect(lines[lines.indexOf('') + 1]).toBe(`Deployment shop/web  ${fixture('unsafe.yaml')}:1`);
    expect(stdout).toContain(`Service shop/web  ${fixture('unsafe.yaml')}:19`);
    // 10 live rules, and lb-connection-drain-off: no provider was named or found.
    expect(lines[lines.length - 1]).toMatch(/^2 critical, \d+ warning, \d+ info, 0 suppressed, 11 not evaluated .*: 2 resource\(s\) in 1 file\(s\)$/);
    expect(lines[lines.length - 2]).toBe('provider: none found: provider rules skipped (lb-connection-drain-off)');
    expect(stdout).not.toContain('\u001b[');
  });

  it('reads stdin with -', async () => {
    const { code, stdout } = await run(['scan', '-', '--format', 'json'], fs.readFileSync(fixture('unsafe.yaml'), 'utf8'));
    expect(code).toBe(1);
    expect(JSON.parse(stdout).findings[0].location.file).toBe('-');
  });

  it('reports a parse error with file, line and column, still reports the other files, and exits 2', async () => {
    const { code, stdout, stderr } = await run(['scan', fixture('broken.yaml'), fixture('unsafe.yaml'), '--format', 'json']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/broken\.yaml:[34]:\d+: /);
    const report = JSON.parse(stdout);
    expect(report.errors).toHaveLength(1);
    expect(report.findings.length).toBeGreaterThan(0);
  });

  it('reports a missing path as an input error (exit 2)', async () => {
    const { code, stderr } = await run(['scan', fixture('does-not-exist.yaml')]);
    expect(code).toBe(2);
    expect(stderr).toContain('no such file or directory');
  });

  it('warns on stderr about documents it skips and counts them in the JSON summary', async () => {
    const { code, stdout, stderr } = await run(['scan', '-', '--format', 'json'], 'metadata: {name: x}\n');
    expect(code).toBe(0);
    expect(stderr).toContain('-:1: document has no kind: skipped');
    expect(JSON.parse(stdout).summary.skipped).toBe(1);
  });

  it.each([
    [['scan']],
    [['scan', recommended, '--format', 'xml']],
    [['scan', recommended, '--fail-on', 'sometimes']],
    [['scan', recommended, '--provider', 'oracle']],
    [['scan', recommended, '--slb-quota', '0']],
    [['scan', recommended, '--slb-quota', 'many']],
    [['scan', recommended, '--bogus']],
    [['deploy']],
    [[]],
  ])('exits 2 on usage errors: %j', async (args) => {
    const { code, stderr } = await run(args);
    expect(code).toBe(2);
    expect(stderr).toContain('Usage: rollsafe scan');
  });

  it('points docs links at ROLLSAFE_DOCS_BASE_URL when set', async () => {
    const { stdout } = await runCli(['scan', fixture('unsafe.yaml'), '--format', 'json'], {
      env: { ROLLSAFE_DOCS_BASE_URL: 'https://docs.example.com/rollsafe/rules/' },
    });
    const docs = JSON.parse(stdout).findings.map((f: { docs: string; ruleId: string }) => [f.docs, f.ruleId]);
    for (const [url, ruleId] of docs) expect(url).toBe(`https://docs.example.com/rollsafe/rules/${ruleId}.md`);
  });

  it('applies --provider to provider-specific rules', async () => {
    const unannotated = await run(['scan', fixture('unsafe.yaml'), '--format', 'json']);
    const alibaba = await run(['scan', fixture('unsafe.yaml'), '--format', 'json', '--provider', 'alibaba']);
    const ruleIds = (out: Run): string[] => JSON.parse(out.stdout).findings.map((f: { ruleId: string }) => f.ruleId);
    expect(ruleIds(unannotated)).not.toContain('lb-connection-drain-off');
    expect(ruleIds(alibaba)).toContain('lb-connection-drain-off');
  });
});

describe('bin/rollsafe', () => {
  it('runs as an executable: stdin in, JSON out, exit code from --fail-on', () => {
    const result = spawnSync(path.join(root, 'bin', 'rollsafe'), ['scan', '-', '--format', 'json'], {
      input: fs.readFileSync(fixture('unsafe.yaml'), 'utf8'),
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(JSON.parse(result.stdout).summary.critical).toBe(2);
  });

  it("runs a bundle whose code cache V8 takes under the flags the CLI's entry sets", () => {
    spawnSync(path.join(root, 'bin', 'rollsafe'), ['--version'], { encoding: 'utf8' }); // builds dist/cli when stale
    const file = path.join(root, 'dist', 'cli', 'cli.cjs');
    expect(codeCacheRejected(file, [`--max-inlined-bytecode-size-cumulative=${SCAN_INLINING_BUDGET}`, `--interrupt-budget=${SCAN_INTERRUPT_BUDGET}`])).toBe(
      'false',
    );
    expect(codeCacheRejected(file, [])).toBe('true');
  });
});
