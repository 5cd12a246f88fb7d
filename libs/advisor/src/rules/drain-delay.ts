import type { Service } from '../model/k8s.js';
import type { Provider } from '../model/snapshot.js';
import { isExposedService } from '../snapshot-index/snapshot-index.js';
import { alibabaAnnotation, annotationsOf } from '../util/annotations.js';
import { asCount } from '../util/numbers.js';
import { albPathOf, lbPathOf, removalWindow, type BackendEnv, type IngressLike, type LbPath } from '../profiles/backend.js';
import type { ProfileOverrides } from '../profiles/overrides.js';

export const CLUSTER_IP_DRAIN_SECONDS = 5;
export const EXPOSED_MIN_DRAIN_SECONDS = 15;
const MARGIN_SECONDS = 5;

export interface DrainRequirement {
  seconds: number;
  service: string;
  reason: string;
  /** The provider profile row the number came from. */
  profile?: string;
  /** The number rests on an estimate of the profile (PROVIDERS.md section 6). */
  estimate?: boolean;
}

/** Health-check settings a Service's own annotations state (they override the profile's). */
export function healthCheckAnnotations(service: Service, provider: Provider | undefined): { interval?: number; unhealthyThreshold?: number } {
  const a = annotationsOf(service);
  const pick = (interval: unknown, threshold: unknown) => {
    const i = asCount(interval);
    const t = asCount(threshold);
    return { ...(i !== undefined ? { interval: i } : {}), ...(t !== undefined ? { unhealthyThreshold: t } : {}) };
  };
  if (provider === 'alibaba') return pick(alibabaAnnotation(service, 'health-check-interval'), alibabaAnnotation(service, 'unhealthy-threshold'));
  if (provider === 'aws') {
    return pick(
      a['service.beta.kubernetes.io/aws-load-balancer-healthcheck-interval'],
      a['service.beta.kubernetes.io/aws-load-balancer-healthcheck-unhealthy-threshold'],
    );
  }
  if (provider === 'azure') {
    return pick(
      a['service.beta.kubernetes.io/azure-load-balancer-health-probe-interval'],
      a['service.beta.kubernetes.io/azure-load-balancer-health-probe-num-of-probe'],
    );
  }
  return {};
}

/**
 * How long a terminating pod must keep serving before the endpoints, kube-proxy and the
 * load balancer have all stopped sending it traffic, for one Service (PROVIDERS.md sections
 * 5 and 7): 5 s behind a ClusterIP Service; behind a load balancer max(15 s, W_remove + 5 s)
 * from the Service's profile row, its health-check annotations overriding the row's.
 */
export function drainRequirement(
  service: Service,
  provider: Provider | undefined,
  overrides?: ProfileOverrides,
  env: BackendEnv = {},
  ingresses?: readonly IngressLike[],
): DrainRequirement {
  const name = service.metadata?.name ?? '';
  const alb = provider === 'aws' ? albPathOf(service, ingresses, overrides) : undefined;
  if (!isExposedService(service) && !alb) {
    return { seconds: CLUSTER_IP_DRAIN_SECONDS, service: name, reason: 'ClusterIP Service: endpoints and kube-proxy need about 5 s' };
  }
  const own = pathRequirement(service, provider, lbPathOf(service, provider, overrides, env));
  // An ALB Ingress in front of the Service removes its targets on its own clock: the stricter of the two paths.
  const viaAlb = alb ? pathRequirement(service, provider, alb) : undefined;
  return viaAlb && viaAlb.seconds > own.seconds ? viaAlb : own;
}

function pathRequirement(service: Service, provider: Provider | undefined, path: LbPath | undefined): DrainRequirement {
  const name = service.metadata?.name ?? '';
  const minimum = {
    seconds: EXPOSED_MIN_DRAIN_SECONDS,
    service: name,
    reason: 'exposed Service: endpoints, kube-proxy and the load balancer need at least 15 s',
  };
  if (!path) return minimum;
  const { profile } = path;
  const stated = healthCheckAnnotations(service, provider);
  const statedAny = stated.interval !== undefined || stated.unhealthyThreshold !== undefined;
  if (profile.removalTrigger === 'none' && profile.provider !== 'azure') {
    // Every node stays a backend: kube-proxy moves traffic away. A health check the Service
    // states still marks nodes down; RULES.md: interval x unhealthy threshold + 5 s.
    if (!statedAny)
      return { ...minimum, profile: profile.id, reason: `${minimum.reason} (profile ${profile.id}: nodes stay backends, kube-proxy moves traffic)` };
    const interval = stated.interval ?? profile.hc.intervalSeconds.value;
    const threshold = stated.unhealthyThreshold ?? profile.hc.unhealthyThreshold.value;
    return {
      seconds: Math.max(EXPOSED_MIN_DRAIN_SECONDS, interval * threshold + MARGIN_SECONDS),
      service: name,
      profile: profile.id,
      reason: `load balancer health check: interval ${interval} s x unhealthy threshold ${threshold} + 5 s (Service annotations, else profile ${profile.id})`,
    };
  }
  // Azure has no drain and no API removal: its probe is what takes a node out, in both modes.
  const window = removalWindow(profile.provider === 'azure' ? { ...profile, removalTrigger: 'hc' } : profile, stated);
  const seconds = Math.max(EXPOSED_MIN_DRAIN_SECONDS, Math.ceil(window.seconds) + MARGIN_SECONDS);
  return {
    seconds,
    service: name,
    profile: profile.id,
    estimate: window.estimate,
    reason: `profile ${profile.id}: the load balancer stops sending after ${window.formula} = ${window.seconds} s, + 5 s${window.estimate ? ' (an estimate: measure it and set it with --profile)' : ''}${statedAny ? '; health check from the Service annotations' : ''}`,
  };
}
