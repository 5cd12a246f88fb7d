// The simulator's input (resolved parameters) and its output contract (SIMULATOR.md): plain
// JSON-able objects, stored by scans and served by the API as they are.

export type PathKind = 'cluster' | 'local' | 'pod' | 'internal';
export type WindowCause =
  'not-ready-endpoint' | 'stopped-before-removed' | 'killed-during-prestop' | 'node-without-endpoint' | 'capacity-dip' | 'connections-cut';
export type Verdict = 'safe' | 'drops' | 'unknown';
export type ParameterSource = 'flag' | 'manifest' | 'cluster' | 'profile' | 'default' | 'fix';

export interface ReadinessTiming {
  initialDelaySeconds: number;
  periodSeconds: number;
  successThreshold: number;
}

/** One pod that exists when the rollout starts (old ReplicaSet / revision). */
export interface InitialPod {
  name: string;
  node: string;
  /** Not ready at time 0 (live clusters): deleted first, carries no traffic. */
  ready: boolean;
}

/** Every input of one simulation, resolved: the numbers the output echoes. */
export interface SimulationParams {
  kind: 'Deployment' | 'StatefulSet' | 'DaemonSet';
  strategy: 'RollingUpdate' | 'Recreate';
  path: PathKind;
  replicas: number;
  nodes: number;
  maxSurge: number;
  maxUnavailable: number;
  minReadySeconds: number;
  /** Endpoint propagation: endpoint controller plus kube-proxy sync. */
  E: number;
  /** LB backend removal latency counted from the pod's deletion. */
  L: number;
  /** LB backend add latency counted from Ready (or from the node's first ready pod). */
  lbAdd: number;
  podStart: number;
  appWarmup: number;
  appShutdown: number;
  /** preStop duration. */
  P: number;
  /** terminationGracePeriodSeconds. */
  G: number;
  readinessProbe: ReadinessTiming | null;
  /** The pod carries the LB's readiness gate: Ready only once the LB added it (pod path). */
  readinessGate: boolean;
  hcInterval: number;
  hcUnhealthyThreshold: number;
  hcHealthyThreshold: number;
  /** The LB's health check sees a node that lost its endpoints (local path). */
  hcSeesNode: boolean;
  removalTrigger: 'api' | 'hc' | 'api+hc' | 'none';
  drain: boolean;
  drainTimeout: number;
  provider: string;
  profile: string;
  kubernetesVersion: string;
  inPlace: boolean;
}

export interface SimulationInput {
  workload: { kind: string; namespace: string; name: string };
  service: { namespace: string; name: string };
  params: SimulationParams;
  /** Where each parameter came from. */
  sources: Partial<Record<keyof SimulationParams, ParameterSource | string>>;
  /** Old pods at time 0; default: `replicas` pods, one per node round-robin over `nodes` nodes. */
  initialPods?: InitialPod[];
  /** Node names (live clusters); default node-1..node-N. */
  nodeNames?: string[];
  /** Assumptions the caller made (an unknown preStop taken as 0, ...). */
  notes?: string[];
}

export interface TrafficWindow {
  start: number;
  end: number;
  cause: WindowCause;
  path: PathKind;
  node?: string;
  pod?: string;
  /** The fraction of the Service's traffic sent there (rounded to 3 decimals). */
  share: number;
}

export interface Step {
  t: number;
  event: 'scale-up' | 'scale-down' | 'pod-ready' | 'pod-available' | 'pod-stopped' | 'lb-add' | 'lb-remove';
  replicaSet?: 'new' | 'old';
  to?: number;
  pod?: string;
  node?: string;
}

/** One pod's life in the simulation: what the SVG timeline draws. */
export interface PodLife {
  name: string;
  node: string;
  revision: 'old' | 'new';
  /** Scheduled (new pods); null for pods that existed before the rollout. */
  scheduled: number | null;
  running: number | null;
  serves: number | null;
  ready: number | null;
  /** When the path first sends it traffic (LB add for pod paths, kube-proxy otherwise). */
  receives: number | null;
  deleted: number | null;
  /** preStop ends (d + P, capped by the kill). */
  preStopEnd: number | null;
  /** Stops serving (s). */
  stopped: number | null;
  /** The path stops sending to it. */
  removed: number | null;
  killed: boolean;
}

export interface NodeLbInterval {
  node: string;
  from: number | null;
  to: number | null;
}

export interface SimulationResult {
  workload: { kind: string; namespace: string; name: string };
  service: { namespace: string; name: string; path: PathKind };
  parameters: SimulationParams;
  parameterSources: Record<string, string>;
  verdict: 'safe' | 'drops';
  droppedTrafficSeconds: number;
  windows: TrafficWindow[];
  steps: Step[];
  pods: PodLife[];
  /** local path: when each node was a backend of the LB. */
  lbNodes: NodeLbInterval[];
  durationSeconds: number;
  notes: string[];
}

export interface Fix {
  change: string;
  closes: WindowCause[];
  /** Rule ids whose findings this fix also clears. */
  ruleIds: string[];
  remediation: { yaml: string };
}

export interface ServiceVerdict {
  service: { namespace: string; name: string; type: string; path: PathKind | null };
  workload: { kind: string; namespace: string; name: string } | null;
  verdict: Verdict;
  /** verdict unknown: what is missing to decide. */
  missing: string[];
  droppedTrafficSeconds: number;
  windows: TrafficWindow[];
  /** Rule ids whose findings explain the windows (present in the scan's findings when given). */
  ruleIds: string[];
  /** Fingerprints of the scan findings that explain them (when findings were given). */
  findings: string[];
  /** The smallest set of changes that made a new simulation safe. */
  fixes: Fix[];
  /** The simulation with every fix applied. */
  afterFixes: { verdict: 'safe' | 'drops'; droppedTrafficSeconds: number } | null;
  parameters: SimulationParams | null;
  parameterSources: Record<string, string>;
  notes: string[];
  durationSeconds: number;
}
