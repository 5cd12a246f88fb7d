import { addObject, emptySnapshot, type Snapshot, type SnapshotObjects } from '#rollsafe/advisor';
import { unlistableWarning } from '../access/kind-warnings.js';
import { KubeError } from '../errors.js';
import { ApiClient } from '../http/api-client.js';
import { openConnection, type ClusterClientOptions } from '../http/connection.js';
import { DEFAULT_RETRY_POLICY } from '../http/retry.js';
import type { ClusterCredentials } from '../kubeconfig/credentials.js';
import { cniOf, fetchKubernetesVersion, providerOfNodes } from './cluster-facts.js';
import { forEachLimited } from './limit.js';
import { listAllPages, type ListOutcome, type PageSink } from './list-pages.js';
import { ENDPOINT_SLICES, ENDPOINTS, PROVIDER_RESOURCES, SCANNED_RESOURCES, type ListedResource, type ProviderResource } from './resources.js';
import { slimObject } from './slim.js';

export interface CollectOptions extends ClusterClientOptions {
  /** Items per list page; default 500. */
  pageSize?: number;
  /** Resource types fetched at once; default 4. */
  concurrency?: number;
  /** On 429 / 5xx / network errors; default 4, exponential backoff honouring Retry-After. */
  maxRetries?: number;
  /** The first backoff; default 250 ms. */
  retryBaseDelayMs?: number;
}

export interface CollectStats {
  requests: number;
  pages: number;
  objects: number;
  retries: number;
  restarts: number;
  durationMs: number;
}

export interface CollectResult {
  /** source 'cluster'; facts: kubernetesVersion, detectedProvider, cni, unavailableKinds. */
  snapshot: Snapshot;
  stats: CollectStats;
  /** One sentence per resource that could not be listed (the rules it withholds). */
  warnings: string[];
}

interface Collection {
  snapshot: Snapshot;
  stats: CollectStats;
  warnings: string[];
  unavailable: Set<keyof SnapshotObjects>;
}

/** Folds a resource's pages into the snapshot as they arrive; a restart drops what it added. */
function snapshotSink(collection: Collection, resource: ListedResource): PageSink {
  const target = collection.snapshot[resource.collection];
  const start = target.length;
  return {
    page(items, apiVersion) {
      for (const item of items) {
        if (addObject(collection.snapshot, slimObject(resource.collection, resource.kind, apiVersion, item))) collection.stats.objects++;
      }
    },
    restart() {
      collection.stats.objects -= target.length - start;
      target.length = start;
    },
  };
}

function record(collection: Collection, outcome: ListOutcome): boolean {
  if (!outcome.listed) return false;
  collection.stats.pages += outcome.pages;
  collection.stats.restarts += outcome.restarts;
  return true;
}

async function collectResource(client: ApiClient, collection: Collection, resource: ListedResource, pageSize: number): Promise<void> {
  const outcome = await listAllPages(client, resource, { pageSize }, snapshotSink(collection, resource));
  if (record(collection, outcome)) return;
  if (resource === ENDPOINT_SLICES) return collectEndpointsFallback(client, collection, pageSize);
  collection.unavailable.add(resource.collection);
  collection.warnings.push(unlistableWarning(resource.resource, [resource.collection]));
}

/** Namespaces and webhook configurations for the provider rules: kept whole but small; refused = left out. */
async function collectProviderResource(client: ApiClient, collection: Collection, resource: ProviderResource, pageSize: number): Promise<void> {
  const items: unknown[] = [];
  const outcome = await listAllPages(
    client,
    resource,
    { pageSize },
    {
      page(page, apiVersion) {
        for (const item of page) items.push({ apiVersion, kind: resource.kind, ...providerSlim(item) });
      },
      restart() {
        items.length = 0;
      },
    },
  );
  if (!record(collection, outcome)) return;
  collection.snapshot[resource.collection] = [];
  for (const item of items) if (addObject(collection.snapshot, item)) collection.stats.objects++;
}

/** Metadata (name, labels) and, for webhook configurations, each webhook's name and failure policy. */
function providerSlim(item: unknown): Record<string, unknown> {
  const object = (item ?? {}) as { metadata?: { name?: string; labels?: Record<string, string> }; webhooks?: Array<{ name?: string; failurePolicy?: string }> };
  return {
    metadata: { name: object.metadata?.name, ...(object.metadata?.labels ? { labels: object.metadata.labels } : {}) },
    ...(Array.isArray(object.webhooks) ? { webhooks: object.webhooks.map((w) => ({ name: w.name, failurePolicy: w.failurePolicy })) } : {}),
  };
}

/** EndpointSlices refused: Endpoints serve the same rules; only when both fail are they unavailable. */
async function collectEndpointsFallback(client: ApiClient, collection: Collection, pageSize: number): Promise<void> {
  const outcome = await listAllPages(client, ENDPOINTS, { pageSize }, snapshotSink(collection, ENDPOINTS));
  if (record(collection, outcome)) return;
  collection.unavailable.add('endpointSlices');
  collection.unavailable.add('endpoints');
  collection.warnings.push(unlistableWarning('endpointslices or endpoints', ['endpointSlices', 'endpoints']));
}

function finishFacts(collection: Collection, kubernetesVersion: string): void {
  const facts = collection.snapshot.facts;
  facts.kubernetesVersion = kubernetesVersion.replace(/^v/, '');
  const provider = providerOfNodes(collection.snapshot);
  if (provider) facts.detectedProvider = provider;
  const cni = cniOf(collection.snapshot);
  if (cni) facts.cni = cni;
  if (collection.unavailable.size > 0) facts.unavailableKinds = [...collection.unavailable];
  const controllers = controllersOf(collection.snapshot);
  if (controllers) facts.controllers = controllers;
}

/** Load balancer controllers the cluster shows by their webhooks (only known when webhook configurations could be listed). */
function controllersOf(snapshot: Snapshot): Array<{ name: string; evidence: string }> | undefined {
  const webhooks = snapshot.mutatingWebhookConfigurations;
  if (!webhooks) return undefined;
  const found: Array<{ name: string; evidence: string }> = [];
  if (webhooks.some((w) => w.metadata?.name === 'aws-load-balancer-webhook')) {
    found.push({ name: 'aws-load-balancer-controller', evidence: 'MutatingWebhookConfiguration aws-load-balancer-webhook' });
  }
  return found;
}

/**
 * Reads a cluster into a Snapshot with GETs only: /version, then every scanned resource type
 * in pages (a few types at once), each page slimmed and folded in as it arrives.
 */
export async function collectClusterSnapshot(credentials: ClusterCredentials, options: CollectOptions): Promise<CollectResult> {
  const started = Date.now();
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const pageSize = Math.max(1, options.pageSize ?? 500);
  const connection = await openConnection(credentials, options, concurrency + 1);
  const client = new ApiClient(connection, {
    ...DEFAULT_RETRY_POLICY,
    maxRetries: options.maxRetries ?? DEFAULT_RETRY_POLICY.maxRetries,
    baseDelayMs: options.retryBaseDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs,
  });
  const collection: Collection = {
    snapshot: emptySnapshot({ source: 'cluster' }),
    stats: { requests: 0, pages: 0, objects: 0, retries: 0, restarts: 0, durationMs: 0 },
    warnings: [],
    unavailable: new Set(),
  };
  try {
    const version = await fetchKubernetesVersion(client);
    await forEachLimited(SCANNED_RESOURCES, concurrency, (resource) => collectResource(client, collection, resource, pageSize));
    await forEachLimited(PROVIDER_RESOURCES, concurrency, (resource) => collectProviderResource(client, collection, resource, pageSize));
    finishFacts(collection, version);
  } catch (error) {
    throw error instanceof KubeError ? error : new KubeError('CLUSTER_ERROR', `collecting from ${connection.server}: ${(error as Error).message}`);
  } finally {
    connection.close();
  }
  collection.stats.requests = client.counters.requests;
  collection.stats.retries = client.counters.retries;
  collection.stats.durationMs = Date.now() - started;
  return { snapshot: collection.snapshot, stats: collection.stats, warnings: collection.warnings };
}
