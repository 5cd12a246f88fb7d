// Simulations shared by the Services of one scan whose resolved parameters are equal. On
// manifests a simulation depends on its parameters and on the workload's name only, which
// prefixes every pod name (`<workload>-old-1`, `<workload>-new-1`): compareNames orders names
// that share a prefix as it orders their rests, so a result for one workload is another's
// with the prefix of its pod names swapped. Live inputs (real pods and nodes) are not shared.
import { describeFixes, planFixes, type FixNames, type FixPlan, type FixSearch } from './fixes.js';
import { serviceOnPath, simulate } from './simulate.js';
import type { SimulationInput, SimulationParams, SimulationResult } from './types.js';

interface Entry {
  params: SimulationParams;
  result: SimulationResult;
  /** The workload the result was simulated for: its pod names start with `${workloadName}-`. */
  workloadName: string;
  /** The notes simulate added after the input's own. */
  simulationNotes: string[];
  plan?: FixPlan;
}

const LITE = { detail: false };

export class SimulationMemo {
  /** Entries by paramsHash; sameParams tells the entries of one hash apart. */
  private readonly buckets = new Map<number, Entry[]>();
  /** The input entryFor saw last, and its entry: a verdict asks for its fixes right after simulating. */
  private last: { input: SimulationInput; params: SimulationParams; entry: Entry } | undefined;

  /** `simulate(input, { detail: false })`, computed once per distinct parameters. */
  simulate(input: SimulationInput): SimulationResult {
    const entry = this.entryFor(input);
    return entry ? rebind(entry, input) : simulate(input, LITE);
  }

  /**
   * `searchFixes(input, result, container)` for a result of `simulate` above, searched once per
   * distinct parameters. `after` may be shared and carry another workload's pod names: read its
   * verdict and dropped seconds only.
   */
  searchFixes(input: SimulationInput, result: SimulationResult, names: FixNames): FixSearch {
    const entry = this.entryFor(input);
    if (!entry) return describeFixes(planFixes(input, result), names);
    entry.plan ??= planFixes(input, result, (trial) => this.entryFor(trial)?.result ?? simulate(trial, LITE));
    return describeFixes(entry.plan, names);
  }

  private entryFor(input: SimulationInput): Entry | undefined {
    if (input.initialPods !== undefined || input.nodeNames !== undefined) return undefined;
    if (this.last?.input === input && this.last.params === input.params) return this.last.entry;
    const entry = this.findOrSimulate(input);
    this.last = { input, params: input.params, entry };
    return entry;
  }

  private findOrSimulate(input: SimulationInput): Entry {
    const params = input.params;
    const hash = paramsHash(params);
    let bucket = this.buckets.get(hash);
    if (!bucket) this.buckets.set(hash, (bucket = []));
    let entry = bucket.find((candidate) => sameParams(candidate.params, params));
    if (!entry) {
      const result = simulate(input, LITE);
      entry = { params, result, workloadName: input.workload.name, simulationNotes: result.notes.slice(input.notes?.length ?? 0) };
      bucket.push(entry);
    }
    return entry;
  }
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

/** The entry's result as simulate returns it for this input: own names, params, notes; new objects. */
function rebind(entry: Entry, input: SimulationInput): SimulationResult {
  const { result } = entry;
  const from = entry.workloadName;
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
    notes: [...(input.notes ?? []), ...entry.simulationNotes],
  };
}
