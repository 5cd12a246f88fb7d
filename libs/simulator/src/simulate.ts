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
  /** Position in name order among the old pods (deletion ties without comparing strings). */
  nameRank: number;
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
  const la = a.length;
  const lb = b.length;
  let i = 0;
  let j = 0;
  while (i < la && j < lb) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(j);
    if (ca >= 48 && ca <= 57 && cb >= 48 && cb <= 57) {
      // Digit runs compare as numbers (node-2 before node-10), without allocating.
      while (i < la && a.charCodeAt(i) === 48) i++;
      while (j < lb && b.charCodeAt(j) === 48) j++;
      let ei = i;
      let ej = j;
      while (ei < la && isDigit(a.charCodeAt(ei))) ei++;
      while (ej < lb && isDigit(b.charCodeAt(ej))) ej++;
      if (ei - i !== ej - j) return ei - i - (ej - j);
      for (; i < ei; i++, j++) {
        const d = a.charCodeAt(i) - b.charCodeAt(j);
        if (d !== 0) return d;
      }
      continue;
    }
    if (ca !== cb) return ca - cb;
    i++;
    j++;
  }
  return la - i - (lb - j) || (a < b ? -1 : 1);
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
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
export function readyTime(params: Pick<SimulationParams, 'appWarmup' | 'readinessProbe'>, running: number): { serves: number; ready: number } {
  const serves = running + params.appWarmup;
  const probe = params.readinessProbe;
  if (!probe) return { serves, ready: running };
  const first = running + probe.initialDelaySeconds;
  const period = Math.max(1, probe.periodSeconds);
  const k = serves <= first ? 0 : Math.ceil((serves - first) / period);
  const ok = first + k * period;
  return { serves, ready: ok + (Math.max(1, probe.successThreshold) - 1) * period };
}

/** A binary min-heap; stale entries are skipped by the caller (lazy invalidation). */
class MinHeap<T> {
  private readonly items: T[] = [];
  constructor(private readonly less: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(items[i] as T, items[parent] as T)) break;
      [items[i], items[parent]] = [items[parent] as T, items[i] as T];
      i = parent;
    }
  }

  peek(): T | undefined {
    return this.items[0];
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && this.less(items[l] as T, items[m] as T)) m = l;
        if (r < items.length && this.less(items[r] as T, items[m] as T)) m = r;
        if (m === i) break;
        [items[i], items[m]] = [items[m] as T, items[i] as T];
        i = m;
      }
    }
    return top;
  }
}

interface TimedEvent {
  t: number;
  pod: SimPod | null;
  kind: 'tick' | 'available' | 'stopped';
}

interface NodeEntry {
  node: string;
  count: number;
}

interface DeleteEntry {
  pod: SimPod;
  count: number;
  version: number;
}

/**
 * Replays the controllers. Every choice (the pod to delete, the node to place on, the next
 * event) comes from a heap, so a rollout costs O(pods log pods), never pods x pods or
 * pods x nodes: stale heap entries are skipped when popped.
 */
class Controller {
  readonly pods: SimPod[] = [];
  readonly steps: Step[] = [];
  readonly notes: string[] = [];
  private readonly sortedNodes: string[];
  private readonly liveCount = new Map<string, number>();
  private readonly touched = new Set<string>();
  private untouchedCursor = 0;
  private readonly nodeHeap = new MinHeap<NodeEntry>((a, b) => a.count < b.count || (a.count === b.count && compareNames(a.node, b.node) < 0));
  private readonly events = new MinHeap<TimedEvent>((a, b) => a.t < b.t);
  private rank = 0;
  private newCounter = 0;
  // Deployment bookkeeping.
  private readonly oldByNode = new Map<string, SimPod[]>();
  private readonly deleteHeap = new MinHeap<DeleteEntry>((a, b) => deleteBefore(a, b));
  private readonly version = new Map<SimPod, number>();
  private readonly reserved: SimPod[] = [];
  private reservedHead = 0;
  private readonly reservedSet = new Set<SimPod>();
  private oldActive = 0;
  private oldAvailable = 0;
  private oldUnhealthy: SimPod[] = [];
  private newActive = 0;
  private newAvailable = 0;
  private pendingPods: SimPod[] = [];

  constructor(
    private readonly input: SimulationInput,
    private readonly p: SimulationParams,
  ) {
    // Node names arrive sorted (defaultNodeNames, or sorted once per scan for live clusters).
    this.sortedNodes = input.nodeNames ?? defaultNodeNames(Math.max(p.nodes, 1));
    const initial = input.initialPods ?? defaultInitialPods(input.workload.name, p.replicas, this.sortedNodes);
    for (const pod of initial) {
      const sim: SimPod = {
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
        nameRank: 0,
      };
      this.pods.push(sim);
      const list = this.oldByNode.get(pod.node);
      if (list) list.push(sim);
      else this.oldByNode.set(pod.node, [sim]);
      this.oldActive++;
      if (pod.ready) this.oldAvailable++;
      else this.oldUnhealthy.push(sim);
      this.bump(pod.node, 1);
    }
    const byName = [...this.pods].sort((x, y) => compareNames(x.name, y.name));
    byName.forEach((pod, i) => (pod.nameRank = i));
    for (const pod of this.pods) if (pod.ready !== INF) this.pushDelete(pod);
  }

  private countOf(node: string): number {
    return this.liveCount.get(node) ?? 0;
  }

  private bump(node: string, delta: number): void {
    const count = this.countOf(node) + delta;
    this.liveCount.set(node, count);
    this.touched.add(node);
    this.nodeHeap.push({ node, count });
    for (const old of this.oldByNode.get(node) ?? []) if (old.deleted === null && old.ready !== INF) this.pushDelete(old);
  }

  private pushDelete(pod: SimPod): void {
    const version = (this.version.get(pod) ?? 0) + 1;
    this.version.set(pod, version);
    this.deleteHeap.push({ pod, count: this.countOf(pod.node), version });
  }

  private at(t: number, pod: SimPod | null = null, kind: TimedEvent['kind'] = 'tick'): void {
    if (Number.isFinite(t)) this.events.push({ t, pod, kind });
  }

  private create(at: number, node: string | null): SimPod {
    const running = at + this.p.podStart;
    const { serves, ready: probeReady } = readyTime(this.p, running);
    const ready = this.p.readinessGate && this.p.path === 'pod' ? probeReady + this.p.lbAdd : probeReady;
    const pod: SimPod = {
      name: `${this.input.workload.name}-new-${++this.newCounter}`,
      node: node ?? PENDING,
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
      nameRank: 0,
    };
    this.pods.push(pod);
    if (node !== null) this.bump(node, 1);
    this.at(pod.available, pod, 'available');
    return pod;
  }

  /** Fewest non-terminating pods of the workload, ties by node name. */
  private placeNode(): string {
    let best: NodeEntry | undefined;
    for (;;) {
      const top = this.nodeHeap.peek();
      if (!top || top.count === this.countOf(top.node)) {
        best = top;
        break;
      }
      this.nodeHeap.pop();
    }
    while (this.untouchedCursor < this.sortedNodes.length && this.touched.has(this.sortedNodes[this.untouchedCursor] as string)) this.untouchedCursor++;
    const fresh = this.sortedNodes[this.untouchedCursor];
    if (fresh !== undefined && (!best || best.count > 0 || compareNames(fresh, best.node) < 0)) return fresh;
    return best?.node ?? this.sortedNodes[0] ?? 'node-1';
  }

  private remove(pod: SimPod, at: number): void {
    pod.deleted = at;
    const own = this.p.P + this.p.appShutdown;
    pod.killed = this.p.G < own;
    pod.stopped = at + Math.min(own, this.p.G);
    pod.preStopEnd = at + Math.min(this.p.P, this.p.G);
    if (pod.revision === 'old') {
      this.oldActive--;
      if (pod.available <= at) this.oldAvailable--;
    }
    this.bump(pod.node, -1);
    this.at(pod.stopped, pod, 'stopped');
  }

  /** The next old pod to delete: reserved (in place) first, then the deletion order. */
  private nextToDelete(): SimPod | undefined {
    while (this.reservedHead < this.reserved.length) {
      const pod = this.reserved[this.reservedHead] as SimPod;
      if (pod.deleted === null) return pod;
      this.reservedHead++;
    }
    return this.peekDelete();
  }

  private peekDelete(skipReserved = false): SimPod | undefined {
    for (;;) {
      const top = this.deleteHeap.peek();
      if (!top) return undefined;
      if (top.pod.deleted !== null || top.version !== this.version.get(top.pod) || (skipReserved && this.reservedSet.has(top.pod))) {
        this.deleteHeap.pop();
        if (skipReserved && top.pod.deleted === null && top.version === this.version.get(top.pod)) this.skipped.push(top);
        continue;
      }
      return top.pod;
    }
  }

  private skipped: DeleteEntry[] = [];

  run(): void {
    if (this.p.kind === 'Deployment') this.runDeployment();
    else this.runSlots();
    if (this.p.kind === 'StatefulSet')
      this.notes.push('StatefulSet: one pod at a time, highest ordinal first; the replacement starts on the same node once the old pod is gone.');
  }

  private loop(onEvent: (e: TimedEvent) => void, reconcile: (t: number) => void): void {
    this.at(0);
    let processed = 0;
    while (this.events.size > 0 && processed++ < MAX_EVENTS) {
      const t = (this.events.peek() as TimedEvent).t;
      while (this.events.size > 0 && (this.events.peek() as TimedEvent).t === t) onEvent(this.events.pop() as TimedEvent);
      reconcile(t);
    }
  }

  private runDeployment(): void {
    const p = this.p;
    const R = p.replicas;
    if (p.strategy === 'Recreate') {
      let created = false;
      let deleted = false;
      let allStopped = 0;
      this.loop(
        () => undefined,
        (t) => {
          if (!deleted) {
            deleted = true;
            for (const pod of [...this.pods]) {
              this.remove(pod, 0);
              allStopped = Math.max(allStopped, pod.stopped);
            }
            this.steps.push({ t: 0, event: 'scale-down', replicaSet: 'old', to: 0 });
          }
          if (!created && t >= allStopped) {
            created = true;
            for (let i = 0; i < R; i++) this.create(t, this.placeNode());
            this.steps.push({ t, event: 'scale-up', replicaSet: 'new', to: R });
          }
        },
      );
      return;
    }
    const minAvailable = R - p.maxUnavailable;
    this.loop(
      (e) => {
        if (e.kind === 'available' && e.pod?.revision === 'new' && e.pod.deleted === null) this.newAvailable++;
      },
      (t) => {
        for (let guard = 0; guard < 4 * R + 8; guard++) {
          let changed = false;
          const total = this.newActive + this.oldActive;
          const up = Math.min(R + p.maxSurge - total, R - this.newActive);
          if (up > 0) {
            for (let i = 0; i < up; i++) this.pendingPods.push(this.create(t, null));
            this.newActive += up;
            this.steps.push({ t, event: 'scale-up', replicaSet: 'new', to: this.newActive });
            changed = true;
          }
          const oldBefore = this.oldActive;
          // Old pods that are not available go first, within the controller's maxScaledDown.
          const maxScaledDown = this.newActive + this.oldActive - minAvailable - (this.newActive - this.newAvailable);
          let cleanup = Math.min(maxScaledDown, this.oldUnhealthy.length);
          if (cleanup > 0) {
            this.oldUnhealthy.sort((a, b) =>
              deleteBefore({ pod: a, count: this.countOf(a.node), version: 0 }, { pod: b, count: this.countOf(b.node), version: 0 }) ? -1 : 1,
            );
            while (cleanup-- > 0) this.remove(this.oldUnhealthy.shift() as SimPod, t);
          }
          let down = Math.min(this.oldAvailable, this.newAvailable + this.oldAvailable - minAvailable);
          while (down-- > 0) {
            const victim = this.nextToDelete();
            if (!victim) break;
            this.remove(victim, t);
          }
          if (this.oldActive !== oldBefore) {
            this.steps.push({ t, event: 'scale-down', replicaSet: 'old', to: this.oldActive });
            changed = true;
          }
          this.placePending();
          if (!changed) break;
        }
      },
    );
  }

  /** The scheduler runs after the controller: pods created in this reconcile are placed now. */
  private placePending(): void {
    for (const pod of this.pendingPods) {
      let node: string | undefined;
      if (this.p.inPlace) {
        const next = this.peekDelete(true);
        for (const entry of this.skipped) this.deleteHeap.push(entry);
        this.skipped = [];
        if (next) {
          this.reserved.push(next);
          this.reservedSet.add(next);
          node = next.node;
        }
      }
      pod.node = node ?? this.placeNode();
      this.bump(pod.node, 1);
    }
    this.pendingPods = [];
  }

  /** DaemonSet (per node) and StatefulSet (per ordinal, highest first) rolling updates. */
  private runSlots(): void {
    const p = this.p;
    const old = this.pods.filter((pod) => pod.revision === 'old');
    const slots = p.kind === 'StatefulSet' ? [...old].sort((a, b) => compareNames(b.name, a.name)) : [...old].sort((a, b) => compareNames(a.node, b.node));
    const surge = p.kind === 'DaemonSet' && p.maxSurge > 0;
    const limit = Math.max(1, surge ? p.maxSurge : p.kind === 'StatefulSet' ? 1 : p.maxUnavailable);
    const slotOf = new Map<SimPod, SimPod>();
    let next = 0;
    let busy = 0;
    this.loop(
      (e) => {
        const pod = e.pod;
        if (!pod) return;
        if (e.kind === 'available' && pod.revision === 'new') {
          busy--;
          const slot = slotOf.get(pod);
          if (surge && slot && slot.deleted === null) {
            this.remove(slot, e.t);
            this.steps.push({ t: e.t, event: 'scale-down', replicaSet: 'old', pod: slot.name, node: slot.node });
          }
        } else if (e.kind === 'stopped' && pod.revision === 'old' && !surge) {
          const fresh = this.create(e.t, pod.node);
          if (p.kind === 'StatefulSet') fresh.name = pod.name.replace(/-old(?=-\d+$)/, '-new');
          slotOf.set(fresh, pod);
          this.steps.push({ t: e.t, event: 'scale-up', replicaSet: 'new', pod: fresh.name, node: fresh.node });
        }
      },
      (t) => {
        while (busy < limit && next < slots.length) {
          const slot = slots[next++] as SimPod;
          busy++;
          if (surge) {
            const fresh = this.create(t, slot.node);
            slotOf.set(fresh, slot);
            this.steps.push({ t, event: 'scale-up', replicaSet: 'new', pod: fresh.name, node: fresh.node });
          } else {
            this.remove(slot, t);
            this.steps.push({ t, event: 'scale-down', replicaSet: 'old', pod: slot.name, node: slot.node });
          }
        }
      },
    );
  }
}

/** Deletion order: not ready first; then nodes holding more pods of the workload; then newest; then name. */
function deleteBefore(a: DeleteEntry, b: DeleteEntry): boolean {
  const ra = a.pod.ready === INF ? 0 : 1;
  const rb = b.pod.ready === INF ? 0 : 1;
  if (ra !== rb) return ra < rb;
  if (a.count !== b.count) return a.count > b.count;
  if (a.pod.rank !== b.pod.rank) return a.pod.rank > b.pod.rank;
  if (a.pod.nameRank !== b.pod.nameRank) return a.pod.nameRank < b.pod.nameRank;
  return compareNames(a.pod.name, b.pod.name) < 0;
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
export function simulate(input: SimulationInput, options: { detail?: boolean } = {}): SimulationResult {
  const detail = options.detail !== false;
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
    const pool = receiving(pods, times);
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
  const capacityStarts: number[] = [];
  const capacityEnds: number[] = [];
  for (const pod of pods) {
    const t = times.get(pod) as PathTimes;
    const from = Math.max(t.start, pod.serves);
    const to = Math.min(t.end, pod.stopped);
    if (from < to) {
      capacityStarts.push(from);
      capacityEnds.push(to);
    }
  }
  const capacity = new StepFunction(capacityStarts, capacityEnds);
  let rolloutEnd = 0;
  for (const pod of pods) {
    const t = times.get(pod) as PathTimes;
    rolloutEnd = laterFinite(laterFinite(laterFinite(laterFinite(rolloutEnd, pod.available), pod.stopped), t.start), t.end);
  }
  const capacityCuts = cutPoints(0, rolloutEnd, [capacity]);
  for (let i = 0; i + 1 < capacityCuts.length; i++) {
    const from = capacityCuts[i] as number;
    const to = capacityCuts[i + 1] as number;
    const ready = capacity.at(from);
    if (ready < minAvailable) {
      const last = sink.windows[sink.windows.length - 1];
      // Nothing serving drops traffic, unless nothing served before the rollout either (already down).
      const share = ready === 0 && capacity.base > 0 ? 1 : 0;
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
  const steps = detail ? [...controller.steps] : [];
  for (const node of detail ? lbNodes : []) {
    if (node.from !== null && node.from > NEG) steps.push({ t: round3(node.from), event: 'lb-add', node: node.node });
    if (node.to !== null && Number.isFinite(node.to)) steps.push({ t: round3(node.to), event: 'lb-remove', node: node.node });
  }
  steps.sort((a, b) => a.t - b.t);

  const notes = [...(input.notes ?? []), ...controller.notes];
  if (capacity.base === 0)
    notes.push('No pod served traffic before the rollout: the Service is already down (see endpoints-not-ready); the rollout is not blamed for it.');
  if (p.kind === 'Deployment') notes.push('Deletion ties are broken by pod name; Kubernetes >= 1.31 randomises some ties (the simulator does not).');
  return {
    workload: input.workload,
    service: { ...input.service, path },
    parameters: p,
    parameterSources: detail ? Object.fromEntries(Object.entries(input.sources).map(([k, v]) => [k, String(v)])) : {},
    verdict: drops ? 'drops' : 'safe',
    droppedTrafficSeconds: round3(sink.dropped),
    windows,
    steps,
    pods: detail ? pods.map((pod) => podLife(pod, times.get(pod) as PathTimes, removedAt.get(pod))) : [],
    lbNodes: detail ? lbNodes.map((n) => ({ node: n.node, from: finiteOrNull(n.from), to: finiteOrNull(n.to) })) : [],
    durationSeconds: round3(Math.max(rolloutEnd, lastWindow)),
    notes,
  };
}

/** The later of a finite time and a time that may be infinite (then ignored). */
function laterFinite(time: number, candidate: number): number {
  return Number.isFinite(candidate) && candidate > time ? candidate : time;
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

/** How many of the pods the path sends to at each time. */
function receiving(pods: readonly SimPod[], times: Map<SimPod, PathTimes>): StepFunction {
  const starts: number[] = [];
  const ends: number[] = [];
  for (const pod of pods) {
    const t = times.get(pod) as PathTimes;
    if (t.start < t.end) {
      starts.push(t.start);
      ends.push(t.end);
    }
  }
  return new StepFunction(starts, ends);
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
    intervals.map((i) => i.from ?? NEG),
    intervals.map((i) => i.to ?? INF),
  );

  const intervalsByNode = new Map<string, NodeLbInterval[]>();
  for (const interval of intervals) {
    const list = intervalsByNode.get(interval.node);
    if (list) list.push(interval);
    else intervalsByNode.set(interval.node, [interval]);
  }
  for (const node of nodes) {
    const local = byNode.get(node) as SimPod[];
    const primary = receiving(local, times);
    const fallbackStarts: number[] = [];
    const fallbackEnds: number[] = [];
    for (const pod of terminatingEndpoints ? local : []) {
      const t = times.get(pod) as PathTimes;
      if (t.end < pod.stopped) {
        fallbackStarts.push(t.end);
        fallbackEnds.push(pod.stopped);
      }
    }
    const fallback = new StepFunction(fallbackStarts, fallbackEnds);
    const lbIntervals = intervalsByNode.get(node) ?? [];
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
