// Provider profiles: what each cloud's load balancer does during a rolling update, as data.
// One row per provider x backend mode (PROVIDERS.md section 3). Every number carries its source
// and how sure we are of it; `estimate` values are defaults to be replaced by measurements,
// and the simulator's output says which of its parameters rest on one.

export const PROFILES_VERSION = '2026-12-06';

export type Confidence = 'verified' | 'secondary' | 'estimate';
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
  readinessGate: string | null;
  failOpenWhenAllUnhealthy?: boolean;
}

const est = (value: number, source: string): Num => ({ value, source, confidence: 'estimate' });
const ver = (value: number, source: string): Num => ({ value, source, confidence: 'verified' });
const sec = (value: number, source: string): Num => ({ value, source, confidence: 'secondary' });

const PROP = est(1, 'PROVIDERS.md 3: endpoint propagation ~1 s');
const SYNC = est(1, 'PROVIDERS.md 3: kube-proxy minSyncPeriod ~1 s (kubernetes/kubernetes#92836)');
const ALI_HC = {
  intervalSeconds: ver(2, 'ACK annotation doc: health-check-interval default 2 s'),
  timeoutSeconds: ver(5, 'ACK annotation doc: health-check-connect-timeout default 5 s'),
  healthyThreshold: ver(3, 'ACK annotation doc: healthy-threshold default 3'),
  unhealthyThreshold: ver(3, 'ACK annotation doc: unhealthy-threshold default 3'),
};
const ALI_DRAIN = { supported: true, defaultSeconds: ver(0, 'CCM annotations.go: connection-drain default off'), min: 10, max: 900 };
const ALI_GATE = 'service.readiness.alibabacloud.com/<service-name>';

function hc(interval: number, unhealthy: number, healthy: number, target: HcTarget, source: string, confidence: Confidence = 'verified') {
  return {
    intervalSeconds: { value: interval, source, confidence },
    healthyThreshold: { value: healthy, source, confidence },
    unhealthyThreshold: { value: unhealthy, source, confidence },
    target,
  };
}

/** Rows of PROVIDERS.md section 3 (Alibaba Cloud complete; the other clouds as the table gives them). */
export const PROFILES: readonly ProviderProfile[] = [
  {
    id: 'alibaba.clb.eni',
    provider: 'alibaba',
    backendTarget: 'pod',
    mode: 'pod',
    removalTrigger: 'api',
    endpointPropagationSeconds: PROP,
    datapathSyncSeconds: SYNC,
    lbRemoveLatencySeconds: est(10, 'PROVIDERS.md 3: CCM reconcile + CLB API ~10 s (120 s seen after a CCM restart, ccm#412)'),
    lbAddLatencySeconds: est(10, 'PROVIDERS.md 3: CCM register ~10 s'),
    hc: { ...ALI_HC, target: 'podPort' },
    drain: ALI_DRAIN,
    weightZeroOnTerminating: 'optIn',
    readinessGate: ALI_GATE,
  },
  {
    id: 'alibaba.clb.local',
    provider: 'alibaba',
    backendTarget: 'node',
    mode: 'local',
    removalTrigger: 'api',
    endpointPropagationSeconds: PROP,
    datapathSyncSeconds: SYNC,
    lbRemoveLatencySeconds: est(10, 'PROVIDERS.md 3: CCM reconcile + CLB API ~10 s'),
    lbAddLatencySeconds: est(10, 'PROVIDERS.md 3: CCM register ~10 s'),
    hc: { ...ALI_HC, target: 'nodePort' },
    drain: ALI_DRAIN,
    weightZeroOnTerminating: 'none',
    readinessGate: ALI_GATE,
  },
  {
    id: 'alibaba.clb.cluster',
    provider: 'alibaba',
    backendTarget: 'node',
    mode: 'cluster',
    removalTrigger: 'none',
    endpointPropagationSeconds: PROP,
    datapathSyncSeconds: SYNC,
    lbAddLatencySeconds: ver(0, 'PROVIDERS.md 3: every node is a backend'),
    hc: { ...ALI_HC, target: 'nodePort' },
    drain: ALI_DRAIN,
    weightZeroOnTerminating: 'none',
    readinessGate: null,
  },
  {
    id: 'aws.lbc.nlb.ip',
    provider: 'aws',
    backendTarget: 'pod',
    mode: 'pod',
    removalTrigger: 'api',
    endpointPropagationSeconds: PROP,
    datapathSyncSeconds: SYNC,
    lbRemoveLatencySeconds: est(30, 'PROVIDERS.md 3: LBC deregistration ~30 s (~120 s seen, aws-load-balancer-controller#3270)'),
    lbAddLatencySeconds: est(90, 'PROVIDERS.md 3: NLB registration ~90 s ("a few minutes")'),
    hc: hc(10, 3, 3, 'podPort', 'PROVIDERS.md 3: NLB target group defaults'),
    drain: { supported: true, defaultSeconds: ver(300, 'ELBv2 deregistration_delay default 300 s') },
    weightZeroOnTerminating: 'none',
    readinessGate: 'target-health.elbv2.k8s.aws/<tgb>',
    failOpenWhenAllUnhealthy: true,
  },
  {
    id: 'aws.lbc.nlb.instance.local',
    provider: 'aws',
    backendTarget: 'node',
    mode: 'local',
    removalTrigger: 'hc',
    endpointPropagationSeconds: PROP,
    datapathSyncSeconds: SYNC,
    lbAddLatencySeconds: ver(0, 'PROVIDERS.md 3: nodes stay registered'),
    hc: hc(10, 2, 2, 'healthCheckNodePort', 'PROVIDERS.md 3: LBC Local defaults'),
    drain: { supported: true, defaultSeconds: ver(300, 'ELBv2 deregistration_delay default 300 s') },
    weightZeroOnTerminating: 'none',
    readinessGate: null,
    failOpenWhenAllUnhealthy: true,
  },
  {
    id: 'aws.lbc.nlb.instance.cluster',
    provider: 'aws',
    backendTarget: 'node',
    mode: 'cluster',
    removalTrigger: 'none',
    endpointPropagationSeconds: PROP,
    datapathSyncSeconds: SYNC,
    lbAddLatencySeconds: ver(0, 'PROVIDERS.md 3: nodes stay registered'),
    hc: hc(10, 3, 3, 'nodePort', 'PROVIDERS.md 3'),
    drain: { supported: true, defaultSeconds: ver(300, 'ELBv2 deregistration_delay default 300 s') },
    weightZeroOnTerminating: 'none',
    readinessGate: null,
  },
  {
    id: 'gke.l4.local',
    provider: 'gcp',
    backendTarget: 'node',
    mode: 'local',
    removalTrigger: 'api+hc',
    endpointPropagationSeconds: PROP,
    datapathSyncSeconds: SYNC,
    lbRemoveLatencySeconds: est(20, 'PROVIDERS.md 3 ~20 s'),
    lbAddLatencySeconds: est(20, 'PROVIDERS.md 3 ~20 s'),
    hc: hc(3, 2, 1, 'healthCheckNodePort', 'PROVIDERS.md 3: ingress-gce L4 Local'),
    drain: { supported: true, defaultSeconds: ver(30, 'PROVIDERS.md 3: L4 drain 30 s') },
    weightZeroOnTerminating: 'none',
    readinessGate: null,
  },
  {
    id: 'gke.l4.cluster',
    provider: 'gcp',
    backendTarget: 'node',
    mode: 'cluster',
    removalTrigger: 'none',
    endpointPropagationSeconds: PROP,
    datapathSyncSeconds: SYNC,
    lbAddLatencySeconds: ver(0, 'PROVIDERS.md 3'),
    hc: hc(8, 3, 1, 'kubeProxyHealthz', 'PROVIDERS.md 3: ingress-gce L4 Cluster'),
    drain: { supported: true, defaultSeconds: ver(30, 'PROVIDERS.md 3: L4 drain 30 s') },
    weightZeroOnTerminating: 'none',
    readinessGate: null,
  },
  {
    id: 'azure.slb.local',
    provider: 'azure',
    backendTarget: 'node',
    mode: 'local',
    removalTrigger: 'hc',
    endpointPropagationSeconds: PROP,
    datapathSyncSeconds: SYNC,
    lbAddLatencySeconds: ver(0, 'PROVIDERS.md 3'),
    hc: hc(5, 2, 2, 'healthCheckNodePort', 'PROVIDERS.md 3: cloud-provider-azure probe defaults (healthy threshold ~2)'),
    drain: { supported: false, defaultSeconds: ver(0, 'PROVIDERS.md 3: Azure has no drain setting') },
    weightZeroOnTerminating: 'none',
    readinessGate: null,
  },
  {
    id: 'azure.slb.cluster',
    provider: 'azure',
    backendTarget: 'node',
    mode: 'cluster',
    removalTrigger: 'none',
    endpointPropagationSeconds: PROP,
    datapathSyncSeconds: SYNC,
    lbAddLatencySeconds: ver(0, 'PROVIDERS.md 3'),
    hc: hc(5, 2, 2, 'nodePort', 'PROVIDERS.md 3'),
    drain: { supported: false, defaultSeconds: ver(0, 'PROVIDERS.md 3: Azure has no drain setting') },
    weightZeroOnTerminating: 'none',
    readinessGate: null,
  },
  {
    id: 'tencent.clb.direct',
    provider: 'tencent',
    backendTarget: 'pod',
    mode: 'pod',
    removalTrigger: 'api',
    endpointPropagationSeconds: PROP,
    datapathSyncSeconds: SYNC,
    lbRemoveLatencySeconds: est(10, 'PROVIDERS.md 3 ~10 s'),
    lbAddLatencySeconds: est(10, 'PROVIDERS.md 3 ~10 s'),
    hc: hc(5, 3, 3, 'podPort', 'PROVIDERS.md 3 [S]', 'secondary'),
    drain: { supported: true, defaultSeconds: sec(0, 'PROVIDERS.md 3 [U]: not documented, 0 assumed') },
    weightZeroOnTerminating: 'optIn',
    readinessGate: 'cloud.tencent.com/load-balancer-backendgroup-ready',
  },
];

const BY_ID = new Map(PROFILES.map((p) => [p.id, p]));

export function profileById(id: string): ProviderProfile | undefined {
  return BY_ID.get(id);
}

/**
 * The row for a provider and a Service path. Providers without a row for that path fall
 * back to Alibaba's (named as such in the parameter sources), so the model still runs.
 */
export function profileFor(provider: string | undefined, mode: 'pod' | 'local' | 'cluster'): { profile: ProviderProfile; exact: boolean } {
  const own = PROFILES.find((p) => p.provider === provider && p.mode === mode);
  if (own) return { profile: own, exact: true };
  const fallback = PROFILES.find((p) => p.provider === 'alibaba' && p.mode === mode) as ProviderProfile;
  return { profile: fallback, exact: false };
}
