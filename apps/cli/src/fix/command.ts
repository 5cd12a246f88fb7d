import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  atLeast,
  DEFAULT_DOCS_BASE_URL,
  PROVIDERS,
  RULES,
  runAdvisor,
  type AdvisorOptions,
  type Finding,
  type Provider,
  type Severity,
} from '#rollsafe/advisor';
import { CLI_LIMITS, formatManifestError, parseManifests, readManifestPaths, type ManifestInput } from '#rollsafe/manifests';
import { flagError } from '../flags.js';
import { providerLine } from '../formatters/provider.js';
import type { CliIo } from '../main.js';
import { planFixes, type FixPlan } from '#rollsafe/fixes';

const EXIT_OK = 0;
const EXIT_FINDINGS = 1;
const EXIT_USAGE = 2;
const FAIL_ON = ['critical', 'warning', 'info', 'none'] as const;

export const FIX_USAGE = `Usage: rollsafe fix PATH... (--out DIR | --in-place) [options]
       rollsafe fix - [options] < in.yaml > out.yaml

Applies the remediations that need no human decision (a readiness probe on the serving
port, a preStop sleep and the grace period it needs, a rolling update that keeps capacity,
a PodDisruptionBudget, ...) and writes the patched files. Comments, key order and every
document a fix does not touch are kept byte for byte. What needs a team's decision
(replicas, a load balancer mode, the port an app listens on) is listed with the reason.

Options:
  --out DIR                    write every input file under DIR, by its path relative to
                               the working directory (or to the PATH given)
  --in-place                   rewrite the changed files where they are
  --rules ID,...               apply only these rules' remediations
  --provider auto|${PROVIDERS.join('|')}
                               cloud provider for provider-specific rules (default: auto)
  --fail-on critical|warning|info|none
                               exit 1 when a finding left after the fixes reaches this
                               severity (default: critical)
  -h, --help                   show this help

With - the manifests are read from stdin and the patched ones written to stdout; the
report goes to stderr.

Exit codes: 0 nothing left reaches --fail-on, 1 something does, 2 usage or input errors.
`;

class UsageError extends Error {}

const FIX_OPTIONS = {
  out: { type: 'string' },
  'in-place': { type: 'boolean' },
  rules: { type: 'string' },
  provider: { type: 'string' },
  'fail-on': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `rollsafe fix`: scan, apply the safe remediations, write, scan the result again. */
export async function fixCommand(argv: string[], io: CliIo): Promise<number> {
  let values;
  let paths: string[];
  try {
    const parsed = parseArgs({ args: argv, allowPositionals: true, options: FIX_OPTIONS });
    values = parsed.values;
    paths = parsed.positionals;
  } catch (error) {
    io.stderr(`rollsafe: ${flagError(error, FIX_OPTIONS, 'fix')}\n\n${FIX_USAGE}`);
    return EXIT_USAGE;
  }
  if (values.help) {
    io.stdout(FIX_USAGE);
    return EXIT_OK;
  }

  let ruleIds: Set<string> | undefined;
  let provider: Provider | undefined;
  let failOn: (typeof FAIL_ON)[number];
  const stdinOnly = paths.length === 1 && paths[0] === '-';
  try {
    if (paths.length === 0) throw new UsageError('fix needs at least one PATH (a file, a directory, or - for stdin)');
    if (paths.includes('-') && !stdinOnly) throw new UsageError('- (stdin) cannot be mixed with other paths');
    if (stdinOnly && (values.out !== undefined || values['in-place']))
      throw new UsageError('with - the patched manifests go to stdout: no --out or --in-place');
    if (!stdinOnly && (values.out === undefined) === !values['in-place']) throw new UsageError('fix needs exactly one of --out DIR and --in-place');
    if (values.rules !== undefined) {
      ruleIds = new Set(
        values.rules
          .split(',')
          .map((id) => id.trim())
          .filter(Boolean),
      );
      const unknown = [...ruleIds].filter((id) => !RULES.some((rule) => rule.id === id));
      if (unknown.length > 0 || ruleIds.size === 0)
        throw new UsageError(`--rules: unknown rule id(s): ${unknown.join(', ') || '(none given)'} (see rollsafe rules)`);
    }
    const named = values.provider ?? 'auto';
    if (named !== 'auto' && !(PROVIDERS as readonly string[]).includes(named))
      throw new UsageError(`--provider must be one of auto, ${PROVIDERS.join(', ')} (got "${named}")`);
    provider = named === 'auto' ? undefined : (named as Provider);
    const fail = values['fail-on'] ?? 'critical';
    if (!(FAIL_ON as readonly string[]).includes(fail)) throw new UsageError(`--fail-on must be one of ${FAIL_ON.join(', ')} (got "${fail}")`);
    failOn = fail as (typeof FAIL_ON)[number];
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`rollsafe: ${error.message}\n\n${FIX_USAGE}`);
    return EXIT_USAGE;
  }

  const report = stdinOnly ? io.stderr : io.stdout;
  const options: AdvisorOptions = {
    docsBaseUrl: (io.env['ROLLSAFE_DOCS_BASE_URL'] || DEFAULT_DOCS_BASE_URL).replace(/\/+$/, ''),
    ...(provider ? { provider } : {}),
  };
  // Paths are read relative to the working directory given, and named relative to it in the report.
  const read = await readManifestPaths(
    paths.map((p) => (p === '-' ? p : path.resolve(io.cwd, p))),
    io.readStdin,
  );
  for (const input of read.inputs) if (input.name !== '-') input.name = displayName(input.name, io.cwd);
  for (const error of read.errors) error.file = displayName(error.file, io.cwd);
  const parsed = parseManifests(read.inputs, CLI_LIMITS);
  const inputErrors = [...read.errors, ...parsed.errors];
  for (const error of inputErrors) io.stderr(`rollsafe: error: ${formatManifestError(error)}\n`);
  // A file with a broken document keeps its other documents (the parser judges them): they are fixed too.
  const before = runAdvisor(parsed.snapshot, options);
  const plan = planFixes(read.inputs, before.findings, ruleIds);

  if (stdinOnly) io.stdout(plan.files[0]?.text ?? '');
  else {
    try {
      await writeFiles(plan, paths, values.out, io.cwd);
    } catch (error) {
      io.stderr(`rollsafe: error: cannot write: ${(error as Error).message}\n`);
      return EXIT_USAGE;
    }
  }

  // Scan the result: what is left, and (never expected) anything the fixes raised.
  const after = runAdvisor(parseManifests(plan.files as ManifestInput[], CLI_LIMITS).snapshot, options);
  const known = new Set(before.findings.map((f) => f.fingerprint));
  const raised = after.findings.filter((f) => !known.has(f.fingerprint));
  report(formatFixReport(plan, raised, providerLine(before), stdinOnly ? undefined : (values.out ?? 'in place')));

  if (inputErrors.length > 0) return EXIT_USAGE;
  const failing = failOn !== 'none' && after.findings.some((f) => atLeast(f.severity, failOn as Severity));
  return failing ? EXIT_FINDINGS : EXIT_OK;
}

function displayName(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

/** Where a file goes under --out: its path relative to the working directory, or to the PATH it was found under. */
export function outputPath(file: string, givenPaths: string[], outDir: string, cwd: string): string {
  const absolute = path.resolve(cwd, file);
  let relative = path.relative(cwd, absolute);
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    const root = givenPaths.map((p) => path.resolve(cwd, p)).find((p) => absolute === p || absolute.startsWith(p + path.sep)) ?? path.dirname(absolute);
    relative = path.relative(path.dirname(root), absolute);
  }
  return path.resolve(cwd, outDir, relative);
}

async function writeFiles(plan: FixPlan, givenPaths: string[], outDir: string | undefined, cwd: string): Promise<void> {
  for (const file of plan.files) {
    if (outDir === undefined) {
      if (file.changed) await fs.writeFile(path.resolve(cwd, file.name), file.text);
      continue;
    }
    const target = outputPath(file.name, givenPaths, outDir, cwd);
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.writeFile(target, file.text);
  }
}

function describe(finding: Finding): string {
  const { kind, namespace, name } = finding.resource;
  return `${kind} ${namespace}/${name}${finding.container ? ` [${finding.container}]` : ''} ${finding.ruleId}`;
}

function where(finding: Finding): string {
  return finding.location ? `${finding.location.file}:${finding.location.line}` : '-';
}

export function formatFixReport(plan: FixPlan, raised: Finding[], provider: string, destination: string | undefined): string {
  const lines: string[] = [`provider: ${provider}`];
  for (const { finding } of plan.applied) lines.push(`fixed  ${where(finding)}  ${describe(finding)}: ${finding.remediation.summary}`);
  for (const { finding, reason } of plan.left) lines.push(`left   ${where(finding)}  ${describe(finding)} (${finding.severity}): ${reason}`);
  for (const finding of raised) lines.push(`NEW    ${where(finding)}  ${describe(finding)} (${finding.severity}): ${finding.message}`);
  const changed = plan.files.filter((f) => f.changed).length;
  lines.push(
    `${plan.applied.length} fix(es) applied in ${changed} file(s), ${plan.left.length} left for a human` +
      (destination === undefined ? '' : destination === 'in place' ? '; files rewritten in place' : `; written to ${destination}`),
  );
  return lines.join('\n') + '\n';
}
