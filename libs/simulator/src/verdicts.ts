// The per-Service verdict: for every load-balanced Service of a snapshot, will a rollout of
// the workload behind it drop traffic, where, for how long, which findings explain it and
// the smallest change that makes it safe. Linear in the snapshot: one index, each workload's
// own pods, node names sorted once.
import {
  SnapshotIndex,
  ingressBackendServices,
  isLoadBalancer,
  l7PathsOf,
  nameOf,
  namespaceOf,
  providerForService,
  serviceType,
  type Finding,
  type IngressLike,
  type LbPath,
  type Pod,
  type Provider,
  type Service,
  type Snapshot,
  type Workload,
} from '#rollsafe/advisor';
import { CITED_RULE_IDS, causesOf, ruleIdsForCauses, searchFixes } from './fixes.js';
import { DEFAULTS, pathOf, resolveParams, type SimulationOverrides } from './params.js';
import { compareNames, simulate } from './simulate.js';
import { SimulationMemo } from './simulation-memo.js';
import { timelineSvg } from './svg.js';
import type { InitialPod, ServiceVerdict, SimulationInput, SimulationResult } from './types.js';

export interface VerdictOptions {
  /** A provider the user names; wins over detection (default: detected, else alibaba). */
  provider?: Provider | string;
  /** The scan's findings: a verdict then names the findings (fingerprints) that explain it. */
  findings?: readonly Finding[];
  /** Simulation overrides (CLI flags, API parameters). */
  overrides?: SimulationOverrides;
  /** Also judge Services that are not type LoadBalancer (NodePort, ClusterIP). Default false. */
  allServices?: boolean;
  /** Reuse an index already built for this snapshot. */
  index?: SnapshotIndex;
  /** Search fixes for Services that drop traffic (default true). */
  fixes?: boolean;
}

export interface VerdictSummary {
  services: number;
  drops: number;
  safe: number;
  unknown: number;
}

export interface ServiceVerdicts {
  verdicts: ServiceVerdict[];
  summary: VerdictSummary;
}

const SIMULATED_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

/** One sentence for the top of a report: "3 of 41 Services drop traffic on rollout". */
export function verdictHeadline(summary: VerdictSummary): string {
  const unknown = summary.unknown > 0 ? ` (${summary.unknown} unknown)` : '';
  return `${summary.drops} of ${summary.services} Service${summary.services === 1 ? '' : 's'} drop traffic on rollout${unknown}`;
}

/** Verdicts for every load-balanced Service of a snapshot, in namespace/name order. Pure. */
export function serviceVerdicts(snapshot: Snapshot, options: VerdictOptions = {}): ServiceVerdicts {
  const index = options.index ?? new SnapshotIndex(snapshot);
  const detected = index.detectedProvider;
  const named = (options.provider as Provider | undefined) ?? detected.fromNodes;
  const live = snapshot.facts.source === 'cluster';
  const liveNodes = live ? liveNodeNames(snapshot) : undefined;
  const findingsByResource = indexFindings(options.findings);
  const memo = new SimulationMemo();
  const verdicts: ServiceVerdict[] = [];
  for (const service of snapshot.services) {
    const ingresses = index.ingressesIn(namespaceOf(service));
    if (ingresses.length === 0 && !ownRoute(service, options)) continue; // no load balancer in front of it: no verdict
    const provider = providerForService(service, named, detected.fromAnnotations) ?? DEFAULTS.provider;
    const routes = routesOf(ingresses, service, provider, options);
    if (routes.length === 0) continue;
    verdicts.push(verdictFor(index, service, provider, options, liveNodes, snapshot.facts.kubernetesVersion, findingsByResource, routes, memo));
  }
  verdicts.sort((a, b) => compareNames(a.service.namespace, b.service.namespace) || compareNames(a.service.name, b.service.name));
  const summary: VerdictSummary = { services: verdicts.length, drops: 0, safe: 0, unknown: 0 };
  for (const v of verdicts) summary[v.verdict]++;
  return { verdicts, summary };
}

/**
 * The load balancers a verdict simulates a Service behind: its own (a LoadBalancer Service, or
 * every Service with `allServices`; `undefined` stands for it) and every L7 one an Ingress puts
 * in front of it (AWS ALB, GKE NEG: PROVIDERS.md section 3 rows), so a NodePort or ClusterIP
 * Service behind an ALB Ingress gets a verdict on the ALB's row.
 */
function routesOf(ingresses: readonly IngressLike[], service: Service, provider: string, options: VerdictOptions): Array<LbPath | undefined> {
  const own = ownRoute(service, options) ? [undefined] : [];
  return [...own, ...ingressRoutes(ingresses, service, provider, options)];
}

function ownRoute(service: Service, options: VerdictOptions): boolean {
  return options.allServices === true || isLoadBalancer(service);
}

/** The one load balancer `rollsafe simulate` replays a Service behind: its own when it is a LoadBalancer, else an Ingress's. */
function primaryRoute(ingresses: readonly IngressLike[], service: Service, provider: string, options: VerdictOptions): LbPath | undefined {
  if (isLoadBalancer(service)) return undefined;
  return ingressRoutes(ingresses, service, provider, options)[0];
}

/**
 * L7 paths an Ingress of the snapshot really sends the Service: the ALB's always come from one;
 * GKE's NEG path needs one too (the Service's NEG annotation alone does not show that an
 * Ingress uses it, and its drain default of 0 s is unverified: PROVIDERS.md section 6).
 */
function ingressRoutes(ingresses: readonly IngressLike[], service: Service, provider: string, options: VerdictOptions): LbPath[] {
  if (ingresses.length === 0) return [];
  const referenced = ingresses.some((ingress) => ingressBackendServices(ingress).includes(nameOf(service)));
  return l7PathsOf(service, provider as Provider, options.overrides?.profileOverrides, ingresses).filter(
    (path) => path.profile.id !== 'gke.neg.l7' || referenced,
  );
}

function liveNodeNames(snapshot: Snapshot): string[] {
  return snapshot.nodes
    .filter((n) => !n.spec?.unschedulable)
    .map((n) => nameOf(n))
    .sort(compareNames);
}

function isReady(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Findings a verdict can cite (CITED_RULE_IDS), by kind, namespace and name of their resource. */
type FindingsByResource = Map<string, Map<string, Map<string, Finding[]>>>;

function indexFindings(findings: readonly Finding[] | undefined): FindingsByResource | undefined {
  if (!findings) return undefined;
  const byKind: FindingsByResource = new Map();
  for (const f of findings) {
    if (!CITED_RULE_IDS.has(f.ruleId)) continue;
    const { kind, namespace, name } = f.resource;
    let byNamespace = byKind.get(kind);
    if (!byNamespace) byKind.set(kind, (byNamespace = new Map()));
    let byName = byNamespace.get(namespace);
    if (!byName) byNamespace.set(namespace, (byName = new Map()));
    const list = byName.get(name);
    if (list) list.push(f);
    else byName.set(name, [f]);
  }
  return byKind;
}

function findingsOf(index: FindingsByResource, kind: string, namespace: string, name: string): readonly Finding[] {
  return index.get(kind)?.get(namespace)?.get(name) ?? [];
}

function unknownVerdict(service: Service, missing: string[], workload: Workload | null, notes: string[] = []): ServiceVerdict {
  return {
    service: { namespace: namespaceOf(service), name: nameOf(service), type: serviceType(service), path: pathOf(service) },
    workload: workload ? { kind: workload.kind, namespace: workload.namespace, name: workload.name } : null,
    verdict: 'unknown',
    missing,
    droppedTrafficSeconds: 0,
    windows: [],
    ruleIds: [],
    findings: [],
    fixes: [],
    afterFixes: null,
    parameters: null,
    parameterSources: {},
    notes,
    durationSeconds: 0,
  };
}

/** The simulation input for one workload behind one Service (also what `rollsafe simulate` runs). */
export function simulationInputFor(
  index: SnapshotIndex,
  workload: Workload,
  service: Service,
  provider: string,
  overrides: SimulationOverrides,
  live: { nodeNames?: string[]; kubernetesVersion?: string },
  route?: LbPath,
): { input: SimulationInput; missing: string[] } {
  const livePods = live.nodeNames ? index.podsOf(workload).filter((p) => !p.metadata?.deletionTimestamp && p.spec?.nodeName) : undefined;
  const resolved = resolveParams(
    index,
    workload,
    service,
    provider,
    overrides,
    {
      ...(live.nodeNames && overrides.nodes === undefined ? { nodes: live.nodeNames.length } : {}),
      ...(live.kubernetesVersion ? { kubernetesVersion: live.kubernetesVersion } : {}),
    },
    route,
  );
  const input: SimulationInput = {
    workload: { kind: workload.kind, namespace: workload.namespace, name: workload.name },
    service: { namespace: namespaceOf(service), name: nameOf(service) },
    params: resolved.params,
    sources: resolved.sources,
    notes: resolved.notes,
  };
  if (live.nodeNames && overrides.nodes === undefined) {
    input.nodeNames = live.nodeNames;
    const initial: InitialPod[] = (livePods ?? []).map((p) => ({ name: nameOf(p), node: p.spec?.nodeName as string, ready: isReady(p) }));
    initial.sort((a, b) => compareNames(a.name, b.name));
    input.initialPods = initial;
    if (workload.kind === 'DaemonSet') input.params = { ...input.params, replicas: Math.max(1, initial.length) };
    if (initial.length === 0) resolved.missing.push('running pods of the workload (none found in the cluster)');
  }
  return { input, missing: resolved.missing };
}

function verdictFor(
  index: SnapshotIndex,
  service: Service,
  provider: string,
  options: VerdictOptions,
  liveNodes: string[] | undefined,
  kubernetesVersion: string | undefined,
  findings: FindingsByResource | undefined,
  routes: Array<LbPath | undefined>,
  memo: SimulationMemo,
): ServiceVerdict {
  const all = index.workloadsOf(service);
  const workloads = all.filter((w) => SIMULATED_KINDS.has(w.kind));
  if (workloads.length === 0) {
    return unknownVerdict(
      service,
      [
        all.length > 0
          ? `a Deployment, StatefulSet or DaemonSet behind the Service (it selects only ${all.map((w) => `${w.kind} ${w.name}`).join(', ')})`
          : 'the workload behind the Service (its selector matches none in the snapshot)',
      ],
      all[0] ?? null,
    );
  }
  let worst: { result: SimulationResult; input: SimulationInput; workload: Workload } | undefined;
  for (const workload of workloads) {
    for (const route of routes) {
      const { input, missing } = simulationInputFor(
        index,
        workload,
        service,
        provider,
        options.overrides ?? {},
        {
          ...(liveNodes ? { nodeNames: liveNodes } : {}),
          ...(kubernetesVersion ? { kubernetesVersion } : {}),
        },
        route,
      );
      if (missing.length > 0) return unknownVerdict(service, missing, workload, input.notes ?? []);
      const result = memo.simulate(input);
      if (!worst || rank(result) > rank(worst.result)) worst = { result, input, workload };
    }
  }
  const { result, input, workload } = worst as { result: SimulationResult; input: SimulationInput; workload: Workload };
  const notes = [...result.notes];
  if (workloads.length > 1) notes.push(`The Service selects ${workloads.length} workloads; each was simulated alone and the worst is shown.`);
  if (routes.length > 1)
    notes.push(`The Service sits behind ${routes.length} load balancers (its own and Ingresses'); each was simulated and the worst is shown.`);
  const causes = causesOf(result);
  const candidates = ruleIdsForCauses(causes);
  let ruleIds = candidates;
  let fingerprints: string[] = [];
  if (findings) {
    const related = [
      ...findingsOf(findings, workload.kind, workload.namespace, workload.name),
      ...findingsOf(findings, 'Service', namespaceOf(service), nameOf(service)),
    ].filter((f) => candidates.includes(f.ruleId));
    ruleIds = [...new Set(related.map((f) => f.ruleId))];
    fingerprints = related.map((f) => f.fingerprint);
  }
  const container = index.servingContainers(workload)[0]?.name ?? '<container>';
  const search = options.fixes === false ? { fixes: [], after: null } : memo.searchFixes(input, result, { container, service: input.service.name });
  return {
    service: { namespace: namespaceOf(service), name: nameOf(service), type: serviceType(service), path: result.service.path },
    workload: { kind: workload.kind, namespace: workload.namespace, name: workload.name },
    verdict: result.verdict,
    missing: [],
    droppedTrafficSeconds: result.droppedTrafficSeconds,
    windows: result.windows,
    ruleIds,
    findings: fingerprints,
    fixes: search.fixes,
    afterFixes: search.after ? { verdict: search.after.verdict, droppedTrafficSeconds: search.after.droppedTrafficSeconds } : null,
    parameters: result.parameters,
    parameterSources: input.sources as Record<string, string>, // every source is a string; the input is this verdict's own
    notes,
    durationSeconds: result.durationSeconds,
  };
}

function rank(result: SimulationResult): number {
  return (result.verdict === 'drops' ? 1e9 : 0) + result.droppedTrafficSeconds + result.windows.length * 1e-6;
}

/** One Service's simulation for `rollsafe simulate` and the API: the contract object, or what is missing. */
export interface SimulationRun {
  service: { namespace: string; name: string };
  workload: { kind: string; namespace: string; name: string } | null;
  result: SimulationResult | null;
  missing: string[];
  fixes: ServiceVerdict['fixes'];
  afterFixes: ServiceVerdict['afterFixes'];
  ruleIds: string[];
}

export interface SimulateOptions extends VerdictOptions {
  /** Only this workload (kind optional, namespace default "default"). */
  workload?: { kind?: string; namespace?: string; name: string };
  /** Only this Service. */
  service?: { namespace?: string; name: string };
}

/**
 * Simulates every Service that selects a Deployment, StatefulSet or DaemonSet (ClusterIP ones
 * on the internal path), or the one workload / Service asked for. Pure.
 */
export function simulateSnapshot(snapshot: Snapshot, options: SimulateOptions = {}): SimulationRun[] {
  const index = options.index ?? new SnapshotIndex(snapshot);
  const detected = index.detectedProvider;
  const named = (options.provider as Provider | undefined) ?? detected.fromNodes;
  const liveNodes = snapshot.facts.source === 'cluster' ? liveNodeNames(snapshot) : undefined;
  const runs: SimulationRun[] = [];
  for (const service of snapshot.services) {
    if (options.service && (nameOf(service) !== options.service.name || namespaceOf(service) !== (options.service.namespace ?? 'default'))) continue;
    const provider = providerForService(service, named, detected.fromAnnotations) ?? DEFAULTS.provider;
    for (const workload of index.workloadsOf(service)) {
      if (!SIMULATED_KINDS.has(workload.kind)) continue;
      const want = options.workload;
      if (want && (workload.name !== want.name || workload.namespace !== (want.namespace ?? 'default') || (want.kind && want.kind !== workload.kind))) continue;
      const { input, missing } = simulationInputFor(
        index,
        workload,
        service,
        provider,
        options.overrides ?? {},
        {
          ...(liveNodes ? { nodeNames: liveNodes } : {}),
          ...(snapshot.facts.kubernetesVersion ? { kubernetesVersion: snapshot.facts.kubernetesVersion } : {}),
        },
        primaryRoute(index.ingressesIn(namespaceOf(service)), service, provider, options),
      );
      const base = {
        service: { namespace: namespaceOf(service), name: nameOf(service) },
        workload: { kind: workload.kind, namespace: workload.namespace, name: workload.name },
      };
      if (missing.length > 0) {
        runs.push({ ...base, result: null, missing, fixes: [], afterFixes: null, ruleIds: [] });
        continue;
      }
      const result = simulate(input);
      const container = index.servingContainers(workload)[0]?.name ?? '<container>';
      const search = options.fixes === false ? { fixes: [], after: null } : searchFixes(input, result, container);
      runs.push({
        ...base,
        result,
        missing: [],
        fixes: search.fixes,
        afterFixes: search.after ? { verdict: search.after.verdict, droppedTrafficSeconds: search.after.droppedTrafficSeconds } : null,
        ruleIds: ruleIdsForCauses(causesOf(result)),
      });
    }
  }
  runs.sort((a, b) => compareNames(a.service.namespace, b.service.namespace) || compareNames(a.service.name, b.service.name));
  return runs;
}

/** The JSON contract of SIMULATOR.md for one run (pods and node spans left to the picture). */
export function simulationContract(run: SimulationRun): Record<string, unknown> {
  if (!run.result) return { workload: run.workload, service: run.service, verdict: 'unknown', missing: run.missing };
  const { pods: _pods, lbNodes: _lbNodes, ...rest } = run.result;
  return {
    workload: rest.workload,
    service: rest.service,
    parameters: rest.parameters,
    parameterSources: rest.parameterSources,
    verdict: rest.verdict,
    droppedTrafficSeconds: rest.droppedTrafficSeconds,
    windows: rest.windows,
    steps: rest.steps,
    fixes: run.fixes,
    afterFixes: run.afterFixes,
    ruleIds: run.ruleIds,
    durationSeconds: rest.durationSeconds,
    notes: rest.notes,
  };
}

/**
 * The SVG timeline of one Service (the API's `image/svg+xml`): its worst workload's rollout,
 * simulated with the same options as its verdict. Undefined when the Service is not in the
 * snapshot or its verdict is unknown.
 */
export function serviceTimelineSvg(snapshot: Snapshot, service: { namespace: string; name: string }, options: VerdictOptions = {}): string | undefined {
  const runs = simulateSnapshot(snapshot, { ...options, service, fixes: false }).filter((run) => run.result);
  if (runs.length === 0) return undefined;
  const worst = runs.reduce((a, b) => (rank(b.result as SimulationResult) > rank(a.result as SimulationResult) ? b : a));
  return timelineSvg(worst.result as SimulationResult);
}
