import {
  findingSortKey,
  namespaceOf,
  providerFromAnnotations,
  type AdvisorOptions,
  type AdvisorResult,
  type DetectedProvider,
  type K8sObject,
  type Provider,
  type Snapshot,
} from '#rollsafe/advisor';
import { buildSnapshot, parsePart, type ManifestLimits } from '#rollsafe/manifests';
import type { VerdictSummary } from '#rollsafe/simulator';
import { judgeSnapshot } from '../judge.js';
import type { ShardPart } from './shard-plan.js';

/** What one thread scans: its shard's documents, and the namespaces no other shard holds. */
export interface ShardJob {
  /** The shard's documents as one string, and the parts it is cut into. */
  text: string;
  parts: ShardPart[];
  namespaces: string[];
  limits: ManifestLimits;
  advisorOptions: AdvisorOptions;
  /** Every input's name, by index: where a Service's position in the whole scan is read from. */
  inputNames: string[];
}

/** [0 for a Service, 1 for an Ingress; input index; line]: provider detection reads Services first, then Ingresses, each in input order. */
export type ScanPosition = [number, number, number];

/** How many of a shard's Services and Ingresses name `provider` in their annotations, and where the first one is. */
export interface ProviderVote {
  provider: Provider;
  count: number;
  first: ScanPosition;
}

export interface PreparedShard {
  snapshot: Snapshot;
  documentCount: number;
  votes: ProviderVote[];
}

/** Why a shard cannot be scanned apart: the scan then runs on one thread, which reports it as it always does. */
export interface ShardRefusal {
  refused: string;
}

/** A shard's findings and verdicts as the JSON output writes them, each with the key it is ordered by. */
export interface ShardOutput {
  /** Each finding's JSON, one after the other; `findingEnds[i]` is where the i-th ends. */
  findings: string;
  findingEnds: number[];
  findingKeys: string[];
  verdicts: string;
  verdictEnds: number[];
  /** Namespace and name of each verdict's Service, one after the other. */
  verdictNames: string[];
  /** The same in every shard: what the rules ran for. */
  result: Pick<AdvisorResult, 'notEvaluated' | 'provider' | 'providerSource' | 'providerSkipped' | 'kubernetesVersion' | 'profiles'>;
  summary: AdvisorResult['summary'];
  verdictSummary: VerdictSummary;
  resourceCount: number;
  documentCount: number;
}

/**
 * Parses a shard and checks that it can be judged alone: no document was broken or skipped
 * (their errors and warnings are the one-thread scan's to report, in its order), and every
 * object's namespace is one of the shard's. Then counts the provider annotations.
 */
export function prepareShard(job: ShardJob): PreparedShard | ShardRefusal {
  const parses = job.parts.map(({ input, start, end, firstLine, partOfMultiDocumentFile }) =>
    parsePart({ name: job.inputNames[input] ?? '', text: job.text.slice(start, end), firstLine, partOfMultiDocumentFile }, job.limits, job.limits.maxDocuments),
  );
  if (parses.some((parse) => parse.limitReached || parse.parsed.errors.length > 0)) return { refused: 'a document could not be parsed' };
  const { snapshot, errors, documentCount } = buildSnapshot(parses.map((parse) => parse.parsed));
  if (errors.length > 0 || snapshot.warnings.length > 0) return { refused: 'a document has a warning' };
  const stray = strayObject(snapshot, new Set(job.namespaces));
  if (stray) return { refused: stray };
  return { snapshot, documentCount, votes: providerVotes(snapshot, job.inputNames) };
}

/** Runs the rules and the verdicts on a prepared shard, for the provider detected over every shard. */
export function finishShard(prepared: PreparedShard, detected: DetectedProvider, job: ShardJob): ShardOutput {
  const { snapshot } = prepared;
  const { result, verdicts } = judgeSnapshot(snapshot, job.advisorOptions, detected);
  const findings = eachAsJson(result.findings);
  const verdictJson = eachAsJson(verdicts.verdicts);
  const { notEvaluated, provider, providerSource, providerSkipped, kubernetesVersion, profiles } = result;
  return {
    findings: findings.text,
    findingEnds: findings.ends,
    findingKeys: result.findings.map(findingSortKey),
    verdicts: verdictJson.text,
    verdictEnds: verdictJson.ends,
    verdictNames: verdicts.verdicts.flatMap((verdict) => [verdict.service.namespace, verdict.service.name]),
    result: { notEvaluated, providerSkipped, kubernetesVersion, profiles, ...(provider ? { provider } : {}), ...(providerSource ? { providerSource } : {}) },
    summary: result.summary,
    verdictSummary: verdicts.summary,
    resourceCount: snapshot.locations.size,
    documentCount: prepared.documentCount,
  };
}

/** Each item's JSON, one after the other, and where each one ends. */
function eachAsJson(items: readonly unknown[]): { text: string; ends: number[] } {
  const pieces: string[] = [];
  const ends: number[] = [];
  let chars = 0;
  for (const item of items) {
    const json = JSON.stringify(item);
    pieces.push(json);
    ends.push((chars += json.length));
  }
  return { text: pieces.join(''), ends };
}

/**
 * The provider most annotations of all shards name, as `detectProvider` picks it over the whole
 * snapshot: the highest count, and on a tie the one seen first (Services before Ingresses).
 */
export function agreeProvider(votes: readonly ProviderVote[]): DetectedProvider {
  const merged = new Map<Provider, ProviderVote>();
  for (const vote of votes) {
    const seen = merged.get(vote.provider);
    if (!seen) merged.set(vote.provider, { ...vote });
    else {
      seen.count += vote.count;
      if (comparePositions(vote.first, seen.first) < 0) seen.first = vote.first;
    }
  }
  let best: ProviderVote | undefined;
  for (const vote of merged.values()) {
    if (!best || vote.count > best.count || (vote.count === best.count && comparePositions(vote.first, best.first) < 0)) best = vote;
  }
  return best ? { fromAnnotations: best.provider } : {};
}

function comparePositions(a: ScanPosition, b: ScanPosition): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

function providerVotes(snapshot: Snapshot, inputNames: readonly string[]): ProviderVote[] {
  const inputOf = new Map(inputNames.map((name, index) => [name, index]));
  const votes = new Map<Provider, ProviderVote>();
  const vote = (object: K8sObject, kind: number): void => {
    const provider = providerFromAnnotations(object);
    if (!provider) return;
    const seen = votes.get(provider);
    if (seen) {
      seen.count++;
      return;
    }
    const location = snapshot.locations.get(object);
    votes.set(provider, { provider, count: 1, first: [kind, inputOf.get(location?.file ?? '') ?? 0, location?.line ?? 0] });
  };
  for (const service of snapshot.services) vote(service, 0);
  for (const ingress of snapshot.ingresses ?? []) vote(ingress, 1);
  return [...votes.values()];
}

/** What makes the shard depend on another: an object of a namespace not its own, or one read across namespaces. */
function strayObject(snapshot: Snapshot, namespaces: ReadonlySet<string>): string | undefined {
  if (snapshot.nodes.length > 0 || snapshot.namespaces !== undefined || snapshot.mutatingWebhookConfigurations !== undefined) {
    return 'a Node, Namespace or webhook configuration is read across namespaces';
  }
  const namespaced: Array<readonly K8sObject[] | undefined> = [
    snapshot.deployments,
    snapshot.statefulSets,
    snapshot.daemonSets,
    snapshot.replicaSets,
    snapshot.pods,
    snapshot.services,
    snapshot.endpointSlices,
    snapshot.endpoints,
    snapshot.podDisruptionBudgets,
    snapshot.horizontalPodAutoscalers,
    snapshot.ingresses,
    snapshot.backendConfigs,
  ];
  for (const objects of namespaced) {
    for (const object of objects ?? []) if (!namespaces.has(namespaceOf(object))) return `namespace "${namespaceOf(object)}" is not the shard's`;
  }
  for (const other of [...snapshot.otherPodTemplates, ...(snapshot.customResources ?? [])]) {
    if (!namespaces.has(other.namespace)) return `namespace "${other.namespace}" is not the shard's`;
  }
  return undefined;
}
