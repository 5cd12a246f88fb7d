// The smallest set of changes that makes a simulation safe: candidates chosen from the
// causes of the windows, each kept only if simulating again with it applied helps, then
// pruned (a fix the others make unnecessary is dropped). Every set returned was simulated.
// The search reads the parameters only; the container and Service names go into the fixes'
// text afterwards (describeFixes), so Services with equal parameters can share one search.
import { simulate, servesTerminatingEndpoints } from './simulate.js';
import type { Fix, SimulationInput, SimulationParams, SimulationResult, WindowCause } from './types.js';

function versionAtLeast(version: string, minor: number): boolean {
  const match = /^v?(\d+)\.(\d+)/.exec(version);
  return !match || Number(match[1]) > 1 || Number(match[2]) >= minor;
}

/** Fix trials need the verdict and the windows only. */
const LITE = { detail: false };

/** The names a fix's text and YAML carry. */
export interface FixNames {
  container: string;
  service: string;
}

export interface FixCandidate {
  id: string;
  ruleIds: string[];
  apply: (p: SimulationParams) => SimulationParams;
  describe: (names: FixNames) => { change: string; yaml: string };
}

const CAUSE_RULES: Record<WindowCause, string[]> = {
  'not-ready-endpoint': ['readiness-probe-missing'],
  'stopped-before-removed': ['prestop-hook-missing', 'prestop-sleep-too-short'],
  'killed-during-prestop': ['termination-grace-too-short'],
  'node-without-endpoint': ['local-traffic-rollout-unsafe', 'local-traffic-node-single-pod'],
  'connections-cut': ['lb-connection-drain-off', 'lb-drain-exceeds-grace'],
  'capacity-dip': ['single-replica', 'rollout-capacity-dip', 'recreate-strategy', 'lb-readiness-gate-missing', 'lb-registration-outpaces-rollout'],
};

/** Every rule id whose findings a verdict can cite. */
export const CITED_RULE_IDS: ReadonlySet<string> = new Set(Object.values(CAUSE_RULES).flat());

/** Rule ids whose findings explain windows of these causes. */
export function ruleIdsForCauses(causes: Iterable<WindowCause>): string[] {
  const ids = new Set<string>();
  for (const cause of causes) for (const id of CAUSE_RULES[cause]) ids.add(id);
  return [...ids];
}

export function causesOf(result: SimulationResult): Set<WindowCause> {
  return new Set(result.windows.filter((w) => w.cause !== 'capacity-dip' || w.share >= 1).map((w) => w.cause));
}

/** The removal delay a preStop sleep must cover on this path. */
function removalDelay(p: SimulationParams): number {
  if (p.path === 'pod') return p.L;
  if (p.path === 'local') return Math.max(p.E, p.L);
  return p.E;
}

export function preStopNeeded(p: SimulationParams): number {
  return p.path === 'internal' ? Math.max(5, p.E + 1) : Math.max(15, removalDelay(p) + 5);
}

function graceFor(p: SimulationParams, preStop: number): number {
  return Math.max(p.G, preStop + Math.max(p.appShutdown, 30));
}

function container(name: string, body: string): string {
  return `spec:\n  template:\n    spec:\n      containers:\n        - name: ${name}\n${body
    .split('\n')
    .map((l) => `          ${l}`)
    .join('\n')}`;
}

function candidatesFor(cause: WindowCause, p: SimulationParams): FixCandidate[] {
  const out: FixCandidate[] = [];
  const preStopFix = (): FixCandidate => {
    const P = Math.max(p.P, preStopNeeded(p));
    const G = graceFor(p, P + p.appShutdown);
    const graceChange = G !== p.G;
    const sleep = versionAtLeast(p.kubernetesVersion, 30) ? `sleep:\n      seconds: ${P}` : `exec:\n      command: ["sleep", "${P}"]`;
    return {
      id: 'prestop',
      ruleIds: ['prestop-hook-missing', 'prestop-sleep-too-short', ...(graceChange ? ['termination-grace-too-short'] : [])],
      apply: (q) => ({ ...q, P: Math.max(q.P, P), G: Math.max(q.G, G) }),
      describe: (names) => ({
        change: `preStop sleep ${P}s${graceChange ? ` and terminationGracePeriodSeconds ${G}` : ''}`,
        yaml: graceChange
          ? `spec:\n  template:\n    spec:\n      terminationGracePeriodSeconds: ${G}\n${container(names.container, `lifecycle:\n  preStop:\n    ${sleep}`).split('\n').slice(3).join('\n')}`
          : container(names.container, `lifecycle:\n  preStop:\n    ${sleep}`),
      }),
    };
  };
  switch (cause) {
    case 'not-ready-endpoint':
      out.push({
        id: 'readiness',
        ruleIds: ['readiness-probe-missing'],
        apply: (q) => ({ ...q, readinessProbe: { initialDelaySeconds: 0, periodSeconds: 5, successThreshold: 1 } }),
        describe: (names) => ({
          change: 'readinessProbe on the serving port (periodSeconds 5)',
          yaml: container(names.container, 'readinessProbe:\n  tcpSocket:\n    port: <serving port>\n  periodSeconds: 5'),
        }),
      });
      break;
    case 'stopped-before-removed':
      out.push(preStopFix());
      break;
    case 'killed-during-prestop': {
      const G = p.P + p.appShutdown + 30;
      out.push({
        id: 'grace',
        ruleIds: ['termination-grace-too-short'],
        apply: (q) => ({ ...q, G: Math.max(q.G, G) }),
        describe: () => ({ change: `terminationGracePeriodSeconds ${G}`, yaml: `spec:\n  template:\n    spec:\n      terminationGracePeriodSeconds: ${G}` }),
      });
      break;
    }
    case 'node-without-endpoint':
      if (servesTerminatingEndpoints(p.kubernetesVersion)) out.push(preStopFix());
      out.push({
        id: 'in-place',
        ruleIds: ['local-traffic-rollout-unsafe'],
        apply: (q) => ({ ...q, maxSurge: Math.max(1, Math.ceil(q.replicas / 2)), maxUnavailable: 0, inPlace: true }),
        describe: () => ({
          change: 'in-place rollout: maxSurge 50%, maxUnavailable 0, pods pinned to the LB node set (node affinity)',
          yaml: 'spec:\n  strategy:\n    type: RollingUpdate\n    rollingUpdate:\n      maxSurge: 50%\n      maxUnavailable: 0\n  template:\n    spec:\n      affinity:\n        nodeAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n            nodeSelectorTerms:\n              - matchExpressions:\n                  - { key: <lb-node-label>, operator: In, values: ["true"] }',
        }),
      });
      if (p.provider === 'alibaba') {
        out.push({
          id: 'eni',
          ruleIds: ['local-traffic-rollout-unsafe', 'eni-backend-recommended'],
          apply: (q) => ({ ...q, path: 'pod' }),
          describe: () => ({
            change: 'ENI mode: pods are the SLB backends (service.beta.kubernetes.io/backend-type: eni)',
            yaml: 'metadata:\n  annotations:\n    service.beta.kubernetes.io/backend-type: "eni"',
          }),
        });
      }
      break;
    case 'connections-cut': {
      const timeout = Math.min(900, Math.max(10, p.G - p.P - p.appShutdown));
      const G = Math.max(p.G, p.P + p.appShutdown + timeout);
      out.push({
        id: 'drain',
        ruleIds: ['lb-connection-drain-off'],
        apply: (q) => ({ ...q, drain: true, drainTimeout: timeout, G: Math.max(q.G, G) }),
        describe: () => ({
          change: `connection draining on, timeout ${timeout}s${G !== p.G ? ` (terminationGracePeriodSeconds ${G})` : ''}`,
          yaml:
            p.provider === 'aws'
              ? `metadata:\n  annotations:\n    service.beta.kubernetes.io/aws-load-balancer-target-group-attributes: deregistration_delay.timeout_seconds=${timeout}`
              : `metadata:\n  annotations:\n    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain: "on"\n    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain-timeout: "${timeout}"`,
        }),
      });
      break;
    }
    case 'capacity-dip':
      if (p.path === 'pod' && !p.readinessGate) {
        out.push({
          id: 'gate',
          ruleIds: ['lb-readiness-gate-missing', 'lb-registration-outpaces-rollout'],
          apply: (q) => ({ ...q, readinessGate: true }),
          describe: (names) => ({
            change: `readiness gate of the load balancer (${
              p.provider === 'alibaba'
                ? `service.readiness.alibabacloud.com/${names.service}`
                : p.provider === 'aws'
                  ? 'namespace label elbv2.k8s.aws/pod-readiness-gate-inject: enabled'
                  : 'the provider gate'
            })`,
            yaml:
              p.provider === 'aws'
                ? 'apiVersion: v1\nkind: Namespace\nmetadata:\n  labels:\n    elbv2.k8s.aws/pod-readiness-gate-inject: enabled'
                : p.provider === 'alibaba'
                  ? `spec:\n  template:\n    spec:\n      readinessGates:\n        - conditionType: service.readiness.alibabacloud.com/${names.service}`
                  : "# the load balancer controller's pod readiness gate (see docs/providers.md)",
          }),
        });
      }
      if (p.maxUnavailable > 0 || p.strategy === 'Recreate') {
        out.push({
          id: 'surge',
          ruleIds: ['rollout-capacity-dip', 'recreate-strategy'],
          apply: (q) => ({ ...q, strategy: 'RollingUpdate', maxSurge: Math.max(1, q.maxSurge), maxUnavailable: 0 }),
          describe: () => ({
            change: 'strategy RollingUpdate with maxSurge 1, maxUnavailable 0',
            yaml: 'spec:\n  strategy:\n    type: RollingUpdate\n    rollingUpdate:\n      maxSurge: 1\n      maxUnavailable: 0',
          }),
        });
      }
      break;
  }
  return out;
}

export interface FixSearch {
  fixes: Fix[];
  after: SimulationResult | null;
}

/** The outcome of a fix search before it is put in words: which changes, what each closes. */
export interface FixPlan {
  fixes: ReadonlyArray<{ candidate: FixCandidate; closes: WindowCause[] }>;
  after: SimulationResult | null;
}

/** Runs one trial of the search (verdict, windows and dropped seconds are read). */
export type TrialRunner = (input: SimulationInput) => SimulationResult;

const simulateLite: TrialRunner = (input) => simulate(input, LITE);

function applyAll(input: SimulationInput, fixes: FixCandidate[]): SimulationInput {
  let params = input.params;
  for (const fix of fixes) params = fix.apply(params);
  return { ...input, params };
}

/** Searches the smallest set of fixes for a simulation that drops traffic; each kept set is simulated again. */
export function searchFixes(input: SimulationInput, baseline: SimulationResult, containerName: string): FixSearch {
  return describeFixes(planFixes(input, baseline), { container: containerName, service: input.service.name });
}

/** The search of searchFixes, on the parameters only. */
export function planFixes(input: SimulationInput, baseline: SimulationResult, run: TrialRunner = simulateLite): FixPlan {
  if (baseline.verdict === 'safe') return { fixes: [], after: null };
  const causes = causesCache();
  const kept: FixCandidate[] = [];
  let current = baseline;
  for (let round = 0; round < 6 && current.verdict === 'drops'; round++) {
    // A change that did not help before may help once another is in (a surge needs the probe).
    const tried = new Set<string>(kept.map((fix) => fix.id));
    const keptParams = applyAll(input, kept).params;
    const candidates = [...causes.of(current)].flatMap((cause) => candidatesFor(cause, keptParams)).filter((c) => !tried.has(c.id));
    if (candidates.length === 0) break;
    let progressed = false;
    for (const candidate of candidates) {
      if (tried.has(candidate.id)) continue;
      tried.add(candidate.id);
      const next = run({ ...input, params: candidate.apply(keptParams) });
      if (better(next, current, causes)) {
        kept.push(candidate);
        current = next;
        progressed = true;
        break;
      }
    }
    if (!progressed) {
      // No single change helps: some need each other (a surge and the LB's readiness gate).
      // Try them together; the pruning below drops any the others make unnecessary.
      const together = candidates.filter((c, i) => candidates.findIndex((d) => d.id === c.id) === i);
      if (together.length < 2) break;
      let params = keptParams;
      for (const fix of together) params = fix.apply(params);
      const next = run({ ...input, params });
      if (!better(next, current, causes)) break;
      kept.push(...together);
      current = next;
    }
  }
  // Prune: a fix whose removal keeps the result safe is not needed.
  const closes = new Map<FixCandidate, WindowCause[]>();
  const finalCauses = causes.of(current);
  if (current.verdict === 'safe') {
    for (let i = kept.length - 1; i >= 0 && kept.length > 1; i--) {
      const without = kept.filter((_, j) => j !== i);
      const result = run(applyAll(input, without));
      if (result.verdict === 'safe') kept.splice(i, 1);
      else
        closes.set(
          kept[i] as FixCandidate,
          [...causes.of(result)].filter((c) => !finalCauses.has(c)),
        );
    }
  }
  const baseCauses = causes.of(baseline);
  return {
    fixes: kept.map((candidate) => ({ candidate, closes: closes.get(candidate) ?? [...baseCauses].filter((c) => !finalCauses.has(c)) })),
    after: kept.length > 0 ? current : null,
  };
}

/** causesOf for the results of one search, each computed once (a search reads them again and again, never changes them). */
function causesCache(): { of: (result: SimulationResult) => ReadonlySet<WindowCause> } {
  const known = new Map<SimulationResult, Set<WindowCause>>();
  return {
    of: (result) => {
      let causes = known.get(result);
      if (!causes) known.set(result, (causes = causesOf(result)));
      return causes;
    },
  };
}

/** A plan's fixes in words for one container and Service: new objects each time (a plan may be shared). */
export function describeFixes(plan: FixPlan, names: FixNames): FixSearch {
  const fixes: Fix[] = plan.fixes.map(({ candidate, closes }) => {
    const { change, yaml } = candidate.describe(names);
    return { change, closes: [...closes], ruleIds: [...candidate.ruleIds], remediation: { yaml } };
  });
  return { fixes, after: plan.after };
}

function better(next: SimulationResult, current: SimulationResult, causes: ReturnType<typeof causesCache>): boolean {
  if (next.verdict === 'safe') return true;
  const a = causes.of(next);
  const b = causes.of(current);
  if (next.droppedTrafficSeconds < current.droppedTrafficSeconds - 1e-9 && a.size <= b.size) return true;
  return a.size < b.size && [...a].every((c) => b.has(c));
}
