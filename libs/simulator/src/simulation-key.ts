// What simulate reads of its parameters: two parameter sets with equal keys give the same result
// (for the same workload name), so Services whose parameters differ only where the simulation
// does not look share one simulation. Nothing else: provider, profile, drainTimeout and
// hcHealthyThreshold are never read; each path reads its own timings; the grace period only
// when it cuts preStop or shutdown short; the readiness probe only through readyTime.
import { readyTime, servesTerminatingEndpoints } from './simulate.js';
import type { ReadinessTiming, SimulationParams } from './types.js';

/** The parameters simulate reads as they are (a field it does not read on a path is keyed 0 there). */
type ReadAsIs =
  | 'kind'
  | 'strategy'
  | 'path'
  | 'replicas'
  | 'nodes'
  | 'maxSurge'
  | 'maxUnavailable'
  | 'minReadySeconds'
  | 'podStart'
  | 'appWarmup'
  | 'P'
  | 'appShutdown'
  | 'inPlace'
  | 'E'
  | 'L'
  | 'lbAdd'
  | 'readinessGate'
  | 'drain'
  | 'hcSeesNode'
  | 'hcInterval'
  | 'hcUnhealthyThreshold'
  | 'removalTrigger';

export interface SimulationKey extends Pick<SimulationParams, ReadAsIs> {
  /** readyTime's ready - running when every controller time is a whole number (see wholeSeconds); else NaN, and `probe` decides. */
  readyOffset: number;
  probe: ReadinessTiming | null;
  /** Infinity when the grace period outlasts preStop and shutdown: simulate then reads only those. */
  G: number;
  terminatingEndpoints: boolean;
}

/** Not read on this path (a constant keeps the key's shape). */
const UNREAD = 0;

export function simulationKey(p: SimulationParams): SimulationKey {
  const whole = wholeSeconds(p);
  const pod = p.path === 'pod';
  const local = p.path === 'local';
  return {
    kind: p.kind,
    strategy: p.strategy,
    path: p.path,
    replicas: p.replicas,
    nodes: p.nodes,
    maxSurge: p.maxSurge,
    maxUnavailable: p.maxUnavailable,
    minReadySeconds: p.minReadySeconds,
    podStart: p.podStart,
    appWarmup: p.appWarmup,
    readyOffset: whole ? readyTime(p, 0).ready : NaN,
    probe: whole ? null : p.readinessProbe,
    P: p.P,
    appShutdown: p.appShutdown,
    // simulate reads G only as min(P + appShutdown, G), min(P, G) and G < P + appShutdown.
    G: p.G >= p.P + p.appShutdown && p.G >= p.P ? Infinity : p.G,
    inPlace: p.inPlace,
    E: pod ? UNREAD : p.E,
    L: pod || local ? p.L : UNREAD,
    lbAdd: pod || local ? p.lbAdd : UNREAD,
    // The readiness gate holds pods back on the pod path only.
    readinessGate: pod && p.readinessGate,
    drain: (pod || local) && p.drain,
    hcSeesNode: local && p.hcSeesNode,
    hcInterval: local ? p.hcInterval : UNREAD,
    hcUnhealthyThreshold: local ? p.hcUnhealthyThreshold : UNREAD,
    removalTrigger: local ? p.removalTrigger : 'none',
    terminatingEndpoints: local && servesTerminatingEndpoints(p.kubernetesVersion),
  };
}

/** Beyond this, sums of a million events' times could leave the integers a double holds exactly. */
const WHOLE_LIMIT = 1e6;

/**
 * Every time the controller computes is then a whole number of seconds below 2^53: each is a
 * sum of these (events start at 0). readyTime(p, running) is then exactly running +
 * readyTime(p, 0), so the probe matters only through that offset.
 */
function wholeSeconds(p: SimulationParams): boolean {
  const probe = p.readinessProbe;
  return (
    whole(p.podStart) &&
    whole(p.appWarmup) &&
    whole(p.minReadySeconds) &&
    whole(p.P) &&
    whole(p.appShutdown) &&
    whole(p.G) &&
    whole(p.lbAdd) &&
    (probe === null || (whole(probe.initialDelaySeconds) && whole(probe.periodSeconds) && whole(probe.successThreshold)))
  );
}

function whole(seconds: number): boolean {
  return Number.isInteger(seconds) && Math.abs(seconds) <= WHOLE_LIMIT;
}

export function simulationKeyHash(k: SimulationKey): number {
  let h = 0x811c9dc5;
  h = mix(h, k.replicas);
  h = mix(h, k.nodes);
  h = mix(h, k.maxSurge);
  h = mix(h, k.maxUnavailable);
  h = mix(h, k.minReadySeconds);
  h = mix(h, k.readyOffset);
  h = mix(h, k.P);
  h = mix(h, k.G);
  h = mix(h, k.E);
  h = mix(h, k.L);
  h = mix(h, k.lbAdd);
  return mix(h, k.path.length * 64 + k.kind.length * 4 + (k.readinessGate ? 2 : 0) + (k.drain ? 1 : 0));
}

function mix(h: number, value: number): number {
  return Math.imul(h ^ ((value * 1000) | 0), 0x01000193);
}

export function sameSimulationKey(a: SimulationKey, b: SimulationKey): boolean {
  return (
    a.kind === b.kind &&
    a.strategy === b.strategy &&
    a.path === b.path &&
    Object.is(a.replicas, b.replicas) &&
    Object.is(a.nodes, b.nodes) &&
    Object.is(a.maxSurge, b.maxSurge) &&
    Object.is(a.maxUnavailable, b.maxUnavailable) &&
    Object.is(a.minReadySeconds, b.minReadySeconds) &&
    Object.is(a.podStart, b.podStart) &&
    Object.is(a.appWarmup, b.appWarmup) &&
    Object.is(a.readyOffset, b.readyOffset) &&
    sameProbe(a.probe, b.probe) &&
    Object.is(a.P, b.P) &&
    Object.is(a.appShutdown, b.appShutdown) &&
    Object.is(a.G, b.G) &&
    a.inPlace === b.inPlace &&
    Object.is(a.E, b.E) &&
    Object.is(a.L, b.L) &&
    Object.is(a.lbAdd, b.lbAdd) &&
    a.readinessGate === b.readinessGate &&
    a.drain === b.drain &&
    a.hcSeesNode === b.hcSeesNode &&
    Object.is(a.hcInterval, b.hcInterval) &&
    Object.is(a.hcUnhealthyThreshold, b.hcUnhealthyThreshold) &&
    a.removalTrigger === b.removalTrigger &&
    a.terminatingEndpoints === b.terminatingEndpoints
  );
}

function sameProbe(a: ReadinessTiming | null, b: ReadinessTiming | null): boolean {
  if (a === null || b === null) return a === b;
  return (
    Object.is(a.initialDelaySeconds, b.initialDelaySeconds) && Object.is(a.periodSeconds, b.periodSeconds) && Object.is(a.successThreshold, b.successThreshold)
  );
}
