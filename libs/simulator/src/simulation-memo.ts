// Simulations shared by the Services of one scan whose simulation keys are equal (what
// simulate reads of the parameters: simulation-key.ts), fix searches by those whose parameters
// are equal. On manifests a simulation depends on its key and on the workload's name only,
// which prefixes every pod name (`<workload>-old-1`, `<workload>-new-1`): compareNames orders
// names that share a prefix as it orders their rests, so a result for one workload is
// another's with the prefix of its pod names swapped. Live inputs (real pods and nodes) are
// not shared.
import { describeFixes, planFixes, type FixNames, type FixPlan, type FixSearch } from './fixes.js';
import { serviceOnPath, simulate } from './simulate.js';
import { sameSimulationKey, simulationKey, simulationKeyHash, type SimulationKey } from './simulation-key.js';
import type { SimulationInput, SimulationParams, SimulationResult } from './types.js';

/** One simulation, shared by the inputs whose simulation keys are equal. */
interface Simulated {
  key: SimulationKey;
  result: SimulationResult;
  /** The workload the result was simulated for: its pod names start with `${workloadName}-`. */
  workloadName: string;
  /** The notes simulate added after the input's own. */
  simulationNotes: string[];
}

/** One fix search, shared by the inputs whose parameters are equal (fixes read every parameter). */
interface Planned {
  params: SimulationParams;
  plan: FixPlan;
}

const LITE = { detail: false };

export class SimulationMemo {
  /** Simulations by simulationKeyHash; sameSimulationKey tells those of one hash apart. */
  private readonly simulations = new Map<number, Simulated[]>();
  /** Fix searches by paramsHash; sameParams tells those of one hash apart. */
  private readonly plans = new Map<number, Planned[]>();
  /** The input simulatedFor saw last, and its simulation: a verdict asks for its fixes right after simulating. */
  private last: { input: SimulationInput; params: SimulationParams; simulated: Simulated } | undefined;

  /** `simulate(input, { detail: false })`, computed once per distinct simulation key. */
  simulate(input: SimulationInput): SimulationResult {
    const simulated = this.simulatedFor(input);
    return simulated ? rebind(simulated, input) : simulate(input, LITE);
  }

  /**
   * `searchFixes(input, result, container)` for a result of `simulate` above, searched once per
   * distinct parameters. `after` may be shared and carry another workload's pod names: read its
   * verdict and dropped seconds only.
   */
  searchFixes(input: SimulationInput, result: SimulationResult, names: FixNames): FixSearch {
    if (!shareable(input)) return describeFixes(planFixes(input, result), names);
    const params = input.params;
    const hash = paramsHash(params);
    let bucket = this.plans.get(hash);
    if (!bucket) this.plans.set(hash, (bucket = []));
    let planned = bucket.find((candidate) => sameParams(candidate.params, params));
    if (!planned) {
      planned = { params, plan: planFixes(input, result, (trial) => this.simulatedFor(trial)?.result ?? simulate(trial, LITE)) };
      bucket.push(planned);
    }
    return describeFixes(planned.plan, names);
  }

  private simulatedFor(input: SimulationInput): Simulated | undefined {
    if (!shareable(input)) return undefined;
    if (this.last?.input === input && this.last.params === input.params) return this.last.simulated;
    const key = simulationKey(input.params);
    const hash = simulationKeyHash(key);
    let bucket = this.simulations.get(hash);
    if (!bucket) this.simulations.set(hash, (bucket = []));
    let simulated = bucket.find((candidate) => sameSimulationKey(candidate.key, key));
    if (!simulated) {
      const result = simulate(input, LITE);
      simulated = { key, result, workloadName: input.workload.name, simulationNotes: result.notes.slice(input.notes?.length ?? 0) };
      bucket.push(simulated);
    }
    this.last = { input, params: input.params, simulated };
    return simulated;
  }
}

/** Live inputs (real pods and nodes) are simulated alone. */
function shareable(input: SimulationInput): boolean {
  return input.initialPods === undefined && input.nodeNames === undefined;
}

/** A hash of the fields that most often tell parameters apart (strings, building a key, cost more than comparing). */
export function paramsHash(p: SimulationParams): number {
  let h = 0x811c9dc5;
  for (const value of [p.replicas, p.nodes, p.maxSurge, p.maxUnavailable, p.minReadySeconds, p.P, p.G, p.L, p.lbAdd, p.hcInterval, p.drainTimeout])
    h = Math.imul(h ^ ((value * 1000) | 0), 0x01000193);
  const probe = p.readinessProbe;
  if (probe) h = Math.imul(h ^ (probe.initialDelaySeconds * 31 + probe.periodSeconds), 0x01000193);
  return Math.imul(h ^ (p.path.length * 64 + p.profile.length), 0x01000193);
}

/** Every field of SimulationParams: `satisfies` fails to compile when one is missing or unknown. */
const PARAM_NAMES = Object.keys({
  kind: 0,
  strategy: 0,
  path: 0,
  replicas: 0,
  nodes: 0,
  maxSurge: 0,
  maxUnavailable: 0,
  minReadySeconds: 0,
  E: 0,
  L: 0,
  lbAdd: 0,
  podStart: 0,
  appWarmup: 0,
  appShutdown: 0,
  P: 0,
  G: 0,
  readinessProbe: 0,
  readinessGate: 0,
  hcInterval: 0,
  hcUnhealthyThreshold: 0,
  hcHealthyThreshold: 0,
  hcSeesNode: 0,
  removalTrigger: 0,
  drain: 0,
  drainTimeout: 0,
  provider: 0,
  profile: 0,
  kubernetesVersion: 0,
  inPlace: 0,
} satisfies Record<keyof SimulationParams, 0>) as Array<keyof SimulationParams>;

/** Every field equal; nested objects (the probe) field by field. */
export function sameParams(a: SimulationParams, b: SimulationParams): boolean {
  for (const name of PARAM_NAMES) if (!sameValue(a[name], b[name])) return false;
  return true;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => sameValue((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

/** The shared result as simulate returns it for this input: own names, params, notes; new objects. */
function rebind(simulated: Simulated, input: SimulationInput): SimulationResult {
  const { result } = simulated;
  const from = simulated.workloadName;
  const to = input.workload.name;
  const windows = result.windows.map((w) => (w.pod === undefined ? { ...w } : { ...w, pod: to + w.pod.slice(from.length) }));
  return {
    workload: input.workload,
    service: serviceOnPath(input.service, result.service.path),
    parameters: input.params,
    parameterSources: {},
    verdict: result.verdict,
    droppedTrafficSeconds: result.droppedTrafficSeconds,
    windows,
    steps: [],
    pods: [],
    lbNodes: [],
    durationSeconds: result.durationSeconds,
    notes: [...(input.notes ?? []), ...simulated.simulationNotes],
  };
}
