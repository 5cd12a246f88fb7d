import { Injectable, Logger } from '@nestjs/common';
import type { SnapshotObjects } from '#rollsafe/advisor';
import { KubeError, type ClusterCredentials, type CollectResult } from '#rollsafe/kube';
import { ClusterRepository, type SealedCredentials, type StartedScan } from '#rollsafe/store';
import type { JobContext } from '../jobs/catalog.js';
import { CredentialCipher, CredentialsError } from '../clusters/credential-cipher.js';
import { ClusterConnector } from '../clusters/cluster-connector.js';
import { ScanFailure, ScanRetry, type ScanSource, type SourcedSnapshot } from './scan-source.js';

/** Cluster failures that may pass: the job is retried (with backoff) before the scan fails. */
const TRANSIENT = new Set(['CLUSTER_UNREACHABLE', 'CLUSTER_ERROR']);

const OBJECT_KINDS: Array<keyof SnapshotObjects> = [
  'nodes',
  'pods',
  'services',
  'endpointSlices',
  'endpoints',
  'deployments',
  'replicaSets',
  'statefulSets',
  'daemonSets',
  'podDisruptionBudgets',
  'horizontalPodAutoscalers',
];

/**
 * A registered cluster, read live. The credentials are opened in memory just before the
 * collector connects and dropped after; they are never logged or put in an error.
 */
@Injectable()
export class ClusterSource implements ScanSource {
  private readonly logger = new Logger(ClusterSource.name);

  constructor(
    private readonly clusters: ClusterRepository,
    private readonly connector: ClusterConnector,
    private readonly cipher: CredentialCipher,
  ) {}

  async collect(started: StartedScan, context: Pick<JobContext, 'attempt' | 'maxAttempts'>): Promise<SourcedSnapshot> {
    const clusterId = started.clusterId;
    const sealed = clusterId ? await this.clusters.sealedCredentials(clusterId) : undefined;
    if (!clusterId || !sealed || sealed.cluster.organizationId !== started.scan.organizationId) {
      throw new ScanFailure('the cluster of this scan is not registered any more');
    }
    const credentials = await this.open(clusterId, sealed);
    let collected: CollectResult;
    try {
      collected = await this.connector.collect(credentials);
    } catch (error) {
      if (!(error instanceof KubeError)) throw error;
      const message = `${error.code}: ${error.message}`;
      if (TRANSIENT.has(error.code) && context.attempt < context.maxAttempts) {
        this.logger.warn({ msg: 'cluster scan failed: will retry', scanId: started.scan.id, clusterId, attempt: context.attempt, error: message });
        throw new ScanRetry(message);
      }
      throw new ScanFailure(message);
    }
    const { snapshot, stats } = collected;
    const version = snapshot.facts.kubernetesVersion;
    return {
      snapshot,
      documentCount: OBJECT_KINDS.reduce((sum, kind) => sum + snapshot[kind].length, 0),
      warnings: (snapshot.facts.unavailableKinds ?? []).map((kind) => ({
        message: `the credentials cannot list ${kind}: rules that read them were not evaluated`,
      })),
      settings: { provider: sealed.cluster.provider, slbAttachmentQuota: sealed.cluster.slbAttachmentQuota },
      recordsProvider: true,
      drawTimelines: true,
      afterComplete: async () => {
        await this.clusters.recordScanFacts(clusterId, { ...(version ? { kubernetesVersion: `v${version.replace(/^v/, '')}` } : {}) });
      },
      log: { clusterId, requests: stats.requests, objects: stats.objects, collectMs: stats.durationMs },
    };
  }

  private async open(clusterId: string, sealed: SealedCredentials): Promise<ClusterCredentials> {
    try {
      const opened = this.cipher.open(sealed, clusterId);
      if (opened.stale && this.cipher.canSeal) {
        const resealed = await this.clusters.reseal(clusterId, sealed.keyId, this.cipher.seal(opened.credentials, clusterId));
        this.logger.log({
          msg: resealed ? 'cluster credentials re-encrypted under the current key' : 'credentials changed meanwhile: not re-encrypted',
          clusterId,
          from: sealed.keyId,
        });
      }
      return opened.credentials;
    } catch (error) {
      if (error instanceof CredentialsError) throw new ScanFailure(error.message);
      throw error;
    }
  }
}
