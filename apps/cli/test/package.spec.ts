// The CLI installs alone (issue 14): `npm run pack:cli` makes dist/rollsafe-cli-<version>.tgz;
// installed into an empty directory from the tarball, offline, it is small and quick, and
// `npx rollsafe scan|fix|simulate|rules|demo` work from there.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';

// Nx runs tests with FORCE_COLOR set: the installed CLI must print as a user's CI would see it.
const COLOUR_VARIABLES = new Set(['FORCE_COLOR', 'NO_COLOR']);

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const MB = 1024 * 1024;

function du(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += du(full);
    else if (entry.isFile()) total += fs.statSync(full).size;
  }
  return total;
}

describe('the CLI package (npm run pack:cli)', () => {
  let tarball: string;
  let dir: string;
  let installSeconds: number;
  let packed: { bundled: string[]; files: string[]; manifest: Record<string, unknown> };
  // npm's own variables (npm test sets some) must not steer the install or npx.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) && !COLOUR_VARIABLES.has(key)));
  const npx = (args: string[], input?: string): { status: number | null; stdout: string; stderr: string } =>
    spawnSync('npx', ['--offline', '--no-install', 'rollsafe', ...args], { cwd: dir, env, encoding: 'utf8', input: input ?? '', timeout: 60_000 });

  beforeAll(() => {
    const pack = spawnSync('npm', ['run', '--silent', 'pack:cli'], { cwd: root, env, encoding: 'utf8', timeout: 120_000 });
    expect(pack.stderr).toMatch(/pack:cli: dist\/rollsafe-cli-/);
    expect(pack.status).toBe(0);
    const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version as string;
    tarball = path.join(root, 'dist', `rollsafe-cli-${version}.tgz`);
    const list = spawnSync('tar', ['-tzf', tarball], { encoding: 'utf8' });
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'dist', 'cli-package', 'package.json'), 'utf8'));
    const bundled = /bundles (.*)\)$/m.exec(pack.stderr)?.[1]?.split(', ') ?? [];
    packed = { bundled, files: list.stdout.split('\n').filter(Boolean), manifest };

    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollsafe-cli-install-'));
    const started = process.hrtime.bigint();
    const install = spawnSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], {
      cwd: dir,
      env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    installSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    expect(install.stderr).toBe('');
    expect(install.status).toBe(0);
    fs.cpSync(path.join(here, 'fixtures', 'seed'), path.join(dir, 'k8s'), { recursive: true });
  }, 180_000);

  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('depends on nothing and carries no part of the service', () => {
    expect(packed.manifest['dependencies']).toBeUndefined();
    expect(packed.manifest['bin']).toEqual({ rollsafe: 'lib/rollsafe.js' });
    for (const name of packed.bundled) expect(name).not.toMatch(/^(@nestjs\/|@prisma\/|prisma$|bullmq$|ioredis$|pg$|@apollo\/|graphql$|fflate$|express$)/);
    expect(packed.bundled).toEqual(expect.arrayContaining(['js-yaml', 'yaml', '@kubernetes/client-node']));
    expect(packed.files).toEqual(
      expect.arrayContaining([
        'package/LICENSE',
        'package/README.md',
        'package/THIRD-PARTY-NOTICES.md',
        'package/lib/rollsafe.js',
        'package/lib/parse-worker.js',
        'package/lib/shard-worker.js',
        'package/docs/rules/prestop-hook-missing.md',
      ]),
    );
  });

  it('installs from the tarball, offline, in under 30 s and 30 MB', () => {
    const size = du(path.join(dir, 'node_modules'));
    process.stdout.write(`rollsafe-cli: installed in ${installSeconds.toFixed(1)} s, ${(size / MB).toFixed(1)} MB\n`);
    expect(installSeconds).toBeLessThan(30);
    expect(size).toBeLessThan(30 * MB);
    expect(fs.readdirSync(path.join(dir, 'node_modules')).filter((name) => !name.startsWith('.'))).toEqual(['rollsafe-cli']);
  });

  it('npx rollsafe scan: findings, JSON and SARIF, exit codes, empty stdin', () => {
    const text = npx(['scan', 'k8s/']);
    expect(text.status).toBe(1);
    expect(text.stdout).toMatch(/critical, \d+ warning, .* resource\(s\) in 6 file\(s\)/);
    const json = JSON.parse(npx(['scan', 'k8s/no-prestop.yaml', '--format', 'json']).stdout);
    expect(json.findings.map((f: { ruleId: string }) => f.ruleId)).toContain('prestop-hook-missing');
    const sarif = JSON.parse(npx(['scan', 'k8s/', '--format', 'sarif']).stdout);
    expect(sarif.version).toBe('2.1.0');
    const stdin = npx(['scan', '-'], '');
    expect(stdin.status).toBe(2);
    expect(stdin.stderr).toMatch(/stdin \(-\) is empty/);
  });

  it('npx rollsafe fix and simulate', () => {
    const fixed = npx(['fix', 'k8s/no-prestop.yaml', '--out', 'fixed']);
    expect(fixed.stdout).toMatch(/fixed {2}k8s\/no-prestop\.yaml:\d+ {2}Deployment shop\/web \[app\] prestop-hook-missing/);
    expect(fs.readFileSync(path.join(dir, 'fixed', 'k8s', 'no-prestop.yaml'), 'utf8')).toMatch(/preStop:/);
    const simulated = npx(['simulate', 'k8s/no-prestop.yaml']);
    expect(simulated.status).toBe(1);
    expect(simulated.stdout).toMatch(/Service shop\/web \(pod\) <- Deployment shop\/web: DROPS 12\.667 s of traffic/);
  });

  it('npx rollsafe rules, and a rule page from the docs in the package', () => {
    const catalog = npx(['rules']);
    expect(catalog.status).toBe(0);
    expect(catalog.stdout).toMatch(/^prestop-hook-missing /m);
    const page = npx(['rules', 'prestop-hook-missing']);
    expect(page.status).toBe(0);
    expect(page.stdout).toMatch(/^# prestop-hook-missing\n/);
    expect(page.stdout).toContain('(`rollsafe rules prestop-sleep-too-short`)');
  });

  it('does not crash when its reader goes away (rollsafe scan ... | head)', () => {
    const many = Array.from({ length: 80 }, (_, i) => fs.readFileSync(path.join(dir, 'k8s', 'no-prestop.yaml'), 'utf8').replace(/\bweb\b/g, `web${i}`)).join(
      '\n---\n',
    );
    fs.writeFileSync(path.join(dir, 'many.yaml'), many);
    const piped = spawnSync('bash', ['-c', 'node_modules/.bin/rollsafe scan many.yaml | head -1; echo "rollsafe exit ${PIPESTATUS[0]}" >&2'], {
      cwd: dir,
      env,
      encoding: 'utf8',
    });
    expect(piped.stdout).toBe('80 of 80 Services drop traffic on rollout\n');
    // no EPIPE stack trace: the exit code of the scan (criticals: 1)
    expect(piped.stderr).toBe('rollsafe exit 1\n');
    const alone = spawnSync('node', ['node_modules/.bin/rollsafe', 'scan', 'many.yaml'], {
      cwd: dir,
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(alone.stdout.length).toBeGreaterThan(256 * 1024); // more than a pipe holds: head closed it mid-write
  });

  it('npx rollsafe demo serves a cluster that npx rollsafe scan --kubeconfig reads, and stops on Ctrl-C', async () => {
    const demo: ChildProcess = spawn('node', ['node_modules/.bin/rollsafe', 'demo', '--port', '0', '--kubeconfig-out', 'demo.kubeconfig'], { cwd: dir, env });
    let out = '';
    let err = '';
    demo.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    demo.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => demo.on('exit', (code) => resolve(code)));
    try {
      for (let i = 0; i < 400 && !out.includes('Ctrl-C'); i++) await new Promise((resolve) => setTimeout(resolve, 25));
      expect(out).toContain('  npx rollsafe scan --kubeconfig demo.kubeconfig\n');
      const scan = npx(['scan', '--kubeconfig', 'demo.kubeconfig', '--format', 'json']);
      expect(scan.stderr).toBe('');
      expect(scan.status).toBe(1);
      const report = JSON.parse(scan.stdout);
      expect(
        report.findings.some((f: { ruleId: string; resource: { name: string } }) => f.ruleId === 'prestop-hook-missing' && f.resource.name === 'orders'),
      ).toBe(true);
    } finally {
      demo.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(err).toBe('rollsafe demo: stopped\n');
  }, 60_000);
});

interface ActionStep {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  shell?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}

describe('action.yml (GitHub composite action)', () => {
  const action = load(fs.readFileSync(path.join(root, 'action.yml'), 'utf8')) as {
    inputs: Record<string, { default?: string }>;
    runs: { using: string; steps: ActionStep[] };
  };
  const steps = action.runs.steps;
  const step = (name: string): ActionStep => steps.find((s) => s.name === name) as ActionStep;
  let dir: string;
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) && !COLOUR_VARIABLES.has(key)));

  /** Runs a step's script as the runner would: bash, its env with the inputs' values, GITHUB_OUTPUT. */
  function runStep(
    s: ActionStep,
    inputs: Record<string, string>,
    extraEnv: Record<string, string> = {},
  ): { status: number | null; outputs: Record<string, string>; stderr: string } {
    const outputFile = path.join(dir, `output-${Math.random().toString(36).slice(2)}`);
    fs.writeFileSync(outputFile, '');
    const stepEnv = Object.fromEntries(
      Object.entries(s.env ?? {}).map(([key, value]) => [
        key,
        value.replace(/\$\{\{ inputs\.([\w-]+) \}\}/g, (_m, input: string) => inputs[input] ?? action.inputs[input]?.default ?? ''),
      ]),
    );
    const result = spawnSync('bash', ['-e', '-c', s.run as string], {
      cwd: dir,
      env: { ...env, ...stepEnv, ...extraEnv, GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: path.join(dir, 'summary.md') },
      encoding: 'utf8',
      timeout: 60_000,
    });
    const outputs = Object.fromEntries(
      fs
        .readFileSync(outputFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split('=', 2) as [string, string]),
    );
    return { status: result.status, outputs, stderr: result.stderr };
  }

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollsafe-action-'));
    fs.cpSync(path.join(here, 'fixtures', 'seed'), path.join(dir, 'k8s'), { recursive: true });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is a composite action whose scripts take the inputs through env (no ${{ }} inside a script)', () => {
    expect(action.runs.using).toBe('composite');
    for (const s of steps) if (s.run) expect([s.name, s.run.includes('${{')]).toEqual([s.name, false]);
    expect(action.inputs['fail-on']?.default).toBe('critical');
    expect(action.inputs['provider']?.default).toBe('auto');
  });

  it('installs the CLI from a tarball, scans, keeps the exit code, and still uploads the SARIF before failing the build', () => {
    const tarball = fs.readdirSync(path.join(root, 'dist')).find((f) => /^rollsafe-cli-.*\.tgz$/.test(f));
    expect(tarball).toBeDefined();
    const prefix = path.join(dir, 'global');
    const pathEnv = { PATH: `${path.join(prefix, 'bin')}${path.delimiter}${process.env['PATH']}`, npm_config_prefix: prefix, npm_config_offline: 'true' };
    const install = runStep(step('Install the Rollsafe CLI'), { package: path.join(root, 'dist', tarball as string) }, pathEnv);
    expect(install.stderr).toBe('');
    expect(install.status).toBe(0);

    // findings: the step succeeds, the exit code and the SARIF are kept
    const scan = runStep(step('Scan'), { path: 'k8s/' }, pathEnv);
    expect(scan.status).toBe(0);
    expect(scan.outputs).toEqual({ 'exit-code': '1', 'has-sarif': 'true' });
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'rollsafe.sarif'), 'utf8')).runs[0].results.length).toBeGreaterThan(0);
    expect(fs.readFileSync(path.join(dir, 'summary.md'), 'utf8')).toMatch(/critical, \d+ warning/);

    // the upload runs whatever the scan said; the last step fails the build with the scan's code
    const upload = step('Upload SARIF');
    expect(upload.uses).toMatch(/^github\/codeql-action\/upload-sarif@/);
    expect(upload.if).toMatch(/^always\(\) && /);
    expect(upload.if).toContain("steps.scan.outputs.has-sarif == 'true'");
    const fail = step("Fail on the scan's result");
    expect(steps.indexOf(fail)).toBeGreaterThan(steps.indexOf(upload));
    expect(fail.if).toBe("always() && steps.scan.outputs.exit-code != '0'");
    expect(runStep(fail, {}, { ROLLSAFE_EXIT: '1' }).status).toBe(1);

    // a clean scan: exit code 0, and the last step is skipped (its condition is false)
    const clean = runStep(step('Scan'), { path: 'k8s/cure-eni.yaml', 'fail-on': 'none' }, pathEnv);
    expect(clean.outputs['exit-code']).toBe('0');
  });
});

describe('Dockerfile.cli', () => {
  const text = fs.readFileSync(path.join(root, 'Dockerfile.cli'), 'utf8');
  const lines = text.split('\n').filter((line) => line.trim() && !line.trim().startsWith('#'));
  const ignored = fs.readFileSync(path.join(root, '.dockerignore'), 'utf8').split('\n').filter(Boolean);

  it('builds the package in one stage and runs only the bundle, as a non-root user, on a small base', () => {
    const froms = lines.filter((line) => line.startsWith('FROM '));
    expect(froms).toHaveLength(2);
    expect(froms[1]).toMatch(/^FROM node:20-alpine /);
    expect(lines).toContain('RUN npm run pack:cli');
    expect(lines).toContain('COPY --from=build /app/dist/cli-package /opt/rollsafe');
    expect(lines).toContain('USER node');
    expect(lines).toContain('ENTRYPOINT ["rollsafe"]');
    expect(lines.find((l) => l.startsWith('RUN ln -s'))).toBe('RUN ln -s /opt/rollsafe/lib/rollsafe.js /usr/local/bin/rollsafe');
  });

  it('copies into the build stage what pack:cli needs: packing from a directory holding only those files works', () => {
    const copies = lines.filter((l) => l.startsWith('COPY ') && !l.includes('--from='));
    const sources = copies.flatMap((line) =>
      line
        .replace(/^COPY\s+(--\S+\s+)*/, '')
        .split(/\s+/)
        .slice(0, -1),
    );
    const context = fs.mkdtempSync(path.join(os.tmpdir(), 'rollsafe-docker-context-'));
    try {
      for (const source of sources) {
        expect(ignored.some((pattern) => source === pattern || source.startsWith(`${pattern}/`))).toBe(false);
        fs.cpSync(path.join(root, source), path.join(context, source), { recursive: true });
      }
      fs.symlinkSync(path.join(root, 'node_modules'), path.join(context, 'node_modules'));
      const packed = spawnSync(process.execPath, ['tools/pack-cli.mjs'], { cwd: context, encoding: 'utf8', timeout: 120_000 });
      expect(packed.stderr).toMatch(/pack:cli: dist\/rollsafe-cli-/);
      expect(packed.status).toBe(0);
      const entry = path.join(context, 'dist', 'cli-package', 'lib', 'rollsafe.js');
      expect(fs.readFileSync(entry, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
      expect(fs.statSync(entry).mode & 0o111).not.toBe(0);
      const run = spawnSync(process.execPath, [entry, '--version'], { encoding: 'utf8' });
      expect(run.stdout).toMatch(/^rollsafe \d+\.\d+\.\d+\n$/);
    } finally {
      fs.rmSync(context, { recursive: true, force: true });
    }
  }, 120_000);
});
