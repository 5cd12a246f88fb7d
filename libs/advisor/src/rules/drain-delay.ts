import type { Service } from '../model/k8s.js';
import type { Provider } from '../model/snapshot.js';
import { isExposedService, isLoadBalancer } from '../snapshot-index/snapshot-index.js';
import { alibabaAnnotation, annotationsOf } from '../util/annotations.js';
import { asCount } from '../util/numbers.js';

export const CLUSTER_IP_DRAIN_SECONDS = 5;
export const EXPOSED_MIN_DRAIN_SECONDS = 15;
const HEALTH_CHECK_MARGIN_SECONDS = 5;
const ALIBABA_DEFAULT_INTERVAL = 2;
const ALIBABA_DEFAULT_UNHEALTHY_THRESHOLD = 3;

export interface DrainRequirement {
  seconds: number;
  service: string;
  reason: string;
}

/**
 * How long a terminating pod must keep serving before the endpoints, kube-proxy and the
 * load balancer have all stopped sending it traffic, for one Service.
 */
export function drainRequirement(service: Service, provider: Provider | undefined): DrainRequirement {
  const name = service.metadata?.name ?? '';
  if (!isExposedService(service)) {
    return { seconds: CLUSTER_IP_DRAIN_SECONDS, service: name, reason: 'ClusterIP Service: endpoints and kube-proxy need about 5 s' };
  }
  const healthCheck = isLoadBalancer(service) ? healthCheckOf(service, provider) : undefined;
  if (!healthCheck) {
    return {
      seconds: EXPOSED_MIN_DRAIN_SECONDS,
      service: name,
      reason: 'exposed Service: endpoints, kube-proxy and the load balancer need at least 15 s',
    };
  }
  const seconds = Math.max(EXPOSED_MIN_DRAIN_SECONDS, healthCheck.interval * healthCheck.unhealthyThreshold + HEALTH_CHECK_MARGIN_SECONDS);
  return {
    seconds,
    service: name,
    reason: `load balancer health check: interval ${healthCheck.interval} s x unhealthy threshold ${healthCheck.unhealthyThreshold} + 5 s (${healthCheck.source})`,
  };
}

interface HealthCheck {
  interval: number;
  unhealthyThreshold: number;
  source: string;
}

function healthCheckOf(service: Service, provider: Provider | undefined): HealthCheck | undefined {
  if (provider === 'alibaba') {
    const interval = asCount(alibabaAnnotation(service, 'health-check-interval'));
    const threshold = asCount(alibabaAnnotation(service, 'unhealthy-threshold'));
    return {
      interval: interval ?? ALIBABA_DEFAULT_INTERVAL,
      unhealthyThreshold: threshold ?? ALIBABA_DEFAULT_UNHEALTHY_THRESHOLD,
      source: interval === undefined && threshold === undefined ? 'Alibaba Cloud defaults' : 'Service annotations',
    };
  }
  if (provider === 'aws') {
    // Only what the Service states: AWS defaults differ between CLB, NLB and controllers.
    const annotations = annotationsOf(service);
    const interval = asCount(annotations['service.beta.kubernetes.io/aws-load-balancer-healthcheck-interval']);
    const threshold = asCount(annotations['service.beta.kubernetes.io/aws-load-balancer-healthcheck-unhealthy-threshold']);
    if (interval !== undefined && threshold !== undefined) {
      return { interval, unhealthyThreshold: threshold, source: 'Service annotations' };
    }
  }
  return undefined;
}
