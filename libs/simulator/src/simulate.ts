// The rollout simulator (SIMULATOR.md): deterministic, no I/O, no clock. First the
// controller replays the rolling update (which pod is created, ready, deleted, when); then
// the request path of the Service is evaluated from those times: who sends traffic where,
// and when a backend that receives traffic does not answer.
import { StepFunction, nextCut } from './step-function.js';
import type { NodeLbInterval, PathKind, PodLife, SimulationInput, SimulationParams, SimulationResult, Step, TrafficWindow, WindowCause } from './types.js';

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
  /** The deletion heap's current entry for the pod: older entries are stale. */
  deleteVersion: number;
  /** Reserved for an in-place replacement. */
  reserved: boolean;
  /** The path starts sending to the pod. */
  start: number;
  /** The path stops sending to the pod. */
  end: number;
  /** The path (or the LB, local path) stops sending to the pod. */
  removed: number;
}

const INF = Number.POSITIVE_INFINITY;
const NEG = Number.NEGATIVE_INFINITY;
const MAX_EVENTS = 1_000_000;
const PENDING = '\u0000pending';

export function defaultNodeNames(count: number): string[] {
  return Array.from({ length: Math.max(1, count) }, (_, i) => `node-${i + 1}`);
}

/** defaultNodeNames by count, built once: simulations only read them. */
const sharedNodeNames = new Map<number, readonly string[]>();
/** Larger counts are rare and would stay in memory for good (a long-running API): built each time. */
const SHARED_NODE_NAMES_MAX = 1024;

function sharedDefaultNodeNames(count: number): readonly string[] {
  if (count > SHARED_NODE_NAMES_MAX) return defaultNodeNames(count);
  let names = sharedNodeNames.get(count);
  if (!names) sharedNodeNames.set(count, (names = defaultNodeNames(count)));
  return names;
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

/** A node the workload has (or had) pods on. */
interface NodeState {
  /** Non-terminating pods of the workload on it. */
  count: number;
  /** Its old pods, in creation order. */
  olds: SimPod[];
}

interface DeleteEntry {
  pod: SimPod;
  count: number;
  version: number;
}

function simPod(name: string, node: string, revision: 'old' | 'new'): SimPod {
  return {
    name,
    node,
    revision,
    scheduled: null,
    running: NEG,
    serves: NEG,
    ready: NEG,
    available: NEG,
    deleted: null,
    stopped: INF,
    preStopEnd: INF,
    killed: false,
    rank: 0,
    nameRank: 0,
    deleteVersion: 0,
    reserved: false,
    start: INF,
    end: INF,
    removed: INF,
  };
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
  private readonly sortedNodes: readonly string[];
  /** Nodes touched so far (holding or having held a pod), with their counts. */
  private readonly nodes = new Map<string, NodeState>();
  private untouchedCursor = 0;
  private readonly nodeHeap = new MinHeap<NodeEntry>((a, b) => a.count < b.count || (a.count === b.count && compareNames(a.node, b.node) < 0));
  private readonly events = new MinHeap<TimedEvent>((a, b) => a.t < b.t);
  private rank = 0;
  private newCounter = 0;
  // Deployment bookkeeping.
  private readonly deleteHeap = new MinHeap<DeleteEntry>((a, b) => deleteBefore(a, b));
  private readonly reserved: SimPod[] = [];
  private reservedHead = 0;
  private oldActive = 0;
  private oldAvailable = 0;
  private oldUnhealthy: SimPod[] = [];
  private newActive = 0;
  private newAvailable = 0;
  private pendingPods: SimPod[] = [];

  constructor(
    private readonly input: SimulationInput,
    private readonly p: SimulationParams,
    /** Record the steps (only the detailed result shows them). */
    private readonly detail: boolean,
  ) {
    // Node names arrive sorted (defaultNodeNames, or sorted once per scan for live clusters).
    this.sortedNodes = input.nodeNames ?? sharedDefaultNodeNames(Math.max(p.nodes, 1));
    const initial = input.initialPods;
    if (initial) {
      for (const pod of initial) this.addOld(simPod(pod.name, pod.node, 'old'), pod.ready);
      const byName = [...this.pods].sort((x, y) => compareNames(x.name, y.name));
      byName.forEach((pod, i) => (pod.nameRank = i));
    } else {
      const nodes = this.sortedNodes;
      for (let i = 0; i < p.replicas; i++) this.addOld(simPod(`${input.workload.name}-old-${i + 1}`, nodes[i % nodes.length] as string, 'old'), true);
      // `<workload>-old-<i>`: compareNames orders them by i.
      this.pods.forEach((pod, i) => (pod.nameRank = i));
    }
    for (const pod of this.pods) if (pod.ready !== INF) this.pushDelete(pod);
  }

  private addOld(pod: SimPod, ready: boolean): void {
    if (!ready) {
      pod.serves = INF;
      pod.ready = INF;
      pod.available = INF;
    }
    this.pods.push(pod);
    this.stateOf(pod.node).olds.push(pod);
    this.oldActive++;
    if (ready) this.oldAvailable++;
    else this.oldUnhealthy.push(pod);
    this.bump(pod.node, 1);
  }

  private stateOf(node: string): NodeState {
    let state = this.nodes.get(node);
    if (!state) this.nodes.set(node, (state = { count: 0, olds: [] }));
    return state;
  }

  private countOf(node: string): number {
    return this.nodes.get(node)?.count ?? 0;
  }

  private bump(node: string, delta: number): void {
    const state = this.stateOf(node);
    const count = (state.count += delta);
    this.nodeHeap.push({ node, count });
    for (const old of state.olds) if (old.deleted === null && old.ready !== INF) this.pushDelete(old);
  }

  private pushDelete(pod: SimPod): void {
    this.deleteHeap.push({ pod, count: this.countOf(pod.node), version: ++pod.deleteVersion });
  }

  private at(t: number, pod: SimPod | null = null, kind: TimedEvent['kind'] = 'tick'): void {
    if (Number.isFinite(t)) this.events.push({ t, pod, kind });
  }

  private create(at: number, node: string | null): SimPod {
    const running = at + this.p.podStart;
    const { serves, ready: probeReady } = readyTime(this.p, running);
    const ready = this.p.readinessGate && this.p.path === 'pod' ? probeReady + this.p.lbAdd : probeReady;
    const pod = simPod(`${this.input.workload.name}-new-${++this.newCounter}`, node ?? PENDING, 'new');
    pod.scheduled = at;
    pod.running = running;
    pod.serves = serves;
    pod.ready = ready;
    pod.available = ready + this.p.minReadySeconds;
    pod.rank = ++this.rank;
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
    while (this.untouchedCursor < this.sortedNodes.length && this.nodes.has(this.sortedNodes[this.untouchedCursor] as string)) this.untouchedCursor++;
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
      if (top.pod.deleted !== null || top.version !== top.pod.deleteVersion || (skipReserved && top.pod.reserved)) {
        this.deleteHeap.pop();
        if (skipReserved && top.pod.deleted === null && top.version === top.pod.deleteVersion) this.skipped.push(top);
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
            if (this.detail) this.steps.push({ t: 0, event: 'scale-down', replicaSet: 'old', to: 0 });
          }
          if (!created && t >= allStopped) {
            created = true;
            for (let i = 0; i < R; i++) this.create(t, this.placeNode());
            if (this.detail) this.steps.push({ t, event: 'scale-up', replicaSet: 'new', to: R });
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
            if (this.detail) this.steps.push({ t, event: 'scale-up', replicaSet: 'new', to: this.newActive });
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
            if (this.detail) this.steps.push({ t, event: 'scale-down', replicaSet: 'old', to: this.oldActive });
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
          next.reserved = true;
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
            if (this.detail) this.steps.push({ t: e.t, event: 'scale-down', replicaSet: 'old', pod: slot.name, node: slot.node });
          }
        } else if (e.kind === 'stopped' && pod.revision === 'old' && !surge) {
          const fresh = this.create(e.t, pod.node);
          if (p.kind === 'StatefulSet') fresh.name = pod.name.replace(/-old(?=-\d+$)/, '-new');
          slotOf.set(fresh, pod);
          if (this.detail) this.steps.push({ t: e.t, event: 'scale-up', replicaSet: 'new', pod: fresh.name, node: fresh.node });
        }
      },
      (t) => {
        while (busy < limit && next < slots.length) {
          const slot = slots[next++] as SimPod;
          busy++;
          if (surge) {
            const fresh = this.create(t, slot.node);
            slotOf.set(fresh, slot);
            if (this.detail) this.steps.push({ t, event: 'scale-up', replicaSet: 'new', pod: fresh.name, node: fresh.node });
          } else {
            this.remove(slot, t);
            if (this.detail) this.steps.push({ t, event: 'scale-down', replicaSet: 'old', pod: slot.name, node: slot.node });
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

/** When the path starts and stops sending to the pod (pod.start, pod.end). */
function setPathTimes(pod: SimPod, p: SimulationParams): void {
  if (!Number.isFinite(pod.ready) && pod.ready !== NEG) {
    pod.start = INF;
    pod.end = INF;
  } else if (p.path === 'pod') {
    pod.start = pod.ready === NEG ? NEG : p.readinessGate ? pod.ready : pod.ready + p.lbAdd;
    pod.end = (pod.deleted ?? INF) + p.L;
  } else {
    pod.start = pod.ready === NEG ? NEG : pod.ready + p.E;
    pod.end = (pod.deleted ?? INF) + p.E;
  }
  pod.removed = pod.end;
}

function stopCause(pod: SimPod): WindowCause {
  return pod.killed ? 'killed-during-prestop' : 'stopped-before-removed';
}

const round3 = (n: number): number => Math.round(n * 1000) / 1000;

/**
 * The share of the Service's traffic at t: split evenly over the pods `pool` counts; with
 * `within`, first over the nodes `pool` counts (the LB), then over the pods `within` counts.
 */
function shareAt(t: number, pool: StepFunction, within: StepFunction | null): number {
  if (within === null) {
    const n = pool.at(t);
    return n > 0 ? 1 / n : 0;
  }
  const n = within.at(t);
  if (!(n > 0)) return 0;
  const nodes = pool.at(t);
  return (nodes > 0 ? 1 / nodes : 0) / n;
}

/** Where a window is, in the key order its path writes: the pod first (cluster, pod, internal) or the node first (local). */
type Where = 'pod-node' | 'node-pod';

function windowOf(
  start: number,
  end: number,
  cause: WindowCause,
  path: PathKind,
  node: string,
  pod: string | undefined,
  where: Where,
  share: number,
): TrafficWindow {
  if (pod === undefined) return { start, end, cause, path, node, share };
  return where === 'pod-node' ? { start, end, cause, path, pod, node, share } : { start, end, cause, path, node, pod, share };
}

class WindowSink {
  readonly windows: TrafficWindow[] = [];
  dropped = 0;

  /** Adds [a, b) split where the share (shareAt(pool, within)) changes; adjacent equal shares merged. */
  add(
    a: number,
    b: number,
    cause: WindowCause,
    path: PathKind,
    node: string,
    pod: string | undefined,
    where: Where,
    pool: StepFunction,
    within: StepFunction | null,
  ): void {
    if (!(b > a)) return;
    let open: TrafficWindow | undefined;
    let openShare = 0;
    for (let from = a; from < b;) {
      const to = within === null ? nextCut(from, b, pool) : nextCut(from, b, pool, within);
      const s = shareAt(from, pool, within);
      if (!(s > 0)) {
        open = undefined;
      } else {
        if (open && openShare === s && open.end === from) {
          open.end = to;
        } else {
          open = windowOf(from, to, cause, path, node, pod, where, s);
          openShare = s;
          this.windows.push(open);
        }
        if (cause !== 'capacity-dip' && cause !== 'connections-cut') this.dropped += s * (to - from);
      }
      from = to;
    }
  }

  instant(t: number, cause: WindowCause, path: PathKind, node: string, pod: string | undefined, where: Where, share: number): void {
    if (Number.isFinite(t) && share > 0) this.windows.push(windowOf(t, t, cause, path, node, pod, where, share));
  }
}

/** Replays the rollout and evaluates the Service's path. Pure and deterministic. */
export function simulate(input: SimulationInput, options: { detail?: boolean } = {}): SimulationResult {
  const detail = options.detail !== false;
  const p = input.params;
  const controller = new Controller(input, p, detail);
  controller.run();
  const pods = controller.pods;
  const sink = new WindowSink();
  const path = p.path;
  for (const pod of pods) setPathTimes(pod, p);
  let lbNodes: NodeLbInterval[] = [];

  if (path === 'local') {
    lbNodes = evaluateLocal(pods, p, servesTerminatingEndpoints(p.kubernetesVersion), sink, detail);
  } else {
    const pool = receiving(pods);
    for (const pod of pods) {
      if (!(pod.start < pod.end)) continue;
      sink.add(pod.start, Math.min(pod.end, pod.serves), 'not-ready-endpoint', path, pod.node, pod.name, 'pod-node', pool, null);
      sink.add(Math.max(pod.start, pod.stopped), pod.end, stopCause(pod), path, pod.node, pod.name, 'pod-node', pool, null);
      if (path === 'pod' && !p.drain && pod.deleted !== null) {
        sink.instant(pod.end, 'connections-cut', path, pod.node, pod.name, 'pod-node', shareAt(pod.end - 1e-9, pool, null));
      }
    }
  }

  // Capacity: pods the path sends to while they serve, against replicas - maxUnavailable.
  const minAvailable = Math.max(1, p.replicas - p.maxUnavailable);
  const capacityStarts: number[] = [];
  const capacityEnds: number[] = [];
  for (const pod of pods) {
    const from = Math.max(pod.start, pod.serves);
    const to = Math.min(pod.end, pod.stopped);
    if (from < to) {
      capacityStarts.push(from);
      capacityEnds.push(to);
    }
  }
  const capacity = new StepFunction(capacityStarts, capacityEnds);
  let rolloutEnd = 0;
  for (const pod of pods) rolloutEnd = laterFinite(laterFinite(laterFinite(laterFinite(rolloutEnd, pod.available), pod.stopped), pod.start), pod.end);
  let from = 0;
  do {
    const to = nextCut(from, rolloutEnd, capacity);
    const ready = capacity.at(from);
    if (ready < minAvailable) {
      const last = sink.windows[sink.windows.length - 1];
      // Nothing serving drops traffic, unless nothing served before the rollout either (already down).
      const share = ready === 0 && capacity.base > 0 ? 1 : 0;
      if (last && last.cause === 'capacity-dip' && last.end === from && last.share === share) last.end = to;
      else sink.windows.push({ start: from, end: to, cause: 'capacity-dip', path, share });
    }
    from = to;
  } while (from < rolloutEnd);

  const windows = roundedWindows(sink.windows);
  let drops = false;
  let lastWindow = 0;
  for (const w of windows) {
    if (w.cause === 'capacity-dip' ? w.share >= 1 : true) drops = true;
    lastWindow = Math.max(lastWindow, w.end);
  }
  const steps = detail ? [...controller.steps] : [];
  for (const node of detail ? lbNodes : []) {
    if (node.from !== null && node.from > NEG) steps.push({ t: round3(node.from), event: 'lb-add', node: node.node });
    if (node.to !== null && Number.isFinite(node.to)) steps.push({ t: round3(node.to), event: 'lb-remove', node: node.node });
  }
  if (steps.length > 1) steps.sort((a, b) => a.t - b.t);

  const notes = [...(input.notes ?? []), ...controller.notes];
  if (capacity.base === 0)
    notes.push('No pod served traffic before the rollout: the Service is already down (see endpoints-not-ready); the rollout is not blamed for it.');
  if (p.kind === 'Deployment') notes.push('Deletion ties are broken by pod name; Kubernetes >= 1.31 randomises some ties (the simulator does not).');
  return {
    workload: input.workload,
    service: serviceOnPath(input.service, path),
    parameters: p,
    parameterSources: detail ? Object.fromEntries(Object.entries(input.sources).map(([k, v]) => [k, String(v)])) : {},
    verdict: drops ? 'drops' : 'safe',
    droppedTrafficSeconds: round3(sink.dropped),
    windows,
    steps,
    pods: detail ? pods.map(podLife) : [],
    lbNodes: detail ? lbNodes.map((n) => ({ node: n.node, from: finiteOrNull(n.from), to: finiteOrNull(n.to) })) : [],
    durationSeconds: round3(Math.max(rolloutEnd, lastWindow)),
    notes,
  };
}

/**
 * `{ ...service, path }`. A spread followed by a key the source lacks takes V8's slow path (about
 * 1.5 µs, more than the rest of a small simulation's result): the usual `{ namespace, name }` is
 * written out.
 */
export function serviceOnPath<S extends { namespace: string; name: string }>(service: S, path: PathKind): S & { path: PathKind } {
  let keys = 0;
  for (const key in service) {
    if (key !== (keys === 0 ? 'namespace' : keys === 1 ? 'name' : undefined)) return { ...service, path };
    keys++;
  }
  return keys === 2 ? ({ namespace: service.namespace, name: service.name, path } as S & { path: PathKind }) : { ...service, path };
}

/** The sink's windows (its own objects), rounded in place, empty capacity dips left out, in time order. */
function roundedWindows(windows: TrafficWindow[]): TrafficWindow[] {
  let kept = 0;
  for (const w of windows) {
    if (w.cause === 'capacity-dip' && !(w.end > w.start)) continue;
    w.start = round3(w.start);
    w.end = round3(w.end);
    w.share = round3(w.share);
    windows[kept++] = w;
  }
  windows.length = kept;
  // Array#sort copies even a list of one into a work array first.
  if (windows.length < 2) return windows;
  return windows.sort((a, b) => a.start - b.start || a.end - b.end || compareNames(a.node ?? '', b.node ?? '') || compareNames(a.pod ?? '', b.pod ?? ''));
}

/** The later of a finite time and a time that may be infinite (then ignored). */
function laterFinite(time: number, candidate: number): number {
  return Number.isFinite(candidate) && candidate > time ? candidate : time;
}

function finiteOrNull(value: number | null): number | null {
  return value === null || !Number.isFinite(value) ? null : round3(value);
}

function podLife(pod: SimPod): PodLife {
  return {
    name: pod.name,
    node: pod.node,
    revision: pod.revision,
    scheduled: pod.scheduled,
    running: finiteOrNull(pod.running),
    serves: finiteOrNull(pod.serves),
    ready: finiteOrNull(pod.ready),
    receives: finiteOrNull(pod.start),
    deleted: pod.deleted,
    preStopEnd: finiteOrNull(pod.preStopEnd),
    stopped: finiteOrNull(pod.stopped),
    removed: finiteOrNull(pod.removed),
    killed: pod.killed,
  };
}

/** How many of the pods the path sends to at each time. */
function receiving(pods: readonly SimPod[]): StepFunction {
  const starts: number[] = [];
  const ends: number[] = [];
  for (const pod of pods) {
    if (pod.start < pod.end) {
      starts.push(pod.start);
      ends.push(pod.end);
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
function evaluateLocal(pods: SimPod[], p: SimulationParams, terminatingEndpoints: boolean, sink: WindowSink, detail: boolean): NodeLbInterval[] {
  const byNode = new Map<string, SimPod[]>();
  for (const pod of pods) {
    const list = byNode.get(pod.node);
    if (list) list.push(pod);
    else byNode.set(pod.node, [pod]);
  }
  const nodes = [...byNode.keys()].sort(compareNames);
  const intervals: NodeLbInterval[] = [];
  const intervalsByNode: NodeLbInterval[][] = [];
  for (const node of nodes) {
    const own = nodeLbIntervals(node, byNode.get(node) as SimPod[], p, terminatingEndpoints);
    intervalsByNode.push(own);
    for (const interval of own) intervals.push(interval);
  }
  const lbStarts: number[] = [];
  const lbEnds: number[] = [];
  for (const interval of intervals) {
    lbStarts.push(interval.from ?? NEG);
    lbEnds.push(interval.to ?? INF);
  }
  const lbCount = new StepFunction(lbStarts, lbEnds);

  nodes.forEach((node, n) => {
    const local = byNode.get(node) as SimPod[];
    const primary = receiving(local);
    const fallbackStarts: number[] = [];
    const fallbackEnds: number[] = [];
    for (const pod of terminatingEndpoints ? local : []) {
      if (pod.end < pod.stopped) {
        fallbackStarts.push(pod.end);
        fallbackEnds.push(pod.stopped);
      }
    }
    const fallback = new StepFunction(fallbackStarts, fallbackEnds);
    const lbIntervals = intervalsByNode[n] as NodeLbInterval[];
    for (const lb of lbIntervals) {
      const from = lb.from ?? NEG;
      const to = lb.to ?? INF;
      // Pods kube-proxy sends to while they do not serve.
      for (const pod of local) {
        if (!(pod.start < pod.end)) continue;
        sink.add(Math.max(from, pod.start), Math.min(to, pod.end, pod.serves), 'not-ready-endpoint', 'local', node, pod.name, 'node-pod', lbCount, primary);
        sink.add(Math.max(from, pod.start, pod.stopped), Math.min(to, pod.end), stopCause(pod), 'local', node, pod.name, 'node-pod', lbCount, primary);
      }
      // The LB sends to the node while no local endpoint answers.
      const end = Math.min(to, 1e9);
      for (let a = Math.max(from, -1e9); ;) {
        const b = nextCut(a, end, primary, fallback);
        if (primary.at(a) === 0 && fallback.at(a) === 0) {
          sink.add(a, b, 'node-without-endpoint', 'local', node, lastDeletedBy(local, a)?.name, 'node-pod', lbCount, null);
        }
        a = b;
        if (!(a < end)) break;
      }
      if (!p.drain && lb.to !== null && Number.isFinite(lb.to)) {
        sink.instant(lb.to, 'connections-cut', 'local', node, undefined, 'node-pod', shareAt(lb.to - 1e-9, lbCount, null));
      }
    }
    if (detail) {
      for (const pod of local) {
        const lbEnd = lbIntervals.find((i) => (i.from ?? NEG) <= (pod.deleted ?? INF) && (pod.deleted ?? INF) < (i.to ?? INF))?.to;
        pod.removed = Math.min(pod.end, lbEnd ?? INF);
      }
    }
  });
  return intervals;
}

/** The pod deleted last at or before t (the first of them in creation order). */
function lastDeletedBy(pods: readonly SimPod[], t: number): SimPod | undefined {
  let last: SimPod | undefined;
  for (const pod of pods) if (pod.deleted !== null && pod.deleted <= t && (last === undefined || pod.deleted > (last.deleted as number))) last = pod;
  return last;
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
