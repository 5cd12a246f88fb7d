// A manifest scan's output does not depend on how many threads parse it. Runs the compiled CLI
// (`npm test` builds before it tests), whose parse workers are the compiled scripts in dist/.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { root } from './run-cli.js';

const cli = path.join(root, 'dist/apps/cli/src/bin.js');

function scan(
  file: string,
  threads: number,
  env: Record<string, string> = {},
  flags: string[] = [],
): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [cli, 'scan', file, '--format', 'json', ...flags], {
    cwd: root,
    env: { ...process.env, ROLLSAFE_PARSE_THREADS: String(threads), ...env },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('rollsafe scan with several threads', () => {
  let dir: string;
  let file: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollsafe-threads-'));
    file = path.join(dir, 'apps.yaml');
    // 600 generated apps (about 2.4 MB): over the size at which the CLI cuts the parse across threads.
    const generated = spawnSync(process.execPath, [path.join(root, 'bench/manifest-scan/generate.mjs'), '--apps', '600', '--out', file], { encoding: 'utf8' });
    expect(generated.status).toBe(0);
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('gives the single-threaded findings and verdicts with 2 and 3 threads', () => {
    const single = scan(file, 1);
    expect(single.status).toBe(1); // critical findings
    const report = JSON.parse(single.stdout) as { findings: unknown[]; verdicts: Array<{ verdict: string; fixes: unknown[] }> };
    expect(report.findings.length).toBeGreaterThan(500);
    expect(report.verdicts.filter((v) => v.verdict === 'drops' && v.fixes.length > 0).length).toBeGreaterThan(20);
    for (const threads of [2, 3]) {
      const parallel = scan(file, threads);
      expect(parallel.stderr).toBe(single.stderr);
      expect(parallel.status).toBe(single.status);
      expect(parallel.stdout === single.stdout).toBe(true); // byte for byte (toBe would print 2 MB on a difference)
    }
  });

  it('gives the single-threaded output and exit code with the scan split by namespace (ROLLSAFE_SCAN_THREADS)', () => {
    const shards = { ROLLSAFE_SCAN_THREADS: '2', ROLLSAFE_SCAN_SHARD_MIN_CHARS: '0' };
    for (const flags of [[], ['--fail-on', 'none'], ['--fail-on', 'drops'], ['--provider', 'gcp', '--fail-on', 'info']]) {
      const single = scan(file, 1, {}, flags);
      const sharded = scan(file, 1, shards, flags);
      expect(sharded.stderr).toBe(single.stderr);
      expect(sharded.status).toBe(single.status);
      expect(sharded.stdout === single.stdout).toBe(true);
    }
  });

  it('scans on one thread, and reports as it, what the namespace split cannot take', () => {
    const warned = path.join(dir, 'warned.yaml');
    fs.writeFileSync(warned, `${fs.readFileSync(file, 'utf8')}---\nkind: Deployment\nmetadata:\n  name: no-template\n  namespace: shop\nspec: {}\n`);
    const single = scan(warned, 1);
    expect(single.stderr).toMatch(/no-template has no spec.template: skipped/);
    const sharded = scan(warned, 1, { ROLLSAFE_SCAN_THREADS: '2', ROLLSAFE_SCAN_SHARD_MIN_CHARS: '0' });
    expect(sharded.stderr).toBe(single.stderr);
    expect(sharded.status).toBe(single.status);
    expect(sharded.stdout === single.stdout).toBe(true);
  });

  it.each([
    ['the compiled CLI', 'dist/apps/cli/src/bin.js'],
    ['the bundled CLI (bin/rollsafe)', 'dist/cli/rollsafe.js'],
  ])('starts the shard threads from %s (one V8 CPU profile each, the calling thread included)', (_, entry) => {
    for (const threads of [1, 3]) {
      const profiles = fs.mkdtempSync(path.join(dir, 'profiles-'));
      const run = spawnSync(
        process.execPath,
        ['--cpu-prof', `--cpu-prof-dir=${profiles}`, path.join(root, entry), 'scan', file, '--format', 'json', '--fail-on', 'none'],
        {
          cwd: root,
          env: { ...process.env, ROLLSAFE_PARSE_THREADS: '1', ROLLSAFE_SCAN_THREADS: String(threads), ROLLSAFE_SCAN_SHARD_MIN_CHARS: '0' },
          encoding: 'utf8',
          maxBuffer: 256 * 1024 * 1024,
        },
      );
      expect(run.status).toBe(0);
      expect(fs.readdirSync(profiles).filter((name) => name.endsWith('.cpuprofile'))).toHaveLength(threads);
    }
  });
});
