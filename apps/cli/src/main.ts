import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PROVIDERS, RULES, SEVERITIES, atLeast, DEFAULT_DOCS_BASE_URL, type AdvisorOptions, type Provider, type Summary } from '#rollsafe/advisor';
import type { VerdictSummary } from '#rollsafe/simulator';
import { writeBatched, writeWithBackpressure } from './batched-write.js';
import { ClusterScanError, scanCluster } from './cluster-scan.js';
import { flagError } from './flags.js';
import { PROVIDER_FLAG_OPTIONS, PROVIDER_FLAGS_USAGE, ProviderFlagError, profilesText, providerFlagOptions } from './provider-flags.js';
import { formatJson } from './formatters/json.js';
import { COLOURS, formatText, PLAIN } from './formatters/text.js';
import type { ScanReport } from './formatters/report.js';
import { scanManifests, scanManifestsForJson } from './manifest-scan.js';
import type { ShardedScan } from './shards/sharded-json.js';
import { readRulePage } from './rules-docs.js';
import { EmptyStdinError, nonEmptyStdin, readStdin } from './stdin.js';

export const VERSION = '0.1.0';

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

const FORMATS = ['text', 'json', 'sarif'] as const;
const FAIL_ON = ['critical', 'warning', 'info', 'none', 'drops'] as const;

const USAGE = `Usage: rollsafe scan PATH... [options]
       rollsafe scan --kubeconfig FILE [--context NAME] [options]

Scans Kubernetes manifests (files, directories, or - for stdin; YAML or JSON), or a live
cluster read with GET requests only, for settings that make rolling updates drop traffic
behind cloud load balancers.

Options:
  --kubeconfig FILE            scan the cluster of this kubeconfig instead of manifests
  --context NAME               the kubeconfig context to use (default: current-context)
  --format text|json|sarif     output format (default: text)
  --provider auto|${PROVIDERS.join('|')}
                               cloud provider for provider-specific rules (default: auto)
  --fail-on critical|warning|info|none|drops
                               exit 1 when a finding reaches this severity, or (drops) when
                               a Service's rollout drops traffic (default: critical)
  --slb-quota N                backend-server-group attachments per node on Alibaba Cloud
                               (slb_quota_backendserver_attached_num; default 50)
${PROVIDER_FLAGS_USAGE}  --no-color                   plain text output (also NO_COLOR=1)
                               ROLLSAFE_DOCS_BASE_URL=URL points each finding's docs link at your
                               own copy of docs/rules
  -h, --help                   show this help
  -v, --version                print the version

  rollsafe rules               list the rule catalog
  rollsafe rules ID            a rule's page: what goes wrong, how it is detected, the fix
  rollsafe profiles [--format json] [--profile FILE]
                               the provider profile rows the rules and the simulator use
  rollsafe demo                a fake cluster to scan, until Ctrl-C (rollsafe demo --help)
  rollsafe simulate PATH...    replay a rollout of each Service (rollsafe simulate --help)
  rollsafe fix PATH... (--out DIR | --in-place) [--rules ID,...] [--provider P]
                               apply the remediations that need no decision (rollsafe fix --help)

Exit codes: 0 nothing reaches --fail-on, 1 something does, 2 usage or input errors (a bad
kubeconfig, an unreachable cluster).
`;

export interface CliIo {
  stdout: (text: string) => void;
  /** Writes one output given in pieces (default: stdout for each piece). */
  stdoutPieces?: (pieces: Iterable<string>) => void | Promise<void>;
  stderr: (text: string) => void;
  readStdin: () => Promise<string>;
  isTty: boolean;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Terminal width: text output wraps to it, keeping each line's indent (unset: no wrapping). */
  columns?: number;
  /** How to run this CLI again, for printed commands (`bin/rollsafe`, `npx rollsafe`); default `rollsafe`. */
  self?: string;
  /** `rollsafe demo` runs until this resolves; default: SIGINT or SIGTERM. */
  waitForStop?: () => Promise<void>;
}

/**
 * The process's streams. A reader that goes away (`rollsafe scan k8s/ | head`) closes the
 * pipe: the rest of the output is dropped (no unhandled EPIPE) and the exit code stays.
 */
function defaultIo(): CliIo {
  let stdoutClosed = false;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    stdoutClosed = true;
  });
  process.stderr.on('error', () => undefined);
  const columns = process.stdout.isTTY ? process.stdout.columns : Number(process.env['COLUMNS']) || undefined;
  const toFile = stdoutIsFile();
  return {
    // Into a file (`> report.json`) straight through fs.writeSync, as Node's own stream for a file
    // does, without the stream's copy of each string into a Buffer (a third of a second per 100 MB).
    stdout: (text) => void (stdoutClosed || (toFile ? fs.writeSync(1, text) : process.stdout.write(text))),
    // Into a pipe, as fast as the reader takes it, never the whole report queued in memory.
    stdoutPieces: toFile
      ? (pieces: Iterable<string>) => writeBatched(1, pieces)
      : (pieces: Iterable<string>) => writeWithBackpressure(process.stdout, pieces, () => stdoutClosed),
    stderr: (text) => void process.stderr.write(text),
    readStdin,
    isTty: Boolean(process.stdout.isTTY),
    env: process.env,
    cwd: process.cwd(),
    ...(columns ? { columns } : {}),
    self: invokedAs(process.argv[1]),
  };
}

function stdoutIsFile(): boolean {
  try {
    return fs.fstatSync(1).isFile();
  } catch {
    return false;
  }
}

/** `bin/rollsafe` from the repository root, `npx rollsafe` from an npm install, else `rollsafe`. */
function invokedAs(script: string | undefined): string {
  if (!script) return 'rollsafe';
  if (script.includes(`${path.sep}node_modules${path.sep}`)) return 'npx rollsafe';
  const relative = path.relative(process.cwd(), script);
  return !relative.startsWith('..') && !path.isAbsolute(relative) && relative.includes(path.sep) ? relative : 'rollsafe';
}

/** The program: bin/rollsafe and the CLI package's entry call this. */
export async function run(argv: string[]): Promise<void> {
  process.exitCode = await main(argv);
}

class UsageError extends Error {}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${name} must be one of ${allowed.join(', ')} (got "${value}")`);
}

function positiveInteger(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (/^[1-9]\d*$/.test(value)) return Number(value);
  throw new UsageError(`--${name} must be a positive whole number (got "${value}")`);
}

const SCAN_OPTIONS = {
  format: { type: 'string' },
  provider: { type: 'string' },
  'fail-on': { type: 'string' },
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  'slb-quota': { type: 'string' },
  ...PROVIDER_FLAG_OPTIONS,
  'no-color': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  if (argv[0] === 'fix') {
    const { fixCommand } = await import('./fix/command.js');
    return refuseEmptyStdin(io, (readStdin) => fixCommand(argv.slice(1), { ...io, readStdin }));
  }
  if (argv[0] === 'simulate') {
    const { simulateCommand } = await import('./simulate/command.js');
    return refuseEmptyStdin(io, (readStdin) => simulateCommand(argv.slice(1), { ...io, readStdin }));
  }
  if (argv[0] === 'demo') {
    const { demoCommand } = await import('./demo/command.js');
    return demoCommand(argv.slice(1), io);
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: SCAN_OPTIONS });
  } catch (error) {
    io.stderr(`rollsafe: ${flagError(error, SCAN_OPTIONS, 'scan')}\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    io.stdout(`rollsafe ${VERSION}\n`);
    return EXIT_OK;
  }
  const [command, ...paths] = positionals;
  if (values.help || command === undefined || command === 'help') {
    (values.help || command === 'help' ? io.stdout : io.stderr)(USAGE);
    return values.help || command === 'help' ? EXIT_OK : EXIT_USAGE;
  }
  if (command === 'profiles') {
    try {
      const loaded = providerFlagOptions({ ...(values.profile !== undefined ? { profile: values.profile } : {}) }, io.cwd);
      io.stdout(profilesText(values.format ?? 'text', loaded.profileOverrides));
      return EXIT_OK;
    } catch (error) {
      if (!(error instanceof ProviderFlagError)) throw error;
      io.stderr(`rollsafe: ${error.message}\n`);
      return EXIT_USAGE;
    }
  }
  if (command === 'rules') {
    if (paths.length > 0) return showRulePages(paths, io);
    for (const rule of RULES) io.stdout(`${rule.id.padEnd(32)} ${rule.requires.padEnd(8)} ${rule.severity.padEnd(40)} ${rule.title}\n`);
    return EXIT_OK;
  }
  if (command !== 'scan') {
    io.stderr(`rollsafe: unknown command "${command}"\n\n${USAGE}`);
    return EXIT_USAGE;
  }

  let format: (typeof FORMATS)[number];
  let failOn: (typeof FAIL_ON)[number];
  let provider: Provider | 'auto';
  let slbQuota: number | undefined;
  let providerFlags: Partial<AdvisorOptions>;
  try {
    providerFlags = providerFlagOptions(values, io.cwd);
    format = oneOf('format', values.format, FORMATS, 'text');
    failOn = oneOf('fail-on', values['fail-on'], FAIL_ON, 'critical');
    provider = oneOf('provider', values.provider, ['auto', ...PROVIDERS], 'auto');
    slbQuota = positiveInteger('slb-quota', values['slb-quota']);
    if (values.kubeconfig === undefined && values.context !== undefined) throw new UsageError('--context needs --kubeconfig');
    if (values.kubeconfig !== undefined && paths.length > 0) throw new UsageError('scan takes PATHs or --kubeconfig, not both');
    if (values.kubeconfig === undefined && paths.length === 0) {
      throw new UsageError('scan needs at least one PATH (a file, a directory, or - for stdin) or --kubeconfig FILE');
    }
  } catch (error) {
    if (!(error instanceof UsageError) && !(error instanceof ProviderFlagError)) throw error;
    io.stderr(`rollsafe: ${error.message}\n\n${USAGE}`);
    return EXIT_USAGE;
  }

  const docsBaseUrl = (io.env['ROLLSAFE_DOCS_BASE_URL'] || DEFAULT_DOCS_BASE_URL).replace(/\/+$/, '');
  const advisorOptions: AdvisorOptions = {
    docsBaseUrl,
    ...(provider === 'auto' ? {} : { provider }),
    ...(slbQuota === undefined ? {} : { slbAttachmentQuota: slbQuota }),
    ...providerFlags,
  };
  let report: ScanReport | ShardedScan;
  try {
    report =
      values.kubeconfig !== undefined
        ? await scanCluster(
            { kubeconfig: path.resolve(io.cwd, values.kubeconfig), ...(values.context !== undefined ? { context: values.context } : {}) },
            advisorOptions,
            io.stderr,
          )
        : format === 'json' && !io.isTty
          ? await scanManifestsForJson(paths, advisorOptions, nonEmptyStdin(io.readStdin), io.stderr)
          : await scanManifests(paths, advisorOptions, nonEmptyStdin(io.readStdin), io.stderr);
  } catch (error) {
    if (error instanceof EmptyStdinError) {
      io.stderr(`rollsafe: error: ${error.message}\n`);
      return EXIT_USAGE;
    }
    if (!(error instanceof ClusterScanError)) throw error;
    io.stderr(`rollsafe: error: ${error.code}: ${error.message}\n`);
    return EXIT_USAGE;
  }
  if ('shards' in report) {
    const pieces = report.json();
    if (io.stdoutPieces) await io.stdoutPieces(pieces);
    else for (const piece of pieces) io.stdout(piece);
    return reachesFailOn(report.summary, report.verdictSummary, failOn) ? EXIT_FINDINGS : EXIT_OK;
  }
  await printReport(report, { format, noColor: values['no-color'] === true, docsBaseUrl }, io);

  if (report.inputErrors.length > 0) return EXIT_USAGE;
  return reachesFailOn(report.result.summary, report.verdicts?.summary, failOn) ? EXIT_FINDINGS : EXIT_OK;
}

/** A Service drops traffic (`--fail-on drops`), or a finding is at least as severe as `--fail-on`. */
function reachesFailOn(summary: Summary, verdictSummary: VerdictSummary | undefined, failOn: (typeof FAIL_ON)[number]): boolean {
  if (failOn === 'drops') return (verdictSummary?.drops ?? 0) > 0;
  return failOn !== 'none' && SEVERITIES.some((severity) => summary[severity] > 0 && atLeast(severity, failOn));
}

interface PrintSettings {
  format: (typeof FORMATS)[number];
  noColor: boolean;
  docsBaseUrl: string;
}

async function printReport(report: ScanReport, { format, noColor, docsBaseUrl }: PrintSettings, io: CliIo): Promise<void> {
  switch (format) {
    case 'json':
      if (io.stdoutPieces) await io.stdoutPieces(formatJson(report, io.isTty));
      else for (const chunk of formatJson(report, io.isTty)) io.stdout(chunk);
      break;
    case 'sarif': {
      // Loaded only for SARIF: its fixes need the `yaml` package (about 80 ms to load).
      const { formatSarif } = await import('./formatters/sarif.js');
      io.stdout(formatSarif(report, VERSION, docsBaseUrl, io.cwd));
      break;
    }
    default: {
      const colour = io.isTty && !noColor && !io.env['NO_COLOR'];
      io.stdout(formatText(report, colour || io.env['FORCE_COLOR'] ? COLOURS : PLAIN, io.columns));
    }
  }
}

/** `rollsafe rules ID...`: each rule's page, from the docs shipped with the CLI. */
function showRulePages(ids: string[], io: CliIo): number {
  const unknown = ids.filter((id) => !RULES.some((rule) => rule.id === id));
  if (unknown.length > 0) {
    io.stderr(`rollsafe: unknown rule id(s): ${unknown.join(', ')} (rollsafe rules lists them)\n`);
    return EXIT_USAGE;
  }
  const pages: string[] = [];
  for (const id of ids) {
    const page = readRulePage(id);
    if (page === undefined) {
      io.stderr(`rollsafe: error: the page of ${id} (docs/rules/${id}.md) is not installed with this CLI\n`);
      return EXIT_USAGE;
    }
    pages.push(page);
  }
  io.stdout(pages.join('\n'));
  return EXIT_OK;
}

/** Runs a command whose `-` must not be empty: exit 2 with a message when it is. */
async function refuseEmptyStdin(io: CliIo, command: (readStdin: () => Promise<string>) => Promise<number>): Promise<number> {
  try {
    return await command(nonEmptyStdin(io.readStdin));
  } catch (error) {
    if (!(error instanceof EmptyStdinError)) throw error;
    io.stderr(`rollsafe: error: ${error.message}\n`);
    return EXIT_USAGE;
  }
}
