import type { K8sObject, Service } from '../model/k8s.js';
import type { Provider } from '../model/snapshot.js';

export const IGNORE_ANNOTATION = 'rollsafe.io/ignore';

const ALIBABA_PREFIX = 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-';
const ALIBABA_LEGACY_PREFIX = 'service.beta.kubernetes.io/alicloud-loadbalancer-';

export function annotationsOf(object: K8sObject | undefined): Record<string, string> {
  return object?.metadata?.annotations ?? {};
}

function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return String(value);
}

/**
 * The two keys of each suffix asked for, made once: rules and the simulator ask for a few
 * suffixes tens of thousands of times a scan, and a key concatenated at each call is a new
 * string to flatten and hash before the lookup (13 ms of a 10 MB upload's scan on a warm thread).
 */
const alibabaKeys = new Map<string, readonly [key: string, legacyKey: string]>();

function alibabaKeysOf(suffix: string): readonly [key: string, legacyKey: string] {
  let keys = alibabaKeys.get(suffix);
  if (!keys) alibabaKeys.set(suffix, (keys = [ALIBABA_PREFIX + suffix, ALIBABA_LEGACY_PREFIX + suffix]));
  return keys;
}

/** An Alibaba CCM Service annotation by its suffix; the new prefix wins over the legacy one. */
export function alibabaAnnotation(service: Service, suffix: string): string | undefined {
  const annotations = annotationsOf(service);
  const [key, legacyKey] = alibabaKeysOf(suffix);
  return text(annotations[key]) ?? text(annotations[legacyKey]);
}

export function alibabaAnnotationKey(suffix: string): string {
  return alibabaKeysOf(suffix)[0];
}

/**
 * Pods, not nodes, are the load balancer's backends on the Service's own load balancer:
 * Alibaba's `backend-type: eni`, AWS's `nlb-target-type: ip` (or the `nlb-ip` type), Tencent's
 * `direct-access: "true"`. A GKE NEG annotation does not make the Service's own (L4) load
 * balancer pod-direct: it only changes the Ingress (L7) path (PROVIDERS.md section 7).
 */
export function isPodDirectBackend(service: Service): boolean {
  const annotations = annotationsOf(service);
  if (text(annotations['service.beta.kubernetes.io/backend-type'])?.toLowerCase() === 'eni') return true;
  if (text(annotations['service.beta.kubernetes.io/aws-load-balancer-nlb-target-type'])?.toLowerCase() === 'ip') return true;
  if (text(annotations['service.beta.kubernetes.io/aws-load-balancer-type'])?.toLowerCase() === 'nlb-ip') return true;
  return text(annotations[TENCENT_DIRECT_ACCESS])?.toLowerCase() === 'true';
}

export const TENCENT_DIRECT_ACCESS = 'service.cloud.tencent.com/direct-access';

/** A GKE NEG for the Ingress path: `cloud.google.com/neg: '{"ingress": true}'`. */
export function hasIngressNeg(service: Service): boolean {
  const value = text(annotationsOf(service)['cloud.google.com/neg']);
  if (!value) return false;
  try {
    const parsed = JSON.parse(value) as { ingress?: unknown };
    return parsed?.ingress === true;
  } catch {
    return false;
  }
}

/** Per object: rules ask for each Service's provider many times over a scan. */
const providerByObject = new WeakMap<K8sObject, Provider | null>();

/** The provider a Service's own annotations (or load balancer class) name, if any. */
export function providerFromAnnotations(object: K8sObject): Provider | undefined {
  let provider = providerByObject.get(object);
  if (provider === undefined) providerByObject.set(object, (provider = scanAnnotationsForProvider(object) ?? null));
  return provider ?? undefined;
}

function scanAnnotationsForProvider(object: K8sObject): Provider | undefined {
  const keys = Object.keys(annotationsOf(object));
  const alibaba = (k: string): boolean =>
    k.startsWith(ALIBABA_PREFIX) ||
    k.startsWith(ALIBABA_LEGACY_PREFIX) ||
    k.startsWith('service.alibabacloud.com/') ||
    k === 'service.beta.kubernetes.io/backend-type';
  const lbClass = String((object as Service).spec?.loadBalancerClass ?? '');
  if (keys.some(alibaba) || lbClass.startsWith('alibabacloud.com/')) {
    return 'alibaba';
  }
  if (keys.some((k) => k.startsWith('service.beta.kubernetes.io/aws-') || k.startsWith('alb.ingress.kubernetes.io/')) || lbClass.startsWith('service.k8s.aws/'))
    return 'aws';
  if (keys.some((k) => k.startsWith('cloud.google.com/') || k.startsWith('networking.gke.io/'))) return 'gcp';
  if (keys.some((k) => k.startsWith('service.beta.kubernetes.io/azure-') || /^service\.beta\.kubernetes\.io\/port_\d+_/.test(k))) return 'azure';
  if (
    keys.some((k) => k.startsWith('service.cloud.tencent.com/') || k.startsWith('service.kubernetes.io/qcloud-') || k.startsWith('service.kubernetes.io/tke-'))
  ) {
    return 'tencent';
  }
  return undefined;
}

/** Rule ids listed in `rollsafe.io/ignore` (comma or space separated; `*` or `all` for every rule). */
export function ignoredRules(object: K8sObject | undefined): string[] {
  const value = text(annotationsOf(object)[IGNORE_ANNOTATION]);
  if (!value) return [];
  return value
    .split(/[\s,]+/)
    .map((id) => id.trim())
    .filter(Boolean);
}
