// The CLI's rough edges found by a newcomer (issue 14): empty stdin, mistyped flags, wrapping,
// provider=auto everywhere, and the rule pages offline.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RULES } from '#rollsafe/advisor';
import { closestFlag, editDistance } from '../src/flags.js';
import { formatText, PLAIN, wrapLine } from '../src/formatters/text.js';
import { offlineRulePage, readRulePage, rulesDocsDir } from '../src/rules-docs.js';
import { scanManifests } from '../src/manifest-scan.js';
import { runCli, root, type CliRun, type CliRunOptions } from './run-cli.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const seed = (name: string): string => path.join(here, 'fixtures', 'seed', name);

function run(args: string[], options: CliRunOptions = {}): Promise<CliRun> {
  return runCli(args, options);
}

describe('empty stdin', () => {
  it.each([
    ['scan', ['scan', '-']],
    ['scan --format sarif', ['scan', '-', '--format', 'sarif']],
    ['simulate', ['simulate', '-']],
    ['fix', ['fix', '-']],
  ])('%s - with nothing on stdin exits 2 with a message (a broken helm template pipe fails CI)', async (_name, args) => {
    for (const stdin of ['', '\n  \n']) {
      const { code, stdout, stderr } = await run(args, { stdin });
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toBe('rollsafe: error: stdin (-) is empty: nothing to scan (did the command before the pipe fail?)\n');
    }
  });

  it('still scans stdin that has a document', async () => {
    const { code, stdout } = await run(['scan', '-', '--format', 'json'], { stdin: fs.readFileSync(seed('no-prestop.yaml'), 'utf8') });
    expect(code).toBe(1);
    expect(JSON.parse(stdout).summary.critical).toBeGreaterThan(0);
  });
});

describe('mistyped flags', () => {
  it.each([
    [['scan', 'k8s/', '--formt', 'json'], 'unknown option --formt: did you mean --format?'],
    [['scan', 'k8s/', '--fail-no', 'warning'], 'unknown option --fail-no: did you mean --fail-on?'],
    [['scan', 'k8s/', '--kubconfig', 'x'], 'unknown option --kubconfig: did you mean --kubeconfig?'],
    [['scan', 'k8s/', '--nocolor'], 'unknown option --nocolor: did you mean --no-color?'],
    [['fix', 'k8s/', '--inplace'], 'unknown option --inplace: did you mean --in-place?'],
    [['fix', 'k8s/', '--rule', 'pdb-missing'], 'unknown option --rule: did you mean --rules?'],
    [['simulate', 'k8s/', '--workloads', 'web'], 'unknown option --workloads: did you mean --workload?'],
    [['demo', '--prot', '0'], 'unknown option --prot: did you mean --port?'],
    [['demo', '--kubeconfig', 'x'], 'unknown option --kubeconfig: did you mean --kubeconfig-out?'],
  ])('%j says "%s"', async (args, message) => {
    const { code, stderr } = await run(args);
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toBe(`rollsafe: ${message}`);
    expect(stderr).not.toMatch(/positional argument|ERR_PARSE_ARGS/);
  });

  it('names an unknown flag with no near match, and a flag missing its value, in plain words', async () => {
    expect((await run(['scan', 'k8s/', '--zzzzzz'])).stderr.split('\n')[0]).toBe('rollsafe: unknown option --zzzzzz (rollsafe scan --help lists the options)');
    expect((await run(['scan', 'k8s/', '--format'])).stderr.split('\n')[0]).toBe('rollsafe: --format needs a value');
    expect((await run(['scan', 'k8s/', '--no-color=yes'])).stderr.split('\n')[0]).toBe('rollsafe: --no-color takes no value');
  });

  it('measures the distance with swaps as one edit', () => {
    expect(editDistance('fromat', 'format')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(closestFlag('--fromat', { format: { type: 'string' }, 'fail-on': { type: 'string' } })).toBe('--format');
    expect(closestFlag('--x', { format: { type: 'string' } })).toBeUndefined();
  });
});

describe('text output wraps to the terminal width', () => {
  it('wraps at spaces, keeping the indent, and never breaks a word', () => {
    const line = '           ' + 'the quick brown fox jumps over the lazy dog '.repeat(4).trim();
    const pieces = wrapLine(line, 40);
    expect(pieces.length).toBeGreaterThan(4);
    for (const piece of pieces) {
      expect(piece.length).toBeLessThanOrEqual(40);
      expect(piece.startsWith('           ')).toBe(true);
      expect(piece.slice(11)).not.toMatch(/^ /);
    }
    expect(pieces.map((p) => p.trim()).join(' ')).toBe(line.trim());
    expect(wrapLine('  https://example.com/a/very/long/url/that/does/not/fit', 20)).toEqual(['  https://example.com/a/very/long/url/that/does/not/fit']);
    expect(wrapLine(line, undefined)).toEqual([line]);
  });

  it('wraps a scan report to 60 columns: prose indented as its first line, YAML to paste untouched', async () => {
    const report = await scanManifests(
      [seed('no-prestop.yaml')],
      { docsBaseUrl: 'https://docs.example/rules' },
      () => Promise.resolve(''),
      () => undefined,
    );
    const wide = formatText(report, PLAIN);
    const narrow = formatText(report, PLAIN, 60);
    const lines = narrow.split('\n');
    // No words lost: the same text once the wrapping is undone.
    expect(narrow.replace(/\s+/g, ' ')).toBe(wide.replace(/\s+/g, ' '));
    const messageLine = lines.findIndex((l) => l.startsWith('           Deployment shop/web: container "app" has no'));
    expect(messageLine).toBeGreaterThan(0);
    // the message's continuation lines keep its 11-space indent
    expect(lines[messageLine + 1]).toMatch(/^ {11}\S/);
    // YAML to paste (the remediation snippets, 13 spaces in) is printed whole, as without wrapping.
    const yaml = new Set(wide.split('\n').filter((l) => l.startsWith('             ')));
    expect(yaml.size).toBeGreaterThan(5);
    for (const line of yaml) expect(lines).toContain(line);
    for (const line of lines) {
      const unbreakable = !line.trim().includes(' ');
      if (!yaml.has(line) && !unbreakable) expect(line.length).toBeLessThanOrEqual(60);
    }
  });

  it('does not wrap without a terminal width (pipes, files)', async () => {
    const { stdout } = await run(['scan', seed('no-prestop.yaml')]);
    expect(stdout.split('\n').some((l) => l.length > 120)).toBe(true);
    const { stdout: narrow } = await run(['scan', seed('no-prestop.yaml')], { columns: 80 });
    const yaml = new Set(stdout.split('\n').filter((l) => l.startsWith('             ')));
    expect(narrow.split('\n').filter((l) => l.length > 80 && l.trim().includes(' ') && !yaml.has(l))).toEqual([]);
  });
});

describe('--provider auto', () => {
  it.each([
    ['scan', ['scan', seed('no-prestop.yaml'), '--provider', 'auto', '--format', 'json']],
    ['fix', ['fix', '-', '--provider', 'auto']],
    ['simulate', ['simulate', seed('no-prestop.yaml'), '--provider', 'auto', '--format', 'json']],
  ])('is accepted by %s (the default, said out loud)', async (_name, args) => {
    const stdin = fs.readFileSync(seed('no-prestop.yaml'), 'utf8');
    const withAuto = await run(args, { stdin });
    const without = await run(
      args.filter((a, i) => a !== 'auto' && args[i + 1] !== 'auto'),
      { stdin },
    );
    expect(withAuto.stderr).not.toMatch(/must be one of/);
    expect([0, 1]).toContain(withAuto.code);
    expect(withAuto.code).toBe(without.code);
    expect(withAuto.stdout).toBe(without.stdout);
  });
});

describe('rollsafe rules ID', () => {
  it('finds docs/rules in the repository from the sources', () => {
    expect(rulesDocsDir()).toBe(path.join(root, 'docs', 'rules'));
  });

  it('prints the page of every rule, its links to other rules as the command that shows them', async () => {
    for (const rule of RULES) {
      const { code, stdout, stderr } = await run(['rules', rule.id]);
      expect({ id: rule.id, code, stderr }).toEqual({ id: rule.id, code: 0, stderr: '' });
      expect(stdout.startsWith(`# ${rule.id}\n`)).toBe(true);
      expect(stdout).not.toMatch(/\]\([a-z0-9-]+\.md/);
    }
    const { stdout } = await run(['rules', 'prestop-hook-missing']);
    expect(stdout).toMatch(/\(`rollsafe rules prestop-sleep-too-short`\)/);
  });

  it('reads pages from any docs/rules it is given (the one shipped in the CLI package)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollsafe-rules-'));
    fs.writeFileSync(path.join(dir, 'single-replica.md'), '# single-replica\n\nSee [pdb-missing](pdb-missing.md#fix) and [the list](README.md).\n');
    expect(readRulePage('single-replica', dir)).toBe('# single-replica\n\nSee pdb-missing (`rollsafe rules pdb-missing`) and the list (`rollsafe rules`).\n');
    expect(readRulePage('../etc', dir)).toBeUndefined();
    fs.rmSync(dir, { recursive: true, force: true });
    expect(offlineRulePage('[Kubernetes](https://kubernetes.io/docs/)')).toBe('[Kubernetes](https://kubernetes.io/docs/)');
  });

  it('refuses an unknown rule id with exit 2', async () => {
    const { code, stderr } = await run(['rules', 'no-such-rule']);
    expect(code).toBe(2);
    expect(stderr).toBe('rollsafe: unknown rule id(s): no-such-rule (rollsafe rules lists them)\n');
  });

  it('points each text finding at its offline page', async () => {
    const { stdout } = await run(['scan', seed('no-prestop.yaml')]);
    expect(stdout).toMatch(/docs: \S+prestop-hook-missing\.md {2}\(offline: rollsafe rules prestop-hook-missing\)/);
  });
});
