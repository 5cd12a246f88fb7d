// The rollout simulator (SIMULATOR.md): deterministic, no I/O, no clock. First the
// controller replays the rolling update (which pod is created, ready, deleted, when); then
// the request path of the Service is evaluated from those times: who sends traffic where,
// and when a backend that receives traffic does not answer.
import { StepFunction, cutPoints } from './step-function.js';
import type {
  InitialPod,
  NodeLbInterval,
  PathKind,
  PodLife,
  SimulationInput,
  SimulationParams,
  SimulationResult,
  Step,
  TrafficWindow,
  WindowCause,
} from './types.js';

interface SimPod {
  name: string;
  node: string;
  revision: 'old' | 'new';
  scheduled: number | null;
  running: number;
  serves: number;
  ready: number;
  available: number;
  deleted: number | null;
  stopped: number;
  preStopEnd: number;
  killed: boolean;
  /** Creation rank: higher is newer. */
  rank: number;
}

const INF = Number.POSITIVE_INFINITY;
const NEG = Number.NEGATIVE_INFINITY;
const MAX_EVENTS = 1_000_000;
const PENDING = '\u0000pending';

export function defaultNodeNames(count: number): string[] {
  return Array.from({ length: Math.max(1, count) }, (_, i) => `node-${i + 1}`);
}

/** Node names sort as a careful reader expects: node-2 before node-10. */
export function compareNames(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(j);
    if (ca >= 48 && ca <= 57 && cb >= 48 && cb <= 57) {
      // Compare digit runs as numbers: node-2 before node-10.
      let ei = i;
      let ej = j;
      while (ei < a.length && a.charCodeAt(ei) >= 48 && a.charCodeAt(ei) <= 57) ei++;
      while (ej < b.length && b.charCodeAt(ej) >= 48 && b.charCodeAt(ej) <= 57) ej++;
      const na = a.slice(i, ei).replace(/^0+(?=\d)/, '');
      const nb = b.slice(j, ej).replace(/^0+(?=\d)/, '');
      if (na.length !== nb.length) return na.length - nb.length;
      if (na !== nb) return na < nb ? -1 : 1;
      i = ei;
      j = ej;
      continue;
    }
    if (ca !== cb) return ca - cb;
    i++;
    j++;
  }
  return a.length - i - (b.length - j) || (a < b ? -1 : a > b ? 1 : 0);
}

/** Kubernetes 1.26+ keeps routing to terminating endpoints that still serve (KEP-1669). */
export function servesTerminatingEndpoints(version: string): boolean {
  const match = /^v?(\d+)\.(\d+)/.exec(version);
  if (!match) return true;
  const major = Number(match[1]);
  const minor = Number(match[2]);
  return major > 1 || (major === 1 && minor >= 26);
}

/** The first readiness-probe success at or after the app serves; ready without a probe once running. */
export function readyTime(params: SimulationParams, running: number): { serves: number; ready: number } {
  const serves = running + params.appWarmup;
  const probe = params.readinessProbe;
  if (!probe) return { serves, ready: running };
  const first = running + probe.initialDelaySeconds;
  const period = Math.max(1, probe.periodSeconds);
  const k = serves <= first ? 0 : Math.ceil((serves - first) / period);
  const ok = first + k * period;
  return { serves, ready: ok + (Math.max(1, probe.successThreshold) - 1) * period };
}

class Controller {
  readonly pods: SimPod[] = [];
  readonly steps: Step[] = [];
  private readonly nodeNames: string[];
  private readonly sortedNodes: string[];
  private readonly liveCount = new Map<string, number>();
  private untouchedCursor = 0;
  private readonly touched = new Set<string>();
  private readonly pending: number[] = [];
  private rank = 0;
  private newCounter = 0;
  private readonly reserved: SimPod[] = [];
  readonly notes: string[] = [];

  constructor(
    private readonly input: SimulationInput,
    private readonly p: SimulationParams,
  ) {
    const initial = input.initialPods ?? defaultInitialPods(input.workload.name, p.replicas, input.nodeNames ?? defaultNodeNames(p.nodes));
    this.nodeNames = input.nodeNames ?? defaultNodeNames(Math.max(p.nodes, 1));
    this.sortedNodes = [...this.nodeNames].sort(compareNames);
    for (const pod of initial) {
      this.pods.push({
        name: pod.name,
        node: pod.node,
        revision: 'old',
        scheduled: null,
        running: NEG,
        serves: pod.ready ? NEG : INF,
        ready: pod.ready ? NEG : INF,
        available: pod.ready ? NEG : INF,
        deleted: null,
        stopped: INF,
        preStopEnd: INF,
        killed: false,
        rank: 0,
      });
      this.bump(pod.node, 1);
    }
  }

  private bump(node: string, delta: number): void {
    this.liveCount.set(node, (this.liveCount.get(node) ?? 0) + delta);
    this.touched.add(node);
  }

  private schedule(at: number, node?: string): SimPod {
    const name = `${this.input.workload.name}-new-${++this.newCounter}`;
    const target = node ?? this.placeNode();
    const running = at + this.p.podStart;
    const { serves, ready: probeReady } = readyTime(this.p, running);
    const ready = this.p.readinessGate && this.p.path === 'pod' ? probeReady + this.p.lbAdd : probeReady;
    const pod: SimPod = {
      name,
      node: target,
      revision: 'new',
      scheduled: at,
      running,
      serves,
      ready,
      available: ready + this.p.minReadySeconds,
      deleted: null,
      stopped: INF,
      preStopEnd: INF,
      killed: false,
      rank: ++this.rank,
    };
    this.pods.push(pod);
    if (target !== PENDING) this.bump(target, 1);
    this.at(pod.available);
    return pod;
  }

  /** Fewest non-terminating pods of the workload, ties by node name; linear in the nodes the workload touches. */
  private placeNode(): string {
    let best: string | undefined;
    let bestCount = INF;
    for (const node of this.touched) {
      const count = this.liveCount.get(node) ?? 0;
      if (count < bestCount || (count === bestCount && best !== undefined && compareNames(node, best) < 0)) {
        best = node;
        bestCount = count;
      }
    }
    while (this.untouchedCursor < this.sortedNodes.length && this.touched.has(this.sortedNodes[this.untouchedCursor] as string)) this.untouchedCursor++;
    const fresh = this.sortedNodes[this.untouchedCursor];
    if (fresh !== undefined && (bestCount > 0 || best === undefined || compareNames(fresh, best) < 0)) return fresh;
    return best ?? this.sortedNodes[0] ?? 'node-1';
  }

  private remove(pod: SimPod, at: number): void {
    pod.deleted = at;
    const p = this.p;
    const own = p.P + p.appShutdown;
    pod.killed = p.G < own;
    pod.stopped = at + Math.min(own, p.G);
    pod.preStopEnd = at + Math.min(p.P, p.G);
    this.bump(pod.node, -1);
    this.at(pod.stopped);
  }

  at(t: number): void {
    if (!Number.isFinite(t)) return;
    this.pending.push(t);
  }

  private active(revision: 'old' | 'new'): SimPod[] {
    return this.pods.filter((pod) => pod.revision === revision && pod.deleted === null);
  }

  /** Deletion order: not ready first; then nodes holding more pods of the workload; then newest; then name. */
  private deletionOrder(candidates: SimPod[], t: number): SimPod[] {
    return [...candidates].sort((a, b) => {
      const ra = this.reserved.indexOf(a);
      const rb = this.reserved.indexOf(b);
      if (ra !== rb) return ra < 0 ? 1 : rb < 0 ? -1 : ra - rb;
      const na = a.ready <= t ? 1 : 0;
      const nb = b.ready <= t ? 1 : 0;
      if (na !== nb) return na - nb;
      const ca = this.liveCount.get(a.node) ?? 0;
      const cb = this.liveCount.get(b.node) ?? 0;
      if (ca !== cb) return cb - ca;
      if (a.rank !== b.rank) return b.rank - a.rank;
      return compareNames(a.name, b.name);
    });
  }

  run(): void {
    const p = this.p;
    if (p.kind === 'Deployment') this.runDeployment();
    else this.runSlots();
    if (p.kind === 'StatefulSet')
      this.notes.push('StatefulSet: one pod at a time, highest ordinal first; the replacement starts on the same node once the old pod is gone.');
  }

  private loop(reconcile: (t: number) => void): void {
    this.at(0);
    let processed = 0;
    let last = NEG;
    while (this.pending.length > 0 && processed++ < MAX_EVENTS) {
      let minIndex = 0;
      for (let i = 1; i < this.pending.length; i++) if ((this.pending[i] as number) < (this.pending[minIndex] as number)) minIndex = i;
      const t = this.pending[minIndex] as number;
      this.pending[minIndex] = this.pending[this.pending.length - 1] as number;
      this.pending.pop();
      if (t === last) continue;
      last = t;
      reconcile(t);
    }
  }

  private runDeployment(): void {
    const p = this.p;
    const R = p.replicas;
    if (p.strategy === 'Recreate') {
      this.loop((t) => {
        if (t === 0) {
          const old = this.active('old');
          for (const pod of old) this.remove(pod, 0);
          this.steps.push({ t: 0, event: 'scale-down', replicaSet: 'old', to: 0 });
          const gone = Math.max(0, ...old.map((pod) => pod.stopped));
          if (gone > 0) this.at(gone);
          else this.recreateUp(0);
        } else if (this.active('new').length === 0 && this.pods.every((pod) => pod.revision === 'new' || pod.stopped <= t)) this.recreateUp(t);
      });
      return;
    }
    const minAvailable = R - p.maxUnavailable;
    this.loop((t) => {
      for (let guard = 0; guard < 4 * R + 8; guard++) {
        let changed = false;
        const newActive = this.active('new');
        const oldActive = this.active('old');
        const total = newActive.length + oldActive.length;
        const up = Math.min(R + p.maxSurge - total, R - newActive.length);
        const created: SimPod[] = [];
        if (up > 0) {
          for (let i = 0; i < up; i++) created.push(this.schedulePending(t));
          this.steps.push({ t, event: 'scale-up', replicaSet: 'new', to: newActive.length + up });
          changed = true;
        }
        const allNew = newActive.length + created.length;
        const newAvailable = newActive.filter((pod) => pod.available <= t).length;
        const oldAvailable = oldActive.filter((pod) => pod.available <= t);
        const maxScaledDown = allNew + oldActive.length - minAvailable - (allNew - newAvailable);
        let toDelete: SimPod[] = [];
        const unhealthy = oldActive.filter((pod) => pod.available > t);
        if (unhealthy.length > 0 && maxScaledDown > 0) toDelete = this.deletionOrder(unhealthy, t).slice(0, maxScaledDown);
        const down = Math.min(oldAvailable.length, newAvailable + oldAvailable.length - minAvailable);
        if (down > 0) toDelete = toDelete.concat(this.deletionOrder(oldAvailable, t).slice(0, down));
        if (toDelete.length > 0) {
          for (const pod of toDelete) this.remove(pod, t);
          this.reservedCleanup();
          this.steps.push({ t, event: 'scale-down', replicaSet: 'old', to: oldActive.length - toDelete.length });
          changed = true;
        }
        this.placePending(t);
        if (!changed) break;
      }
    });
  }

  private pendingPods: SimPod[] = [];

  /** Creates a pod now; its node is chosen after this reconcile's scale-down (the scheduler runs after the controller). */
  private schedulePending(t: number): SimPod {
    const pod = this.schedule(t, PENDING);
    this.pendingPods.push(pod);
    return pod;
  }

  private placePending(t: number): void {
    for (const pod of this.pendingPods) {
      let node: string;
      if (this.p.inPlace) {
        const next = this.deletionOrder(
          this.active('old').filter((old) => !this.reserved.includes(old)),
          t,
        )[0];
        if (next) {
          this.reserved.push(next);
          node = next.node;
        } else node = this.placeNode();
      } else node = this.placeNode();
      pod.node = node;
      this.bump(node, 1);
    }
    this.pendingPods = [];
  }

  private reservedCleanup(): void {
    for (let i = this.reserved.length - 1; i >= 0; i--) if ((this.reserved[i] as SimPod).deleted !== null) this.reserved.splice(i, 1);
  }

  private recreateUp(t: number): void {
    for (let i = 0; i < this.p.replicas; i++) this.schedule(t);
    this.steps.push({ t, event: 'scale-up', replicaSet: 'new', to: this.p.replicas });
  }

  /** DaemonSet (per node) and StatefulSet (per ordinal, highest first) rolling updates. */
  private runSlots(): void {
    const p = this.p;
    const old = this.pods.filter((pod) => pod.revision === 'old');
    const slots = p.kind === 'StatefulSet' ? [...old].sort((a, b) => compareNames(b.name, a.name)) : [...old].sort((a, b) => compareNames(a.node, b.node));
    const surge = p.kind === 'DaemonSet' && p.maxSurge > 0;
    const limit = Math.max(1, surge ? p.maxSurge : p.kind === 'StatefulSet' ? 1 : p.maxUnavailable);
    const replacement = new Map<SimPod, SimPod>();
    this.loop((t) => {
      // A slot is busy while its old pod is deleted-but-not-replaced-and-available, or its surge pod is not yet available.
      for (const slot of slots) {
        const fresh = replacement.get(slot);
        if (surge && fresh && fresh.available <= t && slot.deleted === null) {
          this.remove(slot, t);
          this.steps.push({ t, event: 'scale-down', replicaSet: 'old', pod: slot.name, node: slot.node });
        }
        if (!surge && !fresh && slot.deleted !== null && slot.stopped <= t) {
          const pod = this.schedule(t, slot.node);
          if (p.kind === 'StatefulSet') pod.name = slot.name.replace(/-old(?=-\d+$)/, '-new');
          replacement.set(slot, pod);
          this.steps.push({ t, event: 'scale-up', replicaSet: 'new', pod: pod.name, node: pod.node });
        }
      }
      let busy = slots.filter((slot) => {
        const fresh = replacement.get(slot);
        if (surge) return fresh !== undefined && fresh.available > t;
        return slot.deleted !== null && (fresh === undefined || fresh.available > t);
      }).length;
      for (const slot of slots) {
        if (busy >= limit) break;
        if (replacement.has(slot) || slot.deleted !== null) continue;
        if (surge) {
          const pod = this.schedule(t, slot.node);
          replacement.set(slot, pod);
          this.steps.push({ t, event: 'scale-up', replicaSet: 'new', pod: pod.name, node: pod.node });
        } else {
          this.remove(slot, t);
          this.steps.push({ t, event: 'scale-down', replicaSet: 'old', pod: slot.name, node: slot.node });
          if (slot.stopped <= t) this.at(t);
        }
        busy++;
      }
    });
  }
}

function defaultInitialPods(name: string, replicas: number, nodes: string[]): InitialPod[] {
  return Array.from({ length: replicas }, (_, i) => ({ name: `${name}-old-${i + 1}`, node: nodes[i % nodes.length] as string, ready: true }));
}

interface PathTimes {
  /** The path starts sending to the pod. */
  start: number;
  /** The path stops sending to the pod. */
  end: number;
}

function pathTimes(pod: SimPod, p: SimulationParams): PathTimes {
  if (!Number.isFinite(pod.ready) && pod.ready !== NEG) return { start: INF, end: INF };
  const deleted = pod.deleted ?? INF;
  if (p.path === 'pod') {
    const start = pod.ready === NEG ? NEG : p.readinessGate ? pod.ready : pod.ready + p.lbAdd;
    return { start, end: deleted + p.L };
  }
  return { start: pod.ready === NEG ? NEG : pod.ready + p.E, end: deleted + p.E };
}

function stopCause(pod: SimPod): WindowCause {
  return pod.killed ? 'killed-during-prestop' : 'stopped-before-removed';
}

const round3 = (n: number): number => Math.round(n * 1000) / 1000;

class WindowSink {
  readonly windows: TrafficWindow[] = [];
  dropped = 0;

  /** Adds [a, b) split where the share changes; adjacent equal shares merged. */
  add(
    a: number,
    b: number,
    cause: WindowCause,
    path: PathKind,
    where: { node?: string; pod?: string },
    fns: StepFunction[],
    share: (t: number) => number,
  ): void {
    if (!(b > a)) return;
    const cuts = cutPoints(a, b, fns);
    let open: TrafficWindow | undefined;
    let openShare = 0;
    for (let i = 0; i + 1 < cuts.length; i++) {
      const from = cuts[i] as number;
      const to = cuts[i + 1] as number;
      const s = share(from);
      if (!(s > 0)) {
        open = undefined;
        continue;
      }
      if (open && openShare === s && open.end === from) {
        open.end = to;
      } else {
        open = { start: from, end: to, cause, path, ...where, share: s };
        openShare = s;
        this.windows.push(open);
      }
      if (cause !== 'capacity-dip' && cause !== 'connections-cut') this.dropped += s * (to - from);
    }
  }

  instant(t: number, cause: WindowCause, path: PathKind, where: { node?: string; pod?: string }, share: number): void {
    if (Number.isFinite(t) && share > 0) this.windows.push({ start: t, end: t, cause, path, ...where, share });
  }
}

/** Replays the rollout and evaluates the Service's path. Pure and deterministic. */
export function simulate(input: SimulationInput): SimulationResult {
  const p = input.params;
  const controller = new Controller(input, p);
  controller.run();
  const pods = controller.pods;
  const sink = new WindowSink();
  const path = p.path;
  const terminating = servesTerminatingEndpoints(p.kubernetesVersion);
  const times = new Map<SimPod, PathTimes>();
  for (const pod of pods) times.set(pod, pathTimes(pod, p));
  let lbNodes: NodeLbInterval[] = [];
  const removedAt = new Map<SimPod, number>();

  if (path === 'local') {
    lbNodes = evaluateLocal(pods, times, p, terminating, sink, removedAt);
  } else {
    const pool = new StepFunction(
      pods.flatMap((pod): Array<[number, number]> => {
        const t = times.get(pod) as PathTimes;
        return t.start < t.end
          ? [
              [t.start, 1],
              [t.end, -1],
            ]
          : [];
      }),
    );
    const share = (t: number): number => {
      const n = pool.at(t);
      return n > 0 ? 1 / n : 0;
    };
    for (const pod of pods) {
      const t = times.get(pod) as PathTimes;
      if (!(t.start < t.end)) continue;
      removedAt.set(pod, t.end);
      sink.add(t.start, Math.min(t.end, pod.serves), 'not-ready-endpoint', path, { pod: pod.name, node: pod.node }, [pool], share);
      sink.add(Math.max(t.start, pod.stopped), t.end, stopCause(pod), path, { pod: pod.name, node: pod.node }, [pool], share);
      if (path === 'pod' && !p.drain && pod.deleted !== null) {
        sink.instant(t.end, 'connections-cut', path, { pod: pod.name, node: pod.node }, share(t.end - 1e-9));
      }
    }
  }

  // Capacity: pods the path sends to while they serve, against replicas - maxUnavailable.
  const minAvailable = Math.max(1, p.replicas - p.maxUnavailable);
  const capacity = new StepFunction(
    pods.flatMap((pod): Array<[number, number]> => {
      const t = times.get(pod) as PathTimes;
      const from = Math.max(t.start, pod.serves);
      const to = Math.min(t.end, pod.stopped);
      return from < to
        ? [
            [from, 1],
            [to, -1],
          ]
        : [];
    }),
  );
  const horizonCandidates: number[] = [0];
  for (const pod of pods) {
    const t = times.get(pod);
    for (const value of [pod.available, pod.stopped, t?.start ?? 0, t?.end ?? 0]) if (Number.isFinite(value)) horizonCandidates.push(value);
  }
  const rolloutEnd = Math.max(...horizonCandidates);
  const capacityCuts = cutPoints(0, rolloutEnd, [capacity]);
  for (let i = 0; i + 1 < capacityCuts.length; i++) {
    const from = capacityCuts[i] as number;
    const to = capacityCuts[i + 1] as number;
    const ready = capacity.at(from);
    if (ready < minAvailable) {
      const last = sink.windows[sink.windows.length - 1];
      const share = ready === 0 ? 1 : 0;
      if (last && last.cause === 'capacity-dip' && last.end === from && last.share === share) last.end = to;
      else sink.windows.push({ start: from, end: to, cause: 'capacity-dip', path, share });
    }
  }

  const windows = sink.windows
    .filter((w) => w.cause !== 'capacity-dip' || w.end > w.start)
    .map((w) => ({ ...w, start: round3(w.start), end: round3(w.end), share: round3(w.share) }))
    .sort((a, b) => a.start - b.start || a.end - b.end || compareNames(a.node ?? '', b.node ?? '') || compareNames(a.pod ?? '', b.pod ?? ''));
  const drops = windows.some((w) => (w.cause === 'capacity-dip' ? w.share >= 1 : true));
  const lastWindow = Math.max(0, ...windows.map((w) => w.end));
  const steps = [...controller.steps];
  for (const node of lbNodes) {
    if (node.from !== null && node.from > NEG) steps.push({ t: round3(node.from), event: 'lb-add', node: node.node });
    if (node.to !== null && Number.isFinite(node.to)) steps.push({ t: round3(node.to), event: 'lb-remove', node: node.node });
  }
  steps.sort((a, b) => a.t - b.t);

  const notes = [...(input.notes ?? []), ...controller.notes];
  if (p.kind === 'Deployment') notes.push('Deletion ties are broken by pod name; Kubernetes >= 1.31 randomises some ties (the simulator does not).');
  return {
    workload: input.workload,
    service: { ...input.service, path },
    parameters: p,
    parameterSources: Object.fromEntries(Object.entries(input.sources).map(([k, v]) => [k, String(v)])),
    verdict: drops ? 'drops' : 'safe',
    droppedTrafficSeconds: round3(sink.dropped),
    windows,
    steps,
    pods: pods.map((pod) => podLife(pod, times.get(pod) as PathTimes, removedAt.get(pod))),
    lbNodes: lbNodes.map((n) => ({ node: n.node, from: finiteOrNull(n.from), to: finiteOrNull(n.to) })),
    durationSeconds: round3(Math.max(rolloutEnd, lastWindow)),
    notes,
  };
}

function finiteOrNull(value: number | null): number | null {
  return value === null || !Number.isFinite(value) ? null : round3(value);
}

function podLife(pod: SimPod, t: PathTimes, removed: number | undefined): PodLife {
  return {
    name: pod.name,
    node: pod.node,
    revision: pod.revision,
    scheduled: pod.scheduled,
    running: finiteOrNull(pod.running),
    serves: finiteOrNull(pod.serves),
    ready: finiteOrNull(pod.ready),
    receives: finiteOrNull(t.start),
    deleted: pod.deleted,
    preStopEnd: finiteOrNull(pod.preStopEnd),
    stopped: finiteOrNull(pod.stopped),
    removed: finiteOrNull(removed ?? t.end),
    killed: pod.killed,
  };
}

/**
 * externalTrafficPolicy: Local. The LB sends to nodes holding a ready endpoint (added lbAdd
 * after the node's first ready pod; removed at the earlier of d + L and its health check
 * failing); kube-proxy on a node sends only to that node's endpoints (from 1.26 falling back
 * to terminating ones that still serve).
 */
function evaluateLocal(
  pods: SimPod[],
  times: Map<SimPod, PathTimes>,
  p: SimulationParams,
  terminatingEndpoints: boolean,
  sink: WindowSink,
  removedAt: Map<SimPod, number>,
): NodeLbInterval[] {
  const byNode = new Map<string, SimPod[]>();
  for (const pod of pods) {
    const list = byNode.get(pod.node);
    if (list) list.push(pod);
    else byNode.set(pod.node, [pod]);
  }
  const nodes = [...byNode.keys()].sort(compareNames);
  const intervals: NodeLbInterval[] = [];
  for (const node of nodes) intervals.push(...nodeLbIntervals(node, byNode.get(node) as SimPod[], p, terminatingEndpoints));
  const lbCount = new StepFunction(
    intervals.flatMap((i): Array<[number, number]> => [
      [i.from ?? NEG, 1],
      [i.to ?? INF, -1],
    ]),
  );

  for (const node of nodes) {
    const local = byNode.get(node) as SimPod[];
    const primary = new StepFunction(
      local.flatMap((pod): Array<[number, number]> => {
        const t = times.get(pod) as PathTimes;
        return t.start < t.end
          ? [
              [t.start, 1],
              [t.end, -1],
            ]
          : [];
      }),
    );
    const fallback = new StepFunction(
      terminatingEndpoints
        ? local.flatMap((pod): Array<[number, number]> => {
            const t = times.get(pod) as PathTimes;
            return t.end < pod.stopped
              ? [
                  [t.end, 1],
                  [pod.stopped, -1],
                ]
              : [];
          })
        : [],
    );
    const lbIntervals = intervals.filter((i) => i.node === node);
    const nodeShare = (t: number): number => {
      const n = lbCount.at(t);
      return n > 0 ? 1 / n : 0;
    };
    for (const lb of lbIntervals) {
      const from = lb.from ?? NEG;
      const to = lb.to ?? INF;
      // Pods kube-proxy sends to while they do not serve.
      for (const pod of local) {
        const t = times.get(pod) as PathTimes;
        if (!(t.start < t.end)) continue;
        const podShare = (x: number): number => {
          const n = primary.at(x);
          return n > 0 ? nodeShare(x) / n : 0;
        };
        const where = { node, pod: pod.name };
        sink.add(Math.max(from, t.start), Math.min(to, t.end, pod.serves), 'not-ready-endpoint', 'local', where, [lbCount, primary], podShare);
        sink.add(Math.max(from, t.start, pod.stopped), Math.min(to, t.end), stopCause(pod), 'local', where, [lbCount, primary], podShare);
      }
      // The LB sends to the node while no local endpoint answers.
      const cuts = cutPoints(Math.max(from, -1e9), Math.min(to, 1e9), [primary, fallback]);
      for (let i = 0; i + 1 < cuts.length; i++) {
        const a = cuts[i] as number;
        const b = cuts[i + 1] as number;
        if (primary.at(a) === 0 && fallback.at(a) === 0) {
          const last = local
            .filter((pod) => pod.deleted !== null && (pod.deleted as number) <= a)
            .sort((x, y) => (y.deleted as number) - (x.deleted as number))[0];
          sink.add(a, b, 'node-without-endpoint', 'local', { node, ...(last ? { pod: last.name } : {}) }, [lbCount], nodeShare);
        }
      }
      if (!p.drain && lb.to !== null && Number.isFinite(lb.to)) {
        sink.instant(lb.to, 'connections-cut', 'local', { node }, nodeShare(lb.to - 1e-9));
      }
    }
    for (const pod of local) {
      const lbEnd = lbIntervals.find((i) => (i.from ?? NEG) <= (pod.deleted ?? INF) && (pod.deleted ?? INF) < (i.to ?? INF))?.to;
      const t = times.get(pod) as PathTimes;
      removedAt.set(pod, Math.min(t.end, lbEnd ?? INF));
    }
  }
  return intervals;
}

/** When the LB holds a node (local path), from the node's ready pods and the LB's add/removal timing. */
function nodeLbIntervals(node: string, pods: SimPod[], p: SimulationParams, terminatingEndpoints: boolean): NodeLbInterval[] {
  const wanted = pods
    .filter((pod) => pod.ready !== INF)
    .map((pod) => [pod.ready, pod.deleted ?? INF] as [number, number])
    .filter(([a, b]) => a < b)
    .sort((x, y) => x[0] - y[0]);
  const merged: Array<[number, number]> = [];
  for (const [a, b] of wanted) {
    const last = merged[merged.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  const out: NodeLbInterval[] = [];
  let open: number | null = null;
  for (let i = 0; i < merged.length; i++) {
    const [start, end] = merged[i] as [number, number];
    if (open === null) open = start === NEG ? NEG : start + p.lbAdd;
    if (end === INF) {
      out.push({ node, from: open, to: INF });
      open = null;
      break;
    }
    const removal = removalTime(end, pods, p, terminatingEndpoints);
    const next = merged[i + 1];
    if (next && next[0] <= removal) continue; // a ready pod came back before the LB let go
    if (open < removal) out.push({ node, from: open, to: removal });
    open = null;
  }
  return out;
}

function removalTime(lost: number, pods: SimPod[], p: SimulationParams, terminatingEndpoints: boolean): number {
  const api = p.removalTrigger === 'api' || p.removalTrigger === 'api+hc' ? lost + p.L : INF;
  let hc = INF;
  if (p.hcSeesNode) {
    let lastServing = lost;
    for (const pod of pods) if (pod.deleted !== null && pod.deleted <= lost && pod.stopped > lastServing) lastServing = pod.stopped;
    if (!terminatingEndpoints) lastServing = Math.min(lastServing, lost + p.E);
    hc = lastServing + p.hcInterval * p.hcUnhealthyThreshold;
  }
  return Math.min(api, hc);
}
