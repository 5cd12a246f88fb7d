// Resolves a simulation's parameters from a workload, a Service, the provider profile and
// the user's overrides, naming where each value came from.
import {
  alibabaAnnotation,
  annotationsOf,
  externalTrafficPolicy,
  isPodDirectBackend,
  preStopDuration,
  scaleIntOrPercent,
  parseKubernetesVersion,
  serviceType,
  type Container,
  type IntOrString,
  type Service,
  type SnapshotIndex,
  type Workload,
  profileFor,
  lbPathOf,
  backendEnvOf,
  type LbPath,
  type Provider,
  type ProfileOverrides,
  type ProviderProfile,
} from '#rollsafe/advisor';
import type { ParameterSource, PathKind, ReadinessTiming, SimulationParams } from './types.js';

/** Values the user sets (CLI flags, API parameters): each wins over the manifest and the profile. */
export interface SimulationOverrides {
  provider?: string;
  nodes?: number;
  inPlace?: boolean;
  kubernetesVersion?: string;
  E?: number;
  L?: number;
  lbAdd?: number;
  podStart?: number;
  appWarmup?: number;
  appShutdown?: number;
  drain?: boolean;
  drainTimeout?: number;
  /** Profile values from a profile file or the organization's settings. */
  profileOverrides?: ProfileOverrides;
}

const ALB_TG_ATTRIBUTES = 'alb.ingress.kubernetes.io/target-group-attributes';

/** The AWS Load Balancer Controller injects its readiness gate into pods of namespaces with this label. */
export const AWS_GATE_LABEL = 'elbv2.k8s.aws/pod-readiness-gate-inject';

export const DEFAULTS = {
  podStart: 2,
  appWarmup: 10,
  appShutdown: 0,
  grace: 30,
  kubernetesVersion: '1.30',
  provider: 'alibaba',
  probePeriod: 10,
};

export function pathOf(service: Service): PathKind {
  const type = serviceType(service);
  if (type !== 'LoadBalancer' && type !== 'NodePort') return 'internal';
  if (isPodDirectBackend(service)) return 'pod';
  return externalTrafficPolicy(service) === 'Local' ? 'local' : 'cluster';
}

type Sources = Partial<Record<keyof SimulationParams, ParameterSource | string>>;

export interface ResolvedParams {
  params: SimulationParams;
  sources: Sources;
  notes: string[];
  /** What is missing to simulate at all (verdict unknown). */
  missing: string[];
}

interface StrategyLike {
  type?: string;
  rollingUpdate?: { maxSurge?: IntOrString; maxUnavailable?: IntOrString };
}

function specOf(workload: Workload): Record<string, unknown> {
  return ((workload.object as { spec?: Record<string, unknown> }).spec ?? {}) as Record<string, unknown>;
}

function readinessGatesOf(workload: Workload): string[] {
  const gates = (workload.podSpec as { readinessGates?: Array<{ conditionType?: string }> } | undefined)?.readinessGates;
  return Array.isArray(gates) ? gates.map((g) => String(g?.conditionType ?? '')) : [];
}

function number(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  if (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

/** Resolves every parameter for one workload behind one Service. */
export function resolveParams(
  index: SnapshotIndex,
  workload: Workload,
  service: Service,
  provider: string,
  overrides: SimulationOverrides,
  live: { nodes?: number; kubernetesVersion?: string },
  /** An L7 (Ingress) load balancer in front of the Service (`l7PathsOf`); default: the Service's own path. */
  route?: LbPath,
): ResolvedParams {
  const notes: string[] = [];
  const missing: string[] = [];
  const sources: Sources = {};
  const path: PathKind = route ? route.profile.mode : pathOf(service);
  const mode = path === 'internal' ? 'cluster' : path;
  // The Service's own row (annotations, class, traffic policy), with the user's values; else the provider's default row.
  const lbPath = route ?? (path === 'internal' ? undefined : lbPathOf(service, provider as Provider, overrides.profileOverrides, backendEnvOf(index.snapshot)));
  if (route) notes.push(`Simulated on the L7 load balancer in front of the Service: ${route.basis} (profile ${route.profile.id}).`);
  const { profile, exact } = lbPath && lbPath.profile.mode === mode ? { profile: lbPath.profile, exact: true } : profileFor(provider, mode);
  if (lbPath?.assumed) notes.push(lbPath.assumed);
  const profileSource = exact ? `profile ${profile.id}` : `profile ${profile.id} (no ${provider} row for ${mode}: Alibaba's used)`;
  const spec = specOf(workload);
  // A DaemonSet runs one pod per node: as many as the cluster's (or --nodes, default 3 on manifests).
  const replicas = workload.kind === 'DaemonSet' ? Math.max(1, overrides.nodes ?? live.nodes ?? 3) : Math.max(1, index.replicas(workload));
  sources.replicas =
    workload.kind === 'DaemonSet'
      ? 'one per node'
      : index.hpaOf(workload)
        ? 'manifest (HPA minReplicas)'
        : workload.specReplicas === undefined
          ? 'default'
          : 'manifest';

  const kind = workload.kind as SimulationParams['kind'];
  let strategy: SimulationParams['strategy'] = 'RollingUpdate';
  let maxSurge = 0;
  let maxUnavailable = 1;
  if (kind === 'Deployment') {
    const s = (spec['strategy'] ?? {}) as StrategyLike;
    if (s.type === 'Recreate') strategy = 'Recreate';
    maxSurge = scaleIntOrPercent(s.rollingUpdate?.maxSurge ?? '25%', replicas, true) ?? 1;
    maxUnavailable = scaleIntOrPercent(s.rollingUpdate?.maxUnavailable ?? '25%', replicas, false) ?? 0;
    if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
    sources.maxSurge = s.rollingUpdate?.maxSurge === undefined ? 'default' : 'manifest';
    sources.maxUnavailable = s.rollingUpdate?.maxUnavailable === undefined ? 'default' : 'manifest';
  } else if (kind === 'DaemonSet') {
    const s = (spec['updateStrategy'] ?? {}) as StrategyLike;
    if (s.type === 'OnDelete') missing.push('DaemonSet updateStrategy OnDelete: pods change only when deleted by hand');
    maxSurge = scaleIntOrPercent(s.rollingUpdate?.maxSurge ?? 0, replicas, true) ?? 0;
    maxUnavailable = scaleIntOrPercent(s.rollingUpdate?.maxUnavailable ?? 1, replicas, false) ?? 1;
    if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
    sources.maxSurge = s.rollingUpdate?.maxSurge === undefined ? 'default' : 'manifest';
    sources.maxUnavailable = s.rollingUpdate?.maxUnavailable === undefined ? 'default' : 'manifest';
  } else if (kind === 'StatefulSet') {
    const s = (spec['updateStrategy'] ?? {}) as StrategyLike;
    if (s.type === 'OnDelete') missing.push('StatefulSet updateStrategy OnDelete: pods change only when deleted by hand');
    // MaxUnavailableStatefulSet (KEP-961) is on from 1.35: below, the field is ignored (PROVIDERS.md section 4).
    const version = parseKubernetesVersion(overrides.kubernetesVersion ?? live.kubernetesVersion ?? DEFAULTS.kubernetesVersion);
    const honoured = version !== undefined && (version[0] > 1 || version[1] >= 35);
    const declared = s.rollingUpdate?.maxUnavailable;
    maxUnavailable = honoured && declared !== undefined ? Math.max(1, scaleIntOrPercent(declared, replicas, false) ?? 1) : 1;
    sources.maxUnavailable =
      declared === undefined
        ? 'default (one pod at a time)'
        : honoured
          ? 'manifest (honoured from Kubernetes 1.35)'
          : 'default (one pod at a time below Kubernetes 1.35: rollingUpdate.maxUnavailable is ignored)';
  }
  const minReadySeconds = number(spec['minReadySeconds']) ?? 0;
  sources.minReadySeconds = spec['minReadySeconds'] === undefined ? 'default' : 'manifest';

  // The serving container the simulation follows: the worst of them (no probe, shortest preStop).
  const serving = index.servingContainers(workload);
  if (serving.length === 0) missing.push('a container in the pod template');
  const withoutProbe = serving.find((c) => !c.readinessProbe);
  const probed: Container | undefined = withoutProbe ?? serving[0];
  let readinessProbe: ReadinessTiming | null = null;
  if (probed?.readinessProbe) {
    const probe = probed.readinessProbe;
    readinessProbe = {
      initialDelaySeconds: number(probe.initialDelaySeconds) ?? 0,
      periodSeconds: number(probe.periodSeconds) ?? DEFAULTS.probePeriod,
      successThreshold: number(probe.successThreshold) ?? 1,
    };
  }
  sources.readinessProbe = 'manifest';
  let P = Number.POSITIVE_INFINITY;
  for (const container of serving) {
    const preStop = preStopDuration(container);
    let seconds = 0;
    if (preStop.present && preStop.seconds === undefined) {
      notes.push(`container "${container.name ?? ''}": preStop ${preStop.handler} of unknown duration, taken as 0 s`);
    } else if (preStop.present) seconds = preStop.seconds ?? 0;
    P = Math.min(P, seconds);
  }
  if (!Number.isFinite(P)) P = 0;
  sources.P = 'manifest';
  const grace = number(workload.podSpec?.terminationGracePeriodSeconds);
  const G = grace ?? DEFAULTS.grace;
  sources.G = grace === undefined ? 'default' : 'manifest';

  const gatePrefix = profile.readinessGate?.replace(/<[^>]+>$/, '') ?? null;
  let readinessGate = path === 'pod' && gatePrefix !== null && readinessGatesOf(workload).some((g) => g.startsWith(gatePrefix));
  sources.readinessGate = 'manifest';
  if (path === 'pod' && profile.id === 'gke.neg.l7' && !readinessGate) {
    // GKE injects the NEG readiness gate into the pods of container-native Ingress backends (PROVIDERS.md 2.4).
    readinessGate = true;
    sources.readinessGate = 'injected by GKE for NEG Ingress backends (cloud.google.com/load-balancer-neg-ready)';
  }
  if (path === 'pod' && profile.id === 'tencent.clb.direct' && !readinessGate) {
    // TKE's service controller injects its readiness gate into direct-access pods by default (PROVIDERS.md 2.6; TKE direct-access docs).
    readinessGate = true;
    sources.readinessGate = "injected by TKE's service controller webhook for direct access (on by default)";
  }
  if (path === 'pod' && profile.provider === 'aws' && !readinessGate) {
    // The controller's webhook adds the gate at pod creation in a labelled namespace (PROVIDERS.md 2.2).
    const namespace = (index.snapshot.namespaces ?? []).find((n) => (n.metadata?.name ?? '') === workload.namespace);
    if (namespace?.metadata?.labels?.[AWS_GATE_LABEL] === 'enabled' && backendEnvOf(index.snapshot).awsLoadBalancerController === false) {
      sources.readinessGate = `namespace label ${AWS_GATE_LABEL}: enabled, but the cluster has no aws-load-balancer-webhook: nothing injects the gate`;
    } else if (namespace?.metadata?.labels?.[AWS_GATE_LABEL] === 'enabled') {
      readinessGate = true;
      sources.readinessGate = `namespace label ${AWS_GATE_LABEL}: enabled (the controller's webhook injects the gate)`;
    } else if (namespace) sources.readinessGate = `namespace ${workload.namespace} lacks the label ${AWS_GATE_LABEL}: enabled`;
    else sources.readinessGate = 'manifest (Namespace not given: its gate label is unknown, taken as absent)';
  }

  // Health check: the profile, or the Service's own annotations.
  let hcInterval = profile.hc.intervalSeconds.value;
  let hcUnhealthyThreshold = profile.hc.unhealthyThreshold.value;
  let hcHealthyThreshold = profile.hc.healthyThreshold.value;
  sources.hcInterval = profileSource;
  sources.hcUnhealthyThreshold = profileSource;
  sources.hcHealthyThreshold = profileSource;
  const probe = serving.find((c) => c.readinessProbe?.httpGet)?.readinessProbe;
  if (profile.id === 'gke.neg.l7' && probe) {
    // The NEG backend service's health check is derived from the pod's HTTP readiness probe (PROVIDERS.md 2.4).
    hcInterval = number(probe.periodSeconds) ?? DEFAULTS.probePeriod;
    sources.hcInterval = "manifest (the HTTP readiness probe's periodSeconds: the NEG health check is derived from it)";
  }
  if (profile.provider === 'alibaba') {
    const interval = number(alibabaAnnotation(service, 'health-check-interval'));
    const unhealthy = number(alibabaAnnotation(service, 'unhealthy-threshold'));
    const healthy = number(alibabaAnnotation(service, 'healthy-threshold'));
    if (interval !== undefined) [hcInterval, sources.hcInterval] = [interval, 'manifest (Service annotation)'];
    if (unhealthy !== undefined) [hcUnhealthyThreshold, sources.hcUnhealthyThreshold] = [unhealthy, 'manifest (Service annotation)'];
    if (healthy !== undefined) [hcHealthyThreshold, sources.hcHealthyThreshold] = [healthy, 'manifest (Service annotation)'];
  }

  const e1 = profile.endpointPropagationSeconds.value;
  // Named stores below, not sources[key]: V8 turns an object that gets more than a dozen keyed
  // stores into a slow dictionary, and sources ends up in every verdict's JSON.
  sources.E = flagOr(overrides.E, `${profileSource}: propagation + datapath sync (estimate)`);
  const E = overrides.E ?? e1 + profile.datapathSyncSeconds.value;
  const lbRemove = profile.lbRemoveLatencySeconds?.value;
  sources.L = flagOr(
    overrides.L,
    path === 'pod' || path === 'local'
      ? lbRemove === undefined
        ? `${profileSource}: removal by health check only`
        : `${profileSource}: propagation + LB removal latency (estimate)`
      : 'not on the path',
  );
  const L = overrides.L ?? (path === 'pod' || path === 'local' ? e1 + (lbRemove ?? 0) : 0);
  const lbAddDefault = path === 'pod' || path === 'local' ? e1 + profile.lbAddLatencySeconds.value + hcInterval * hcHealthyThreshold : 0;
  sources.lbAdd = flagOr(
    overrides.lbAdd,
    path === 'pod' || path === 'local'
      ? `${profileSource}: propagation + LB add latency + health check interval x healthy threshold (estimate)`
      : 'not on the path',
  );
  const lbAdd = overrides.lbAdd ?? lbAddDefault;
  sources.podStart = flagOr(overrides.podStart, 'default');
  const podStart = overrides.podStart ?? DEFAULTS.podStart;
  sources.appWarmup = flagOr(overrides.appWarmup, 'default');
  const appWarmup = overrides.appWarmup ?? DEFAULTS.appWarmup;
  sources.appShutdown = flagOr(overrides.appShutdown, 'default');
  const appShutdown = overrides.appShutdown ?? DEFAULTS.appShutdown;
  sources.kubernetesVersion = flagOr(overrides.kubernetesVersion, live.kubernetesVersion ? 'cluster' : 'default');
  const kubernetesVersion = overrides.kubernetesVersion ?? live.kubernetesVersion ?? DEFAULTS.kubernetesVersion;
  sources.nodes = flagOr(overrides.nodes, live.nodes !== undefined ? 'cluster' : 'default (one pod per node)');
  const nodes = overrides.nodes ?? live.nodes ?? replicas;
  // The seed's in-place update for Local Services: pods pinned to the LB node set by a required
  // node affinity, surge with nothing unavailable. The new pod takes the place of the old one.
  const pinned = hasRequiredNodeAffinity(workload) && path === 'local' && kind === 'Deployment' && maxUnavailable === 0 && maxSurge >= 1;
  sources.inPlace = flagOr(
    overrides.inPlace,
    pinned ? 'inferred: required node affinity, maxUnavailable 0 and a surge on a Local Service (the in-place update)' : 'default',
  );
  const inPlace = overrides.inPlace ?? pinned;

  let drainDefault = profile.drain.supported && profile.drain.defaultSeconds.value > 0;
  let drainTimeoutDefault = profile.drain.defaultSeconds.value;
  let drainSource = profileSource;
  if (profile.provider === 'alibaba' && path !== 'internal') {
    const on = alibabaAnnotation(service, 'connection-drain');
    if (on !== undefined) {
      drainDefault = on.toLowerCase() === 'on';
      drainTimeoutDefault = number(alibabaAnnotation(service, 'connection-drain-timeout')) ?? 0;
      drainSource = 'manifest (Service annotation)';
    }
  }
  if (profile.provider === 'aws') {
    // An ALB's target group takes the Ingress annotation, which the Service's own overrides (LB controller docs).
    const attrs = profile.id.startsWith('aws.lbc.alb.')
      ? (annotationsOf(service)[ALB_TG_ATTRIBUTES] ?? (route?.via ? annotationsOf(route.via)[ALB_TG_ATTRIBUTES] : undefined))
      : annotationsOf(service)['service.beta.kubernetes.io/aws-load-balancer-target-group-attributes'];
    const match = /deregistration_delay\.timeout_seconds=(\d+)/.exec(attrs ?? '');
    if (match) {
      drainTimeoutDefault = Number(match[1]);
      drainDefault = drainTimeoutDefault > 0;
      drainSource = 'manifest (Service annotation)';
    }
  }
  if (profile.id === 'gke.neg.l7') {
    const seconds = backendConfigDrainSeconds(index, service);
    if (seconds !== undefined) {
      drainDefault = seconds > 0;
      drainTimeoutDefault = seconds;
      drainSource = 'manifest (BackendConfig connectionDraining.drainingTimeoutSec)';
    }
  }
  // Weight 0 while a terminating pod still serves (Alibaba ENI graceful-shutdown, Tencent graceful
  // shutdown or deletion): new connections stop, established ones run until the pod stops serving.
  if (path === 'pod' && profile.weightZeroOnTerminating === 'optIn' && weightZeroOptedIn(service, profile.provider)) {
    drainDefault = true;
    drainTimeoutDefault = G;
    drainSource = 'manifest (graceful shutdown: weight 0 until the pod stops serving)';
  }
  sources.drain = flagOr(overrides.drain, drainSource);
  const drain = overrides.drain ?? drainDefault;
  sources.drainTimeout = flagOr(overrides.drainTimeout, drainSource);
  const drainTimeout = overrides.drainTimeout ?? drainTimeoutDefault;
  sources.path = 'manifest (Service type, externalTrafficPolicy, backend annotations)';
  sources.provider = overrides.provider !== undefined ? 'flag' : 'detected';
  sources.profile = exact ? 'profile' : 'profile (fallback)';
  sources.kind = 'manifest';
  sources.strategy = 'manifest';
  sources.removalTrigger = profileSource;
  sources.hcSeesNode = profileSource;

  const params: SimulationParams = {
    kind,
    strategy,
    path,
    replicas,
    nodes: Math.max(1, nodes),
    maxSurge,
    maxUnavailable,
    minReadySeconds,
    E,
    L,
    lbAdd,
    podStart,
    appWarmup,
    appShutdown,
    P,
    G,
    readinessProbe,
    readinessGate,
    hcInterval,
    hcUnhealthyThreshold,
    hcHealthyThreshold,
    hcSeesNode: hcSeesNode(profile),
    removalTrigger: profile.removalTrigger,
    drain: path === 'internal' ? false : drain,
    drainTimeout,
    provider,
    profile: profile.id,
    kubernetesVersion,
    inPlace,
  };
  if (path === 'internal') notes.push('ClusterIP Service: no load balancer; only endpoint propagation matters, and connections are not counted as cut.');
  return { params, sources, notes, missing };
}

/** Where a value the user may set came from: the flag when set, else `source`. */
function flagOr(value: unknown, source: string): string {
  return value === undefined ? source : 'flag';
}

function hasRequiredNodeAffinity(workload: Workload): boolean {
  const affinity = workload.podSpec?.affinity?.nodeAffinity as { requiredDuringSchedulingIgnoredDuringExecution?: unknown } | undefined;
  return affinity?.requiredDuringSchedulingIgnoredDuringExecution !== undefined || Object.keys(workload.podSpec?.nodeSelector ?? {}).length > 0;
}

function hcSeesNode(profile: ProviderProfile): boolean {
  return profile.hc.target === 'nodePort' || profile.hc.target === 'healthCheckNodePort';
}

/** The Service opts in to weight 0 for terminating backends (PROVIDERS.md 2.1, 2.6). */
export function weightZeroOptedIn(service: Service, provider: string): boolean {
  const a = annotationsOf(service);
  if (provider === 'alibaba') {
    return (
      alibabaAnnotation(service, 'graceful-shutdown')?.toLowerCase() === 'true' && alibabaAnnotation(service, 'ignore-weight-update')?.toLowerCase() !== 'on'
    );
  }
  if (provider === 'tencent') {
    return (
      String(a['service.cloud.tencent.com/enable-grace-shutdown'] ?? '').toLowerCase() === 'true' ||
      String(a['service.cloud.tencent.com/enable-grace-deletion'] ?? '').toLowerCase() === 'true'
    );
  }
  return false;
}

/** The longest `connectionDraining.drainingTimeoutSec` of the BackendConfigs a Service names (GKE). */
function backendConfigDrainSeconds(index: SnapshotIndex, service: Service): number | undefined {
  const a = annotationsOf(service);
  const raw = a['cloud.google.com/backend-config'] ?? a['beta.cloud.google.com/backend-config'];
  if (!raw) return undefined;
  let names: string[];
  try {
    const parsed = JSON.parse(String(raw)) as { default?: unknown; ports?: Record<string, unknown> };
    names = [parsed.default, ...Object.values(parsed.ports ?? {})].filter((n): n is string => typeof n === 'string');
  } catch {
    return undefined;
  }
  const namespace = service.metadata?.namespace || 'default';
  let longest: number | undefined;
  for (const config of index.snapshot.backendConfigs ?? []) {
    if (!names.includes(config.metadata?.name ?? '') || (config.metadata?.namespace || 'default') !== namespace) continue;
    const seconds = number(config.spec?.connectionDraining?.drainingTimeoutSec);
    if (seconds !== undefined) longest = Math.max(longest ?? 0, seconds);
  }
  return longest;
}
