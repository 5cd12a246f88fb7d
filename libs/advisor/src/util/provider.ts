import type { Service } from '../model/k8s.js';
import type { Provider, Snapshot } from '../model/snapshot.js';
import { providerFromAnnotations } from './annotations.js';

const PROVIDER_ID_PREFIXES: Array<[string, Provider]> = [
  ['alicloud://', 'alibaba'],
  ['ack-hybrid://', 'alibaba'],
  ['aws://', 'aws'],
  ['gce://', 'gcp'],
  ['azure://', 'azure'],
  ['qcloud://', 'tencent'],
];

/** ACK's usual form: `<region>.<instance-id>`, e.g. `cn-hangzhou.i-bp1...` (CCM node_utils.go). */
const ALIBABA_PROVIDER_ID = /^[a-z]{2,}-[a-z0-9-]+\.i-[a-z0-9]+$/;

/** The provider a node's `spec.providerID` names (PROVIDERS.md section 2, "detect"). */
export function providerFromProviderId(providerId: string | undefined): Provider | undefined {
  if (!providerId) return undefined;
  const prefixed = PROVIDER_ID_PREFIXES.find(([prefix]) => providerId.startsWith(prefix))?.[1];
  if (prefixed) return prefixed;
  return ALIBABA_PROVIDER_ID.test(providerId) ? 'alibaba' : undefined;
}

export interface DetectedProvider {
  /** From nodes' spec.providerID (live clusters): authoritative for the whole snapshot. */
  fromNodes?: Provider;
  /** The provider most Services' annotations name (manifests). */
  fromAnnotations?: Provider;
}

export function detectProvider(snapshot: Snapshot): DetectedProvider {
  const detected: DetectedProvider = {};
  const fromNodes = snapshot.facts.detectedProvider ?? mostCommon(snapshot.nodes.map((n) => providerFromProviderId(n.spec?.providerID)));
  if (fromNodes) detected.fromNodes = fromNodes;
  const fromAnnotations = mostCommon([...snapshot.services, ...(snapshot.ingresses ?? [])].map(providerFromAnnotations));
  if (fromAnnotations) detected.fromAnnotations = fromAnnotations;
  return detected;
}

/**
 * The provider a Service is judged for: the one the user named or the cluster runs on,
 * else the one its own annotations name, else the one the upload's annotations mostly name.
 */
export function providerForService(service: Service, named: Provider | undefined, overall: Provider | undefined): Provider | undefined {
  return named ?? providerFromAnnotations(service) ?? overall;
}

function mostCommon(values: Array<Provider | undefined>): Provider | undefined {
  const counts = new Map<Provider, number>();
  for (const value of values) if (value) counts.set(value, (counts.get(value) ?? 0) + 1);
  let best: Provider | undefined;
  for (const [provider, count] of counts) if (!best || count > (counts.get(best) ?? 0)) best = provider;
  return best;
}
