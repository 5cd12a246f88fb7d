// Provider profiles: what each cloud's load balancer does during a rolling update, as data.
// One row per provider x backend mode (PROVIDERS.md section 3). Every number carries its source
// and how sure we are of it; `estimate` values are defaults to be replaced by measurements
// (a profile file, CLI flags, organization settings), and findings and verdicts that use one
// say so. Rules (libs/advisor) and the rollout simulator (libs/simulator) read the same rows.

/** Bump when a row's value or meaning changes: outputs name the version they used. */
export const PROFILES_VERSION = '2026-12-06.2';

/** `user`: set by a profile file, a flag or the organization's settings. */
export type Confidence = 'verified' | 'secondary' | 'estimate' | 'user';
export interface Num {
  value: number;
  source: string;
  confidence: Confidence;
}
export type HcTarget = 'podPort' | 'nodePort' | 'healthCheckNodePort' | 'kubeProxyHealthz';
export type RemovalTrigger = 'api' | 'hc' | 'api+hc' | 'none';
export type ProfileProvider = 'alibaba' | 'aws' | 'gcp' | 'azure' | 'tencent';

export interface ProviderProfile {
  id: string;
  provider: ProfileProvider;
  backendTarget: 'node' | 'pod';
  /** The Service's path this row describes. */
  mode: 'pod' | 'local' | 'cluster';
  removalTrigger: RemovalTrigger;
  endpointPropagationSeconds: Num;
  datapathSyncSeconds: Num;
  /** Controller sees the change -> LB stops opening connections (controller reconcile included). */
  lbRemoveLatencySeconds?: Num;
  lbAddLatencySeconds: Num;
  hc: { intervalSeconds: Num; timeoutSeconds?: Num; healthyThreshold: Num; unhealthyThreshold: Num; target: HcTarget };
  drain: { supported: boolean; defaultSeconds: Num; min?: number; max?: number };
  weightZeroOnTerminating: 'none' | 'optIn';
  /** Pod condition the LB controller sets once the backend is healthy (`<...>` is per Service). */
  readinessGate: string | null;
  failOpenWhenAllUnhealthy?: boolean;
  /** Backends one load balancer (or target group) takes, for `lb-backend-quota`. */
  backendQuota?: Num;
}

const est = (value: number, source: string): Num => ({ value, source, confidence: 'estimate' });
const ver = (value: number, source: string): Num => ({ value, source, confidence: 'verified' });

const PROP = est(1, 'PROVIDERS.md 3: endpoint propagation ~1 s');
const SYNC = est(1, 'PROVIDERS.md 3: kube-proxy minSyncPeriod ~1 s (kubernetes/kubernetes#92836)');

function hc(
  interval: number,
  unhealthy: number,
  healthy: number,
  target: HcTarget,
  source: string,
  confidence: Confidence = 'verified',
  timeout?: number,
): ProviderProfile['hc'] {
  return {
    intervalSeconds: { value: interval, source, confidence },
    ...(timeout === undefined ? {} : { timeoutSeconds: { value: timeout, source, confidence } }),
    healthyThreshold: { value: healthy, source, confidence },
    unhealthyThreshold: { value: unhealthy, source, confidence },
    target,
  };
}

const ALI_HC_SOURCE = 'ACK annotation doc / CCM listeners.go: interval 2 s, thresholds 3/3, connect timeout 5 s';
const ALI_DRAIN = { supported: true, defaultSeconds: ver(0, 'CCM annotations.go: connection-drain default off'), min: 10, max: 900 };
const ALI_GATE = 'service.readiness.alibabacloud.com/<service-name>';
const ALI_QUOTA = ver(200, 'Alibaba CLB quota: 200 backend servers per CLB');
const ELB_DRAIN = {
  supported: true,
  defaultSeconds: ver(300, 'ELBv2 TargetGroupAttribute: deregistration_delay.timeout_seconds default 300 s'),
  min: 0,
  max: 3600,
};
const CLB_DRAIN = {
  supported: true,
  defaultSeconds: ver(0, 'cloud-provider-aws aws.go: connection-draining-enabled default off'),
  min: 1,
  max: 3600,
};
const AWS_GATE = 'target-health.elbv2.k8s.aws/<targetgroupbinding-name>';
const NLB_QUOTA = ver(500, 'NLB quotas: 500 targets per AZ per NLB');
const GKE_L4_DRAIN = { supported: true, defaultSeconds: ver(30, 'ingress-gce l4/backends/backends.go: 30 s for TCP') };
const GKE_L7_DRAIN = {
  supported: true,
  defaultSeconds: est(0, 'PROVIDERS.md 2.4 [U]: no BackendConfig, 0 assumed'),
  min: 0,
  max: 3600,
};
const AZ_DRAIN = { supported: false, defaultSeconds: ver(0, 'cloud-provider-azure consts.go: no drain setting') };
const AZ_HC = (target: HcTarget): ProviderProfile['hc'] => ({
  intervalSeconds: ver(5, 'cloud-provider-azure consts.go: health-probe-interval default 5 s'),
  healthyThreshold: est(2, 'PROVIDERS.md 6.5 [U]: ProbeThreshold for the up direction ~2'),
  unhealthyThreshold: ver(2, 'cloud-provider-azure consts.go: health-probe-num-of-probe default 2'),
  target,
});
const TKE_HC_SOURCE = 'Tencent CLB health-check defaults (terraform-provider-tencentcloud#1848, reseller docs) [S]';

const base = { endpointPropagationSeconds: PROP, datapathSyncSeconds: SYNC, weightZeroOnTerminating: 'none' as const, readinessGate: null };

/** Every row of PROVIDERS.md section 3. */
export const PROFILES: readonly ProviderProfile[] = [
  {
    ...base,
    id: 'alibaba.clb.eni',
    provider: 'alibaba',
    backendTarget: 'pod',
    mode: 'pod',
    removalTrigger: 'api',
    lbRemoveLatencySeconds: est(10, 'PROVIDERS.md 3: CCM reconcile + CLB API ~10 s (120 s seen after a CCM restart, ccm#412)'),
    lbAddLatencySeconds: est(10, 'PROVIDERS.md 3: CCM register ~10 s'),
    hc: hc(2, 3, 3, 'podPort', ALI_HC_SOURCE, 'verified', 5),
    drain: ALI_DRAIN,
    weightZeroOnTerminating: 'optIn',
    readinessGate: ALI_GATE,
    backendQuota: ALI_QUOTA,
  },
  {
    ...base,
    id: 'alibaba.clb.local',
    provider: 'alibaba',
    backendTarget: 'node',
    mode: 'local',
    removalTrigger: 'api',
    lbRemoveLatencySeconds: est(10, 'PROVIDERS.md 3: CCM reconcile + CLB API ~10 s'),
    lbAddLatencySeconds: est(10, 'PROVIDERS.md 3: CCM register ~10 s'),
    hc: hc(2, 3, 3, 'nodePort', ALI_HC_SOURCE, 'verified', 5),
    drain: ALI_DRAIN,
    readinessGate: ALI_GATE,
  },
  {
    ...base,
    id: 'alibaba.clb.cluster',
    provider: 'alibaba',
    backendTarget: 'node',
    mode: 'cluster',
    removalTrigger: 'none',
    lbAddLatencySeconds: ver(0, 'PROVIDERS.md 3: every node is a backend'),
    hc: hc(2, 3, 3, 'nodePort', ALI_HC_SOURCE, 'verified', 5),
    drain: ALI_DRAIN,
  },
  {
    ...base,
    id: 'alibaba.nlb.eni',
    provider: 'alibaba',
    backendTarget: 'pod',
    mode: 'pod',
    removalTrigger: 'api',
    lbRemoveLatencySeconds: est(10, 'PROVIDERS.md 3: CCM reconcile + NLB API ~10 s'),
    lbAddLatencySeconds: est(10, 'PROVIDERS.md 3: CCM register ~10 s'),
    hc: hc(2, 3, 3, 'podPort', 'PROVIDERS.md 6.3 [U]: NLB health-check defaults unknown, CLB values assumed', 'estimate'),
    drain: { supported: true, defaultSeconds: ver(0, 'CCM nlbv2: server-group ConnectionDrainEnabled default off'), min: 10, max: 900 },
    weightZeroOnTerminating: 'optIn',
    readinessGate: ALI_GATE,
    backendQuota: ver(400, 'Alibaba NLB: 400 servers per server group'),
  },
  {
    ...base,
    id: 'aws.lbc.nlb.ip',
    provider: 'aws',
    backendTarget: 'pod',
    mode: 'pod',
    removalTrigger: 'api',
    lbRemoveLatencySeconds: est(30, 'PROVIDERS.md 3: LBC deregistration ~30 s (~120 s seen, aws-load-balancer-controller#3270)'),
    lbAddLatencySeconds: est(90, 'PROVIDERS.md 3: NLB registration ~90 s ("a few minutes", ELB docs)'),
    hc: hc(10, 3, 3, 'podPort', 'LBC pkg/service/model_builder.go: NLB TCP traffic-port 10 s, 3/3', 'verified', 10),
    drain: ELB_DRAIN,
    readinessGate: AWS_GATE,
    failOpenWhenAllUnhealthy: true,
    backendQuota: NLB_QUOTA,
  },
  {
    ...base,
    id: 'aws.lbc.nlb.instance.local',
    provider: 'aws',
    backendTarget: 'node',
    mode: 'local',
    removalTrigger: 'hc',
    lbAddLatencySeconds: ver(0, 'PROVIDERS.md 3: nodes stay registered'),
    hc: hc(10, 2, 2, 'healthCheckNodePort', 'LBC pkg/service/model_builder.go: Local HTTP /healthz 10 s, 2/2, timeout 6 s', 'verified', 6),
    drain: ELB_DRAIN,
    failOpenWhenAllUnhealthy: true,
    backendQuota: NLB_QUOTA,
  },
  {
    ...base,
    id: 'aws.lbc.nlb.instance.cluster',
    provider: 'aws',
    backendTarget: 'node',
    mode: 'cluster',
    removalTrigger: 'none',
    lbAddLatencySeconds: ver(0, 'PROVIDERS.md 3: nodes stay registered'),
    hc: hc(10, 3, 3, 'nodePort', 'LBC pkg/service/model_builder.go: TCP traffic-port 10 s, 3/3', 'verified', 10),
    drain: ELB_DRAIN,
    failOpenWhenAllUnhealthy: true,
    backendQuota: NLB_QUOTA,
  },
  {
    ...base,
    id: 'aws.lbc.alb.ip',
    provider: 'aws',
    backendTarget: 'pod',
    mode: 'pod',
    removalTrigger: 'api',
    lbRemoveLatencySeconds: est(20, 'PROVIDERS.md 3: ALB deregistration ~20 s (preStop 25 s worked, aws-load-balancer-controller#1064)'),
    lbAddLatencySeconds: est(10, 'PROVIDERS.md 3: ALB registration ~10 s'),
    hc: hc(15, 2, 2, 'podPort', 'LBC pkg/ingress/model_builder.go: ALB 15 s, 2/2, timeout 5 s', 'verified', 5),
    drain: ELB_DRAIN,
    readinessGate: AWS_GATE,
  },
  {
    ...base,
    id: 'aws.lbc.alb.instance',
    provider: 'aws',
    backendTarget: 'node',
    mode: 'cluster',
    removalTrigger: 'none',
    lbAddLatencySeconds: ver(0, 'PROVIDERS.md 3: nodes stay registered'),
    hc: hc(15, 2, 2, 'nodePort', 'LBC pkg/ingress/model_builder.go: ALB 15 s, 2/2, timeout 5 s', 'verified', 5),
    drain: ELB_DRAIN,
  },
  {
    ...base,
    id: 'aws.legacy.clb.local',
    provider: 'aws',
    backendTarget: 'node',
    mode: 'local',
    removalTrigger: 'hc',
    lbAddLatencySeconds: ver(0, 'PROVIDERS.md 3: nodes stay registered'),
    hc: hc(10, 6, 2, 'healthCheckNodePort', 'cloud-provider-aws aws_loadbalancer.go: CLB 10 s, unhealthy 6, healthy 2, timeout 5 s', 'verified', 5),
    drain: CLB_DRAIN,
  },
  {
    ...base,
    id: 'aws.legacy.clb.cluster',
    provider: 'aws',
    backendTarget: 'node',
    mode: 'cluster',
    removalTrigger: 'none',
    lbAddLatencySeconds: ver(0, 'PROVIDERS.md 3: nodes stay registered'),
    hc: hc(10, 6, 2, 'nodePort', 'cloud-provider-aws aws_loadbalancer.go: CLB 10 s, unhealthy 6, healthy 2, timeout 5 s', 'verified', 5),
    drain: CLB_DRAIN,
  },
  {
    ...base,
    id: 'aws.legacy.nlb.local',
    provider: 'aws',
    backendTarget: 'node',
    mode: 'local',
    removalTrigger: 'hc',
    lbAddLatencySeconds: ver(0, 'PROVIDERS.md 3: nodes stay registered'),
    hc: hc(10, 2, 2, 'healthCheckNodePort', 'cloud-provider-aws aws.go: NLB Local HTTP healthCheckNodePort 10 s, 2/2, timeout 10 s', 'verified', 10),
    drain: ELB_DRAIN,
    failOpenWhenAllUnhealthy: true,
    backendQuota: NLB_QUOTA,
  },
  {
    ...base,
    id: 'aws.legacy.nlb.cluster',
    provider: 'aws',
    backendTarget: 'node',
    mode: 'cluster',
    removalTrigger: 'none',
    lbAddLatencySeconds: ver(0, 'PROVIDERS.md 3: nodes stay registered'),
    hc: hc(30, 3, 3, 'nodePort', 'cloud-provider-aws aws.go: NLB Cluster TCP traffic-port 30 s, 3/3, timeout 10 s', 'verified', 10),
    drain: ELB_DRAIN,
    failOpenWhenAllUnhealthy: true,
    backendQuota: NLB_QUOTA,
  },
  {
    ...base,
    id: 'gke.neg.l7',
    provider: 'gcp',
    backendTarget: 'pod',
    mode: 'pod',
    removalTrigger: 'api',
    lbRemoveLatencySeconds: est(20, 'PROVIDERS.md 3: NEG detach ~20 s (502s for ~1 min, ingress-gce#2222)'),
    lbAddLatencySeconds: est(30, 'PROVIDERS.md 3: NEG attach ~30 s'),
    hc: hc(15, 2, 1, 'podPort', 'ingress-gce translator/healthchecks.go: 15 s, unhealthy 2, healthy 1 (or the readiness probe period)', 'verified', 15),
    drain: GKE_L7_DRAIN,
    readinessGate: 'cloud.google.com/load-balancer-neg-ready',
  },
  {
    ...base,
    id: 'gke.ig.l7',
    provider: 'gcp',
    backendTarget: 'node',
    mode: 'cluster',
    removalTrigger: 'none',
    lbAddLatencySeconds: ver(0, 'PROVIDERS.md 3: instance groups stay'),
    hc: hc(60, 10, 1, 'nodePort', 'ingress-gce translator/healthchecks.go: instance-group 60 s, unhealthy 10, healthy 1', 'verified', 60),
    drain: GKE_L7_DRAIN,
  },
  {
    ...base,
    id: 'gke.l4.local',
    provider: 'gcp',
    backendTarget: 'node',
    mode: 'local',
    removalTrigger: 'api+hc',
    lbRemoveLatencySeconds: est(20, 'PROVIDERS.md 3: GCE_VM_IP NEG detach ~20 s'),
    lbAddLatencySeconds: est(20, 'PROVIDERS.md 3: GCE_VM_IP NEG attach ~20 s'),
    hc: hc(3, 2, 1, 'healthCheckNodePort', 'ingress-gce l4/healthchecks/healthchecksl4.go: Local 3 s, 2/1, timeout 1 s', 'verified', 1),
    drain: GKE_L4_DRAIN,
  },
  {
    ...base,
    id: 'gke.l4.cluster',
    provider: 'gcp',
    backendTarget: 'node',
    mode: 'cluster',
    removalTrigger: 'none',
    lbAddLatencySeconds: ver(0, 'PROVIDERS.md 3: every node is a backend'),
    hc: hc(8, 3, 1, 'kubeProxyHealthz', 'ingress-gce l4/healthchecks/healthchecksl4.go: shared kube-proxy probe 8 s, unhealthy 3', 'verified', 1),
    drain: GKE_L4_DRAIN,
  },
  {
    ...base,
    id: 'gke.legacy.l4.local',
    provider: 'gcp',
    backendTarget: 'node',
    mode: 'local',
    removalTrigger: 'hc',
    lbAddLatencySeconds: ver(0, 'PROVIDERS.md 3: instance groups stay'),
    hc: hc(8, 3, 1, 'healthCheckNodePort', 'cloud-provider-gcp gce.go: legacy L4 8 s, unhealthy 3, timeout 1 s', 'verified', 1),
    drain: { supported: true, defaultSeconds: est(0, 'PROVIDERS.md 6.4 [U]: legacy L4 drain unknown, 0 assumed') },
  },
  {
    ...base,
    id: 'azure.slb.local',
    provider: 'azure',
    backendTarget: 'node',
    mode: 'local',
    removalTrigger: 'hc',
    lbAddLatencySeconds: ver(0, 'PROVIDERS.md 3: nodes stay in the backend pool'),
    hc: AZ_HC('healthCheckNodePort'),
    drain: AZ_DRAIN,
  },
  {
    ...base,
    id: 'azure.slb.cluster',
    provider: 'azure',
    backendTarget: 'node',
    mode: 'cluster',
    removalTrigger: 'none',
    lbAddLatencySeconds: ver(0, 'PROVIDERS.md 3: nodes stay in the backend pool'),
    hc: AZ_HC('nodePort'),
    drain: AZ_DRAIN,
  },
  {
    ...base,
    id: 'tencent.clb.direct',
    provider: 'tencent',
    backendTarget: 'pod',
    mode: 'pod',
    removalTrigger: 'api',
    lbRemoveLatencySeconds: est(10, 'PROVIDERS.md 3: TKE controller + CLB API ~10 s'),
    lbAddLatencySeconds: est(10, 'PROVIDERS.md 3: TKE controller register ~10 s'),
    hc: hc(5, 3, 3, 'podPort', TKE_HC_SOURCE, 'secondary', 2),
    drain: { supported: true, defaultSeconds: est(0, 'PROVIDERS.md 6.6 [U]: timed CLB drain not documented, 0 assumed') },
    weightZeroOnTerminating: 'optIn',
    readinessGate: 'cloud.tencent.com/load-balancer-backendgroup-ready',
    failOpenWhenAllUnhealthy: true,
    backendQuota: ver(200, 'TKE direct access doc: 200 pods bound per CLB by default'),
  },
  {
    ...base,
    id: 'tencent.clb.nodeport',
    provider: 'tencent',
    backendTarget: 'node',
    mode: 'cluster',
    removalTrigger: 'none',
    lbAddLatencySeconds: ver(0, 'PROVIDERS.md 3: nodes stay registered'),
    hc: hc(5, 3, 3, 'nodePort', `${TKE_HC_SOURCE}; NodePort health-check target [U]`, 'secondary', 2),
    drain: { supported: true, defaultSeconds: est(0, 'PROVIDERS.md 6.6 [U]: timed CLB drain not documented, 0 assumed') },
    failOpenWhenAllUnhealthy: true,
  },
];

const BY_ID = new Map(PROFILES.map((p) => [p.id, p]));

export function profileById(id: string): ProviderProfile | undefined {
  return BY_ID.get(id);
}

/** The default row per provider and Service path (when the Service's annotations say nothing more). */
const DEFAULT_ROWS: Record<ProfileProvider, Record<'pod' | 'local' | 'cluster', string>> = {
  alibaba: { pod: 'alibaba.clb.eni', local: 'alibaba.clb.local', cluster: 'alibaba.clb.cluster' },
  aws: { pod: 'aws.lbc.nlb.ip', local: 'aws.lbc.nlb.instance.local', cluster: 'aws.lbc.nlb.instance.cluster' },
  gcp: { pod: 'gke.neg.l7', local: 'gke.l4.local', cluster: 'gke.l4.cluster' },
  azure: { pod: 'azure.slb.cluster', local: 'azure.slb.local', cluster: 'azure.slb.cluster' },
  tencent: { pod: 'tencent.clb.direct', local: 'tencent.clb.nodeport', cluster: 'tencent.clb.nodeport' },
};

/**
 * The row for a provider and a Service path. An unknown provider falls back to Alibaba's rows
 * (named as such in the parameter sources, `exact: false`), so the model still runs; Azure has
 * no pod-direct mode and Tencent's NodePort mode has one row for Local and Cluster alike.
 */
export function profileFor(provider: string | undefined, mode: 'pod' | 'local' | 'cluster'): { profile: ProviderProfile; exact: boolean } {
  const rows = DEFAULT_ROWS[provider as ProfileProvider];
  const own = rows ? profileById(rows[mode]) : undefined;
  if (own && own.mode === mode) return { profile: own, exact: true };
  if (own) return { profile: own, exact: false };
  return { profile: profileById(DEFAULT_ROWS.alibaba[mode]) as ProviderProfile, exact: false };
}
