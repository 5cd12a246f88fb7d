import { isRecord, type RawObject } from './corpus.js';
import type { RollsafeScope } from './types.js';

/**
 * The runner's own reading of RULES.md's scope ("Scope and defaults every rule shares",
 * "Imperfect input"), written independently of libs/advisor so that a disagreement blamed on
 * scope is checked against the fixture rather than taken from the code under test.
 *
 * Each function returns the reasons RULES.md does not judge an object (empty: it does).
 */

export const RULES_WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Pod'];
/** Workload-like kinds some peers judge that RULES.md does not know. */
export const PEER_ONLY_WORKLOAD_KINDS = ['DeploymentConfig', 'ReplicationController', 'Job', 'CronJob'];
export const WORKLOAD_KINDS = [...RULES_WORKLOAD_KINDS, ...PEER_ONLY_WORKLOAD_KINDS];
const REPLICATED_KINDS = ['Deployment', 'StatefulSet', 'ReplicaSet'];

export function kindOf(object: RawObject): string {
  return typeof object['kind'] === 'string' ? object['kind'] : '';
}

function metadata(object: RawObject): RawObject {
  return isRecord(object['metadata']) ? object['metadata'] : {};
}

export function nameOf(object: RawObject): string {
  const name = metadata(object)['name'];
  return typeof name === 'string' ? name : '';
}

export function namespaceOf(object: RawObject): string {
  const namespace = metadata(object)['namespace'];
  return typeof namespace === 'string' && namespace !== '' ? namespace : 'default';
}

export function spec(object: RawObject): RawObject {
  return isRecord(object['spec']) ? object['spec'] : {};
}

/** `Kind/namespace/name` */
export function objectId(object: RawObject): string {
  return `${kindOf(object)}/${namespaceOf(object)}/${nameOf(object)}`;
}

function stringMap(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) out[key] = String(item);
  return out;
}

/** Pod template labels; a Pod's own labels. */
export function podLabels(object: RawObject): Record<string, string> {
  if (kindOf(object) === 'Pod') return stringMap(metadata(object)['labels']);
  const template = spec(object)['template'];
  return isRecord(template) && isRecord(template['metadata']) ? stringMap(template['metadata']['labels']) : {};
}

export function podSpec(object: RawObject): RawObject {
  if (kindOf(object) === 'Pod') return spec(object);
  const template = spec(object)['template'];
  return isRecord(template) && isRecord(template['spec']) ? template['spec'] : {};
}

export function serviceSelector(service: RawObject): Record<string, string> {
  return stringMap(spec(service)['selector']);
}

function serviceType(service: RawObject): string {
  const type = spec(service)['type'];
  return typeof type === 'string' ? type : 'ClusterIP';
}

/** RULES.md: pod template labels match every pair of a non-empty Service selector, same namespace. */
export function selects(service: RawObject, workload: RawObject): boolean {
  const selector = serviceSelector(service);
  if (Object.keys(selector).length === 0 || namespaceOf(service) !== namespaceOf(workload)) return false;
  const labels = podLabels(workload);
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

function ownerKinds(object: RawObject): string[] {
  const owners = metadata(object)['ownerReferences'];
  return Array.isArray(owners) ? owners.filter(isRecord).map((o) => String(o['kind'] ?? '')) : [];
}

/** Imperfect input RULES.md skips with a warning. */
function skippedInput(object: RawObject): boolean {
  if (nameOf(object) === '') return true;
  const kind = kindOf(object);
  if (RULES_WORKLOAD_KINDS.includes(kind) && kind !== 'Pod' && !isRecord(spec(object)['template'])) return true;
  if (kind === 'PodDisruptionBudget') {
    const s = spec(object);
    return s['minAvailable'] !== undefined && s['maxUnavailable'] !== undefined;
  }
  return false;
}

/** Is the object a workload RULES.md judges, and is it Service-backed? */
export function workloadScopeReasons(
  workload: RawObject,
  fixture: RawObject[],
  options: { replicated?: boolean; deploymentOnly?: boolean } = {},
): string[] {
  const kind = kindOf(workload);
  if (!RULES_WORKLOAD_KINDS.includes(kind)) return ['unknown-kind'];
  const reasons: string[] = [];
  if (skippedInput(workload)) reasons.push('skipped-input');
  if (kind === 'Pod' && ownerKinds(workload).length > 0) reasons.push('owned-pod');
  if (kind === 'ReplicaSet' && ownerKinds(workload).includes('Deployment')) reasons.push('owned-replicaset');
  if (options.replicated && kind === 'Pod' && ownerKinds(workload).length === 0) reasons.push('bare-pod');
  if (options.replicated && !REPLICATED_KINDS.includes(kind) && kind !== 'Pod') reasons.push('not-replicated-kind');
  if (options.deploymentOnly && kind !== 'Deployment') reasons.push('not-deployment');
  const services = fixture.filter((o) => kindOf(o) === 'Service' && nameOf(o) !== '');
  if (!services.some((service) => selects(service, workload))) reasons.push('not-service-backed');
  return reasons;
}

/** Workloads a Service selects (recognised or not: the caller judges scope). */
export function selectedWorkloads(service: RawObject, fixture: RawObject[]): RawObject[] {
  return fixture.filter((o) => RULES_WORKLOAD_KINDS.includes(kindOf(o)) && selects(service, o));
}

const POD_DIRECT_ANNOTATIONS: Array<[string, string | undefined]> = [
  ['service.beta.kubernetes.io/backend-type', 'eni'],
  ['service.beta.kubernetes.io/aws-load-balancer-nlb-target-type', 'ip'],
  ['cloud.google.com/neg', undefined],
];

function isPodDirect(service: RawObject): boolean {
  const annotations = stringMap(metadata(service)['annotations']);
  return POD_DIRECT_ANNOTATIONS.some(([key, value]) =>
    value === undefined ? annotations[key] !== undefined : annotations[key]?.toLowerCase() === value,
  );
}

export function serviceScopeReasons(service: RawObject, fixture: RawObject[], scope: RollsafeScope): string[] {
  const reasons: string[] = [];
  if (nameOf(service) === '') reasons.push('skipped-input');
  const type = serviceType(service);
  if (Object.keys(serviceSelector(service)).length === 0) reasons.push('no-selector');
  if (type === 'ExternalName') reasons.push('external-name');
  if (scope === 'load-balancer-service') {
    if (type !== 'LoadBalancer') reasons.push('not-load-balancer');
    else if (isPodDirect(service)) reasons.push('pod-direct-backend');
  }
  if (scope === 'exposed-service' && type !== 'LoadBalancer' && type !== 'NodePort') reasons.push('not-exposed');
  if (scope === 'service-with-workloads') {
    const withContainers = selectedWorkloads(service, fixture).filter(
      (w) => workloadScopeReasons(w, fixture).length === 0 && Array.isArray(podSpec(w)['containers']),
    );
    if (withContainers.length === 0) reasons.push('no-selected-workload');
  }
  return reasons;
}

function labelSelectorMatchLabels(value: unknown): Record<string, string> {
  return isRecord(value) ? stringMap(value['matchLabels']) : {};
}

export function pdbScopeReasons(pdb: RawObject, fixture: RawObject[]): string[] {
  if (skippedInput(pdb)) return ['skipped-input'];
  // A workload RULES.md skips as imperfect input (no spec.template) has no pods for the PDB to
  // count, though its own spec.selector names the PDB's labels (as kube-linter reads it).
  const selector = labelSelectorMatchLabels(spec(pdb)['selector']);
  const pairs = Object.entries(selector);
  const skippedTarget = fixture.some(
    (o) =>
      RULES_WORKLOAD_KINDS.includes(kindOf(o)) &&
      namespaceOf(o) === namespaceOf(pdb) &&
      skippedInput(o) &&
      pairs.length > 0 &&
      pairs.every(([key, value]) => labelSelectorMatchLabels(spec(o)['selector'])[key] === value),
  );
  return skippedTarget ? ['selected-workload-skipped'] : [];
}

/** The scope reasons of one judged object under a rule's scope. */
export function scopeReasons(object: RawObject, fixture: RawObject[], scope: RollsafeScope): string[] {
  switch (scope) {
    case 'service-backed-workload':
      return workloadScopeReasons(object, fixture);
    case 'service-backed-replicated':
      return workloadScopeReasons(object, fixture, { replicated: true });
    case 'service-backed-deployment':
      return workloadScopeReasons(object, fixture, { replicated: true, deploymentOnly: true });
    case 'pdb':
      return pdbScopeReasons(object, fixture);
    default:
      return serviceScopeReasons(object, fixture, scope);
  }
}

/** The workload an HPA's scaleTargetRef names, in the HPA's namespace. */
export function hpaTarget(hpa: RawObject, fixture: RawObject[]): RawObject | undefined {
  const ref = spec(hpa)['scaleTargetRef'];
  if (!isRecord(ref)) return undefined;
  return fixture.find(
    (o) => kindOf(o) === ref['kind'] && nameOf(o) === ref['name'] && namespaceOf(o) === namespaceOf(hpa) && o !== hpa,
  );
}
