import { Inject, Injectable, Logger } from '@nestjs/common';
import type { SnapshotObjects } from '#rollsafe/advisor';
import { KubeError, type ClusterCredentials, type CollectResult } from '#rollsafe/kube';
import { ClusterRepository, ScanRepository, type Prisma } from '#rollsafe/store';
import type { JobContext } from '../jobs/catalog.js';
import { ScanEngine, engineOptions } from '../scan-engine.js';
import { toRow, type RunOutcome } from '../scan-runner.service.js';
import { SCANS_OPTIONS, type ScansOptions } from '../options.js';
import { CredentialCipher, CredentialsError } from './credential-cipher.js';
import { ClusterConnector } from './cluster-connector.js';
import { NotificationService } from '../webhooks/notification.service.js';

/** Cluster failures that may pass: the job is retried (with backoff) before the scan fails. */
const TRANSIENT = new Set(['CLUSTER_UNREACHABLE', 'CLUSTER_ERROR']);

/** Thrown to let the queue retry a scan whose cluster did not answer. */
export class ClusterScanRetry extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClusterScanRetry';
  }
}

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
 * Use case (worker side): scan a registered cluster for a queued scan. The credentials are
 * opened in memory just before the collector connects and dropped after; the findings,
 * summary and the cluster target's finding states are written in one transaction that only
 * a running scan commits, so a rerun after a crash writes once.
 */
@Injectable()
export class ClusterScanRunner {
  private readonly logger = new Logger(ClusterScanRunner.name);

  constructor(
    private readonly scans: ScanRepository,
    private readonly clusters: ClusterRepository,
    private readonly connector: ClusterConnector,
    private readonly cipher: CredentialCipher,
    private readonly engine: ScanEngine,
    @Inject(SCANS_OPTIONS) private readonly options: ScansOptions,
    private readonly notifications: NotificationService,
  ) {}

  async run(
    payload: { scanId: string; clusterId: string },
    context: Pick<JobContext, 'attempt' | 'maxAttempts'> = { attempt: 1, maxAttempts: 1 },
  ): Promise<RunOutcome> {
    const { scanId, clusterId } = payload;
    const started = await this.scans.startAttempt(scanId, new Date());
    if (!started) {
      this.logger.log({ msg: 'scan already finished or missing: nothing to do', scanId });
      await this.notifications.afterScan(scanId);
      return 'skipped';
    }
    const sealed = started.clusterId === clusterId ? await this.clusters.sealedCredentials(clusterId) : undefined;
    if (!sealed || sealed.cluster.organizationId !== started.scan.organizationId) {
      return this.fail(scanId, 'the cluster of this scan is not registered any more');
    }
    const { cluster } = sealed;

    let credentials: ClusterCredentials;
    try {
      const opened = this.cipher.open(sealed, clusterId);
      credentials = opened.credentials;
      if (opened.stale && this.cipher.canSeal) {
        const resealed = await this.clusters.reseal(clusterId, sealed.keyId, this.cipher.seal(credentials, clusterId));
        this.logger.log({
          msg: resealed ? 'cluster credentials re-encrypted under the current key' : 'credentials changed meanwhile: not re-encrypted',
          clusterId,
          from: sealed.keyId,
        });
      }
    } catch (error) {
      if (error instanceof CredentialsError) return this.fail(scanId, error.message);
      throw error;
    }

    let collected: CollectResult;
    try {
      collected = await this.connector.collect(credentials);
    } catch (error) {
      if (error instanceof KubeError) {
        const message = `${error.code}: ${error.message}`;
        if (TRANSIENT.has(error.code) && context.attempt < context.maxAttempts) {
          this.logger.warn({ msg: 'cluster scan failed: will retry', scanId, clusterId, attempt: context.attempt, error: message });
          throw new ClusterScanRetry(message);
        }
        return this.fail(scanId, message);
      }
      throw error;
    }

    const { snapshot, stats } = collected;
    const result = this.engine.runSnapshot(
      snapshot,
      engineOptions({
        provider: cluster.provider,
        slbAttachmentQuota: cluster.slbAttachmentQuota,
        suppressions: started.suppressions,
        docsBaseUrl: this.options.docsBaseUrl,
      }),
    );
    const unavailable = snapshot.facts.unavailableKinds ?? [];
    const warnings = [
      ...unavailable.map((kind) => ({ message: `the credentials cannot list ${kind}: rules that read them were not evaluated` })),
      ...result.warnings,
    ] as unknown as Prisma.InputJsonValue;
    const written = await this.scans.complete(
      scanId,
      {
        findings: result.findings.map(toRow),
        suppressed: result.suppressed.length,
        notEvaluated: result.notEvaluated,
        warnings,
        documentCount: OBJECT_KINDS.reduce((sum, kind) => sum + snapshot[kind].length, 0),
        ...(result.provider ? { provider: result.provider } : {}),
      },
      new Date(),
    );
    await this.clusters.recordScanFacts(clusterId, {
      ...(snapshot.facts.kubernetesVersion ? { kubernetesVersion: `v${snapshot.facts.kubernetesVersion.replace(/^v/, '')}` } : {}),
    });
    this.logger.log({
      msg: written ? 'cluster scan succeeded' : 'cluster scan was already written',
      scanId,
      clusterId,
      findings: result.findings.length,
      requests: stats.requests,
      objects: stats.objects,
      durationMs: stats.durationMs,
    });
    // Same use case as the finding states: tell the webhooks what changed.
    await this.notifications.afterScan(scanId);
    return written ? 'succeeded' : 'skipped';
  }

  private async fail(scanId: string, message: string): Promise<RunOutcome> {
    await this.scans.fail(scanId, message, new Date());
    this.logger.warn({ msg: 'cluster scan failed', scanId, error: message });
    return 'failed';
  }
}
