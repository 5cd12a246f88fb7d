// `rollsafe simulate PATH... | --kubeconfig FILE`: replays a rolling update of each workload
// behind each Service and prints the windows in which traffic is lost (SIMULATOR.md).
import { parseArgs } from 'node:util';
import type { Snapshot } from '#rollsafe/advisor';
import { CLI_LIMITS, formatManifestError, parseManifests, readManifestPaths } from '#rollsafe/manifests';
import { simulateSnapshot, simulationContract, timelineSvg, type SimulationOverrides, type SimulationRun } from '#rollsafe/simulator';
import { flagError } from '../flags.js';
import { ProviderFlagError, providerFlagOptions } from '../provider-flags.js';
import { formatRunText } from './text.js';

export interface SimulateIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readStdin: () => Promise<string>;
  isTty: boolean;
}

export const SIMULATE_USAGE = `Usage: rollsafe simulate PATH... [options]
       rollsafe simulate --kubeconfig FILE [--context NAME] [options]

Replays a rolling update of each Deployment, StatefulSet or DaemonSet behind each Service,
second by second, on the Service's request path, and prints when and where traffic is lost
and the smallest change that makes the rollout safe (each checked by simulating again).

Options:
  --workload KIND/NS/NAME      only this workload (KIND and NS optional: NS/NAME, NAME)
  --service NS/NAME            only this Service
  --provider auto|alibaba|aws|gcp|azure|tencent
                               provider profile (default: auto: detected, else alibaba)
  --nodes N                    nodes the pods spread over (manifests; default: replicas)
  --in-place                   each new pod starts on the node of the old pod it replaces
  --kubernetes-version V       e.g. 1.25 (default 1.30; live: the cluster's)
  --profile FILE               provider profile values instead of the built-in ones (docs/providers.md)
  --endpoint-propagation S     E: endpoints + kube-proxy sync, seconds
  --lb-removal S               L: LB backend removal after the pod's deletion, seconds
  --lb-add S                   LB backend add after Ready, seconds
  --pod-start S                scheduling to running, seconds (default 2)
  --app-warmup S               running to serving, seconds (default 10)
  --app-shutdown S             SIGTERM to stopped serving, seconds (default 0)
  --drain on|off               LB connection draining (default: the Service's annotations, the profile)
  --drain-timeout S            LB drain timeout, seconds
  --format text|json|svg       output (default text; svg draws one simulation)
  -h, --help                   show this help

Exit codes: 0 every simulated Service is safe, 1 one drops traffic, 2 usage or input errors.
`;

class UsageError extends Error {}

function seconds(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value);
  throw new UsageError(`--${name} must be a number of seconds (got "${value}")`);
}

function workloadRef(value: string | undefined): { kind?: string; namespace?: string; name: string } | undefined {
  if (value === undefined) return undefined;
  const parts = value.split('/');
  if (parts.some((p) => p === '') || parts.length > 3) throw new UsageError(`--workload must be KIND/NS/NAME, NS/NAME or NAME (got "${value}")`);
  if (parts.length === 3) return { kind: parts[0] as string, namespace: parts[1] as string, name: parts[2] as string };
  if (parts.length === 2) return { namespace: parts[0] as string, name: parts[1] as string };
  return { name: parts[0] as string };
}

export const SIMULATE_OPTIONS = {
  workload: { type: 'string' },
  service: { type: 'string' },
  provider: { type: 'string' },
  nodes: { type: 'string' },
  'in-place': { type: 'boolean' },
  'kubernetes-version': { type: 'string' },
  profile: { type: 'string' },
  'endpoint-propagation': { type: 'string' },
  'lb-removal': { type: 'string' },
  'lb-add': { type: 'string' },
  'pod-start': { type: 'string' },
  'app-warmup': { type: 'string' },
  'app-shutdown': { type: 'string' },
  drain: { type: 'string' },
  'drain-timeout': { type: 'string' },
  format: { type: 'string' },
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  'no-color': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseSimulateArgs(argv: string[]) {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: SIMULATE_OPTIONS });
  const format = values.format ?? 'text';
  if (!['text', 'json', 'svg'].includes(format)) throw new UsageError(`--format must be one of text, json, svg (got "${format}")`);
  if (values.provider !== undefined && !['alibaba', 'aws', 'gcp', 'azure', 'tencent', 'auto'].includes(values.provider)) {
    throw new UsageError(`--provider must be one of auto, alibaba, aws, gcp, azure, tencent (got "${values.provider}")`);
  }
  if (values.drain !== undefined && values.drain !== 'on' && values.drain !== 'off') throw new UsageError(`--drain must be on or off (got "${values.drain}")`);
  const nodes = values.nodes;
  if (nodes !== undefined && !/^[1-9]\d*$/.test(nodes)) throw new UsageError(`--nodes must be a positive whole number (got "${nodes}")`);
  const version = values['kubernetes-version'];
  if (version !== undefined && !/^v?1\.\d+(\.\d+)?$/.test(version)) throw new UsageError(`--kubernetes-version must look like 1.30 (got "${version}")`);
  const overrides: SimulationOverrides = {};
  const set = <K extends keyof SimulationOverrides>(key: K, value: SimulationOverrides[K] | undefined): void => {
    if (value !== undefined) overrides[key] = value;
  };
  set('nodes', nodes === undefined ? undefined : Number(nodes));
  set('inPlace', values['in-place'] ? true : undefined);
  set('kubernetesVersion', version?.replace(/^v/, ''));
  set('E', seconds('endpoint-propagation', values['endpoint-propagation']));
  set('L', seconds('lb-removal', values['lb-removal']));
  set('lbAdd', seconds('lb-add', values['lb-add']));
  set('podStart', seconds('pod-start', values['pod-start']));
  set('appWarmup', seconds('app-warmup', values['app-warmup']));
  set('appShutdown', seconds('app-shutdown', values['app-shutdown']));
  set('drain', values.drain === undefined ? undefined : values.drain === 'on');
  set('drainTimeout', seconds('drain-timeout', values['drain-timeout']));
  const service = values.service === undefined ? undefined : workloadRef(values.service);
  if (service && service.kind) throw new UsageError(`--service must be NS/NAME or NAME (got "${values.service}")`);
  if (values.kubeconfig !== undefined && positionals.length > 0) throw new UsageError('simulate takes PATHs or --kubeconfig, not both');
  if (values.kubeconfig === undefined && values.context !== undefined) throw new UsageError('--context needs --kubeconfig');
  if (!values.help && values.kubeconfig === undefined && positionals.length === 0) {
    throw new UsageError('simulate needs at least one PATH (a file, a directory, or - for stdin) or --kubeconfig FILE');
  }
  return {
    help: values.help === true,
    format: format as 'text' | 'json' | 'svg',
    paths: positionals,
    kubeconfig: values.kubeconfig,
    context: values.context,
    provider: values.provider === undefined || values.provider === 'auto' ? undefined : values.provider,
    workload: workloadRef(values.workload),
    service,
    profile: values.profile,
    overrides: { ...overrides, ...(values.provider && values.provider !== 'auto' ? { provider: values.provider } : {}) },
  };
}

async function clusterSnapshot(kubeconfig: string, context: string | undefined, stderr: (text: string) => void): Promise<Snapshot> {
  const kube = await import('#rollsafe/kube');
  const credentials = await kube.loadLocalKubeconfig(kubeconfig, context);
  const collected = await kube.collectClusterSnapshot(credentials, { outbound: kube.OutboundPolicy.unrestricted() });
  for (const warning of collected.warnings) stderr(`rollsafe: warning: ${warning}\n`);
  return collected.snapshot;
}

/** Runs `rollsafe simulate`; returns the exit code. */
export async function simulateCommand(argv: string[], io: SimulateIo): Promise<number> {
  let args;
  try {
    args = parseSimulateArgs(argv);
  } catch (error) {
    io.stderr(`rollsafe: ${flagError(error, SIMULATE_OPTIONS, 'simulate')}\n\n${SIMULATE_USAGE}`);
    return 2;
  }
  if (args.help) {
    io.stdout(SIMULATE_USAGE);
    return 0;
  }
  if (args.profile !== undefined) {
    try {
      const loaded = providerFlagOptions({ profile: args.profile }, (io as { cwd?: string }).cwd ?? process.cwd());
      if (loaded.profileOverrides) args.overrides = { ...args.overrides, profileOverrides: loaded.profileOverrides };
    } catch (error) {
      if (!(error instanceof ProviderFlagError)) throw error;
      io.stderr(`rollsafe: ${error.message}\n\n${SIMULATE_USAGE}`);
      return 2;
    }
  }
  let snapshot: Snapshot;
  let inputErrors = 0;
  if (args.kubeconfig !== undefined) {
    try {
      snapshot = await clusterSnapshot(args.kubeconfig, args.context, io.stderr);
    } catch (error) {
      const code = (error as { code?: string }).code;
      io.stderr(`rollsafe: error: ${code ? `${code}: ` : ''}${(error as Error).message}\n`);
      return 2;
    }
  } else {
    const read = await readManifestPaths(args.paths, io.readStdin);
    const parsed = parseManifests(read.inputs, CLI_LIMITS);
    const errors = [...read.errors, ...parsed.errors];
    for (const error of errors) io.stderr(`rollsafe: error: ${formatManifestError(error)}\n`);
    inputErrors = errors.length;
    snapshot = parsed.snapshot;
  }
  const runs: SimulationRun[] = simulateSnapshot(snapshot, {
    ...(args.provider ? { provider: args.provider } : {}),
    overrides: args.overrides,
    ...(args.workload ? { workload: args.workload } : {}),
    ...(args.service ? { service: args.service } : {}),
  });
  if (runs.length === 0) {
    io.stderr(
      `rollsafe: nothing to simulate: ${args.workload || args.service ? 'no Service selects that workload' : 'no Service selects a Deployment, StatefulSet or DaemonSet'}\n`,
    );
    return 2;
  }
  if (args.format === 'svg') {
    const drawable = runs.filter((r) => r.result);
    if (drawable.length !== 1) {
      io.stderr(`rollsafe: --format svg draws one simulation; ${drawable.length} matched: choose one with --workload or --service\n`);
      return 2;
    }
    io.stdout(timelineSvg(drawable[0]?.result as NonNullable<SimulationRun['result']>));
  } else if (args.format === 'json') {
    io.stdout(JSON.stringify(runs.map(simulationContract), null, io.isTty ? 2 : undefined) + '\n');
  } else {
    io.stdout(runs.map(formatRunText).join('\n'));
    const drops = runs.filter((r) => r.result?.verdict === 'drops').length;
    const unknown = runs.filter((r) => !r.result).length;
    io.stdout(`\n${drops} of ${runs.length} simulated Service rollout(s) drop traffic${unknown ? `, ${unknown} unknown` : ''}\n`);
  }
  if (inputErrors > 0) return 2;
  return runs.some((r) => r.result?.verdict === 'drops') ? 1 : 0;
}
