// Which provider profile row a Service's load balancer path follows (PROVIDERS.md sections 2
// and 7): from its annotations, spec.loadBalancerClass and externalTrafficPolicy, with the
// basis of the choice and any assumption stated, so findings can say which was assumed.
import type { K8sObject, Service } from '../model/k8s.js';
import type { Provider } from '../model/snapshot.js';
import { externalTrafficPolicy, isLoadBalancer } from '../snapshot-index/snapshot-index.js';
import { annotationsOf, hasIngressNeg, isPodDirectBackend } from '../util/annotations.js';
import { applyProfileOverrides, type ProfileOverrides } from './overrides.js';
import { profileById, type ProviderProfile } from './profiles.js';

export interface LbPath {
  /** The row, with the user's overrides applied. */
  profile: ProviderProfile;
  /** What chose the row (annotation, class, traffic policy). */
  basis: string;
  /** An assumption the choice rests on, said in findings (e.g. who owns an unannotated AWS Service). */
  assumed?: string;
  /** The Ingress that puts the Service behind this (L7) load balancer, for its own annotations. */
  via?: K8sObject;
}

const AWS_TYPE = 'service.beta.kubernetes.io/aws-load-balancer-type';
const AWS_TARGET_TYPE = 'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type';
export const AWS_LBC_ASSUMPTION =
  'no aws-load-balancer-type annotation: taken as owned by the AWS Load Balancer Controller v2.5+ (its webhook sets loadBalancerClass service.k8s.aws/nlb): an NLB with instance targets and a 300 s deregistration delay; where the controller is absent or older it is a Classic ELB';

function path(id: string, overrides: ProfileOverrides | undefined, basis: string, assumed?: string, via?: K8sObject): LbPath {
  const profile = applyProfileOverrides(profileById(id) as ProviderProfile, overrides);
  return { profile, basis, ...(assumed ? { assumed } : {}), ...(via ? { via } : {}) };
}

export type AwsFlavour = 'lbc' | 'legacy-nlb' | 'legacy-clb';

const CLASSIC_ELB_ANNOTATIONS = [
  'service.beta.kubernetes.io/aws-load-balancer-connection-draining-enabled',
  'service.beta.kubernetes.io/aws-load-balancer-connection-draining-timeout',
  'service.beta.kubernetes.io/aws-load-balancer-backend-protocol',
  'service.beta.kubernetes.io/aws-load-balancer-connection-idle-timeout',
  'service.beta.kubernetes.io/aws-load-balancer-access-log-emit-interval',
];

/** What a live cluster shows about its load balancer controllers (undefined: not known, e.g. manifests). */
export interface BackendEnv {
  /** The AWS Load Balancer Controller's webhook is installed (MutatingWebhookConfiguration aws-load-balancer-webhook). */
  awsLoadBalancerController?: boolean;
}

export const AWS_NO_LBC_BASIS = 'no aws-load-balancer-type, and the cluster has no AWS Load Balancer Controller webhook: the in-tree Classic ELB';

/** Who builds an AWS Service's load balancer (PROVIDERS.md 2.2, 2.3, 7). */
export function awsFlavourOf(service: Service, env: BackendEnv = {}): { flavour: AwsFlavour; assumed: boolean } {
  const annotations = annotationsOf(service);
  const type = String(annotations[AWS_TYPE] ?? '').toLowerCase();
  const lbClass = String(service.spec?.loadBalancerClass ?? '');
  if (type === 'external' || type === 'nlb-ip' || lbClass === 'service.k8s.aws/nlb') return { flavour: 'lbc', assumed: false };
  if (type === 'nlb') return { flavour: 'legacy-nlb', assumed: false };
  // Annotations of the in-tree provider's Classic ELB (cloud-provider-aws); without an LB
  // controller marker they say which controller the manifest was written for.
  const classic = type === 'classic' || type === 'clb' || type === 'elb' || CLASSIC_ELB_ANNOTATIONS.some((key) => key in annotations);
  if (classic) return { flavour: 'legacy-clb', assumed: false };
  // A live cluster without the controller: the in-tree provider builds a Classic ELB.
  if (env.awsLoadBalancerController === false) return { flavour: 'legacy-clb', assumed: false };
  return { flavour: 'lbc', assumed: env.awsLoadBalancerController !== true };
}

/**
 * The Service's own load balancer path (LoadBalancer Services), or undefined (no load
 * balancer, or no provider). GKE's Ingress path is `ingressPathOf`.
 */
export function lbPathOf(service: Service, provider: Provider | undefined, overrides?: ProfileOverrides, env: BackendEnv = {}): LbPath | undefined {
  if (!provider || !isLoadBalancer(service)) return undefined;
  const local = externalTrafficPolicy(service) === 'Local';
  const etp = local ? 'externalTrafficPolicy Local' : 'externalTrafficPolicy Cluster';
  switch (provider) {
    case 'alibaba': {
      if (isPodDirectBackend(service)) {
        const nlb = String(service.spec?.loadBalancerClass ?? '') === 'alibabacloud.com/nlb';
        return path(nlb ? 'alibaba.nlb.eni' : 'alibaba.clb.eni', overrides, 'backend-type: eni' + (nlb ? ', loadBalancerClass alibabacloud.com/nlb' : ''));
      }
      return path(local ? 'alibaba.clb.local' : 'alibaba.clb.cluster', overrides, etp);
    }
    case 'aws': {
      const { flavour, assumed } = awsFlavourOf(service, env);
      if (flavour === 'legacy-nlb')
        return path(local ? 'aws.legacy.nlb.local' : 'aws.legacy.nlb.cluster', overrides, `aws-load-balancer-type: nlb (in-tree), ${etp}`);
      if (flavour === 'legacy-clb') {
        const basis =
          env.awsLoadBalancerController === false && !('service.beta.kubernetes.io/aws-load-balancer-type' in annotationsOf(service))
            ? AWS_NO_LBC_BASIS
            : 'Classic ELB annotations';
        return path(local ? 'aws.legacy.clb.local' : 'aws.legacy.clb.cluster', overrides, `${basis}, ${etp}`);
      }
      const annotations = annotationsOf(service);
      const ip = String(annotations[AWS_TARGET_TYPE] ?? '').toLowerCase() === 'ip' || String(annotations[AWS_TYPE] ?? '').toLowerCase() === 'nlb-ip';
      const assumption = assumed ? AWS_LBC_ASSUMPTION : undefined;
      if (ip) return path('aws.lbc.nlb.ip', overrides, 'AWS Load Balancer Controller NLB, ip targets', assumption);
      return path(
        local ? 'aws.lbc.nlb.instance.local' : 'aws.lbc.nlb.instance.cluster',
        overrides,
        `AWS Load Balancer Controller NLB, instance targets, ${etp}`,
        assumption,
      );
    }
    case 'gcp':
      return path(local ? 'gke.l4.local' : 'gke.l4.cluster', overrides, `GKE L4 load balancer, ${etp}`);
    case 'azure':
      return path(local ? 'azure.slb.local' : 'azure.slb.cluster', overrides, `Azure standard load balancer, ${etp}`);
    case 'tencent':
      if (isPodDirectBackend(service)) return path('tencent.clb.direct', overrides, 'service.cloud.tencent.com/direct-access: "true"');
      return path('tencent.clb.nodeport', overrides, `TKE CLB NodePort mode, ${etp}`);
  }
  return undefined;
}

/** GKE's container-native (NEG) Ingress path of a Service annotated `cloud.google.com/neg: '{"ingress": true}'`. */
export function ingressPathOf(service: Service, provider: Provider | undefined, overrides?: ProfileOverrides): LbPath | undefined {
  if (provider !== 'gcp' && provider !== undefined) return undefined;
  if (!hasIngressNeg(service)) return undefined;
  return path('gke.neg.l7', overrides, 'cloud.google.com/neg: {"ingress": true}');
}

export type IngressLike = K8sObject & { spec?: Record<string, unknown> };

/** Whether an Ingress is served by the AWS Load Balancer Controller (class `alb`). */
export function isAlbIngress(ingress: IngressLike): boolean {
  const annotations = annotationsOf(ingress);
  const className = String(ingress.spec?.['ingressClassName'] ?? annotations['kubernetes.io/ingress.class'] ?? '');
  return className === 'alb' || Object.keys(annotations).some((k) => k.startsWith('alb.ingress.kubernetes.io/'));
}

/** Names of the Services an Ingress sends to (default backend and every rule path; networking/v1 and the older serviceName form). */
export function ingressBackendServices(ingress: IngressLike): string[] {
  const names: string[] = [];
  const add = (backend: unknown): void => {
    const b = backend as { service?: { name?: unknown }; serviceName?: unknown } | undefined;
    const name = b?.service?.name ?? b?.serviceName;
    if (typeof name === 'string') names.push(name);
  };
  const spec = ingress.spec ?? {};
  add(spec['defaultBackend'] ?? spec['backend']);
  for (const rule of (spec['rules'] as Array<{ http?: { paths?: Array<{ backend?: unknown }> } }> | undefined) ?? []) {
    for (const p of rule?.http?.paths ?? []) add(p?.backend);
  }
  return names;
}

/** The AWS ALB path of a Service that an ALB Ingress of its namespace sends to (ip or instance targets). */
export function albPathOf(service: Service, ingresses: readonly IngressLike[] | undefined, overrides?: ProfileOverrides): LbPath | undefined {
  for (const ingress of ingresses ?? []) {
    if (!isAlbIngress(ingress) || namespaceOfObject(ingress) !== namespaceOfObject(service)) continue;
    if (!ingressBackendServices(ingress).includes(service.metadata?.name ?? '')) continue;
    const targetType = String(
      annotationsOf(service)['alb.ingress.kubernetes.io/target-type'] ?? annotationsOf(ingress)['alb.ingress.kubernetes.io/target-type'] ?? 'instance',
    );
    const name = ingress.metadata?.name ?? '';
    return targetType.toLowerCase() === 'ip'
      ? path('aws.lbc.alb.ip', overrides, `ALB Ingress ${name}, target-type: ip`, undefined, ingress)
      : path('aws.lbc.alb.instance', overrides, `ALB Ingress ${name}, instance targets`, undefined, ingress);
  }
  return undefined;
}

function namespaceOfObject(object: K8sObject): string {
  return object.metadata?.namespace || 'default';
}

/** Profile rows of L7 (Ingress) load balancers: a Service gets them through an Ingress, not its own type. */
export const L7_PROFILE_IDS: ReadonlySet<string> = new Set(['aws.lbc.alb.ip', 'aws.lbc.alb.instance', 'gke.neg.l7', 'gke.ig.l7']);

/** The L7 (Ingress) load balancer paths in front of a Service: an AWS ALB Ingress, GKE's NEG Ingress path. */
export function l7PathsOf(service: Service, provider: Provider | undefined, overrides?: ProfileOverrides, ingresses?: readonly IngressLike[]): LbPath[] {
  return lbPathsOf(service, provider, overrides, ingresses).filter((p) => L7_PROFILE_IDS.has(p.profile.id));
}

/** Every load balancer path in front of a Service: its own, GKE's NEG Ingress path, an AWS ALB Ingress. */
export function lbPathsOf(
  service: Service,
  provider: Provider | undefined,
  overrides?: ProfileOverrides,
  ingresses?: readonly IngressLike[],
  env: BackendEnv = {},
): LbPath[] {
  const alb = provider === 'aws' || provider === undefined ? albPathOf(service, ingresses, overrides) : undefined;
  return [lbPathOf(service, provider, overrides, env), ingressPathOf(service, provider, overrides), alb].filter((p): p is LbPath => p !== undefined);
}

/** W_remove (PROVIDERS.md 1.4): seconds after T0 that the LB still opens connections to the old backend. */
export function removalWindow(
  profile: ProviderProfile,
  hcOverride?: { interval?: number; unhealthyThreshold?: number },
): { seconds: number; estimate: boolean; formula: string } {
  const prop = profile.endpointPropagationSeconds;
  const sync = profile.datapathSyncSeconds;
  const interval = hcOverride?.interval ?? profile.hc.intervalSeconds.value;
  const threshold = hcOverride?.unhealthyThreshold ?? profile.hc.unhealthyThreshold.value;
  const hcWindow = prop.value + sync.value + interval * threshold;
  const hcFormula = `propagation ${prop.value} s + datapath ${sync.value} s + health check ${interval} s x ${threshold}`;
  const apiEstimate = profile.lbRemoveLatencySeconds?.confidence === 'estimate' || prop.confidence === 'estimate';
  const remove = profile.lbRemoveLatencySeconds;
  switch (profile.removalTrigger) {
    case 'api':
      return {
        seconds: prop.value + (remove?.value ?? 0),
        estimate: apiEstimate,
        formula: `propagation ${prop.value} s + controller and LB API ${remove?.value ?? 0} s`,
      };
    case 'hc':
      return { seconds: hcWindow, estimate: prop.confidence === 'estimate' || sync.confidence === 'estimate', formula: hcFormula };
    case 'api+hc': {
      const api = prop.value + (remove?.value ?? 0);
      return api <= hcWindow
        ? {
            seconds: api,
            estimate: apiEstimate,
            formula: `propagation ${prop.value} s + controller and LB API ${remove?.value ?? 0} s (before the health check)`,
          }
        : { seconds: hcWindow, estimate: prop.confidence === 'estimate', formula: hcFormula };
    }
    case 'none':
      return { seconds: prop.value + sync.value, estimate: true, formula: `propagation ${prop.value} s + datapath ${sync.value} s (kube-proxy moves traffic)` };
  }
}

/** W_add (PROVIDERS.md 1.4): seconds from Ready until the LB sends the new backend traffic. */
export function registrationWindow(profile: ProviderProfile): { seconds: number; estimate: boolean; formula: string } {
  const prop = profile.endpointPropagationSeconds.value;
  const add = profile.lbAddLatencySeconds.value;
  const interval = profile.hc.intervalSeconds.value;
  const healthy = profile.hc.healthyThreshold.value;
  return {
    seconds: prop + add + interval * healthy,
    estimate: [profile.endpointPropagationSeconds, profile.lbAddLatencySeconds, profile.hc.healthyThreshold].some((n) => n.confidence === 'estimate'),
    formula: `propagation ${prop} s + LB registration ${add} s + health check ${interval} s x ${healthy}`,
  };
}
