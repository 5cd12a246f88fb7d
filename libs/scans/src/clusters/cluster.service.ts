import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DEFAULT_SLB_ATTACHMENT_QUOTA, RULES } from '#rollsafe/advisor';
import { KubeError, type AccessReport, type ClusterCredentials } from '#rollsafe/kube';
import { ClusterRepository, FindingRepository, ScanRepository, type ClusterAccess, type ClusterRow } from '#rollsafe/store';
import { DomainError, notFound, type ErrorDetails } from '../errors.js';
import { UUID } from '../cursor.js';
import { answerToKeep } from '../idempotency-scope.js';
import { JobQueue } from '../jobs/job-queue.js';
import { providerChoice } from '../scan-engine.js';
import { FindingStatusFilter, valuesOf } from '../contracts/enums.js';
import { SEVERITIES, ScanQueryService, oneOf, type ScanListArgs } from '../scan-query.service.js';
import { bySeverityThenNewest, listPage, newestFirst, type PageArgs } from '../paging.js';
import { toClusterFindingView, toClusterView, toScanView } from '../views.js';
import type { ClusterFindingView, ClusterView, ListView, ScanView } from '../contracts/index.js';
import { CredentialCipher } from './credential-cipher.js';
import { ClusterConnector } from './cluster-connector.js';

export interface ClusterInput {
  name?: unknown;
  kubeconfig?: unknown;
  /** The kubeconfig context to use; default: its current-context. */
  context?: unknown;
  provider?: unknown;
  slbAttachmentQuota?: unknown;
}

export interface ClusterFindingArgs extends PageArgs {
  status?: string | null;
  severity?: string | null;
  ruleId?: string | null;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const MAX_KUBECONFIG_BYTES = 1024 * 1024;
const FINDING_STATUSES = valuesOf(FindingStatusFilter);

/** Rules that cannot be evaluated when the credentials cannot list these kinds. */
export function rulesNeeding(kinds: readonly string[]): string[] {
  if (kinds.length === 0) return [];
  return RULES.filter((rule) => (rule.reads ?? []).some((kind) => kinds.includes(kind))).map((rule) => rule.id);
}

/** A KubeError as a domain error: same code, same message (libs/kube never puts credentials in either). */
export function fromKubeError(error: KubeError): DomainError {
  return new DomainError(error.code, error.message, error.details ? (JSON.parse(JSON.stringify(error.details)) as ErrorDetails) : undefined);
}

/**
 * Use case: registered clusters. Registration decides: the kubeconfig passes the intake
 * policy, the server is reachable at an allowed address, the credentials authenticate and
 * cannot write; only then are they sealed (AES-256-GCM) and stored. No view carries them.
 */
@Injectable()
export class ClusterService {
  private readonly logger = new Logger(ClusterService.name);

  constructor(
    private readonly clusters: ClusterRepository,
    private readonly scans: ScanRepository,
    private readonly findingRows: FindingRepository,
    private readonly scanQueries: ScanQueryService,
    private readonly connector: ClusterConnector,
    private readonly cipher: CredentialCipher,
    private readonly jobs: JobQueue,
  ) {}

  async register(organizationId: string, input: ClusterInput): Promise<ClusterView> {
    const name = clusterName(input.name, true) as string;
    const provider = providerChoice(input.provider);
    const slbAttachmentQuota = quotaOf(input.slbAttachmentQuota);
    const kubeconfig = kubeconfigOf(input.kubeconfig, true) as string;
    const context = contextOf(input.context);
    this.requireCipher();
    if (await this.clusters.nameInUse(organizationId, name)) throw nameTaken(name);

    const id = randomUUID();
    const access = await this.verifiedAccess(kubeconfig, context, id);
    const created = await this.clusters.create(
      {
        id,
        organizationId,
        name,
        provider: provider ?? null,
        slbAttachmentQuota: slbAttachmentQuota ?? null,
        ...access,
      },
      answerToKeep(organizationId, (row: ClusterRow) => this.view(row)),
    );
    if (created === 'name-taken') throw nameTaken(name);
    this.logger.log({ msg: 'cluster registered', clusterId: id, unlistableKinds: access.unlistableKinds });
    return this.view(created);
  }

  async get(organizationId: string, id: string): Promise<ClusterView> {
    return this.view(await this.row(organizationId, id));
  }

  async list(organizationId: string, args: PageArgs): Promise<ListView<ClusterView>> {
    return listPage(args, {
      defaultLimit: 20,
      keyset: newestFirst('createdAt'),
      page: (limit, after) => this.clusters.listForOrganization(organizationId, limit, after),
      countRows: () => this.clusters.countForOrganization(organizationId),
      view: (row) => this.view(row),
    });
  }

  /** Renames, sets provider or quota (null clears them), or replaces the kubeconfig (verified again). */
  async update(organizationId: string, id: string, input: ClusterInput): Promise<ClusterView> {
    await this.row(organizationId, id);
    const name = clusterName(input.name, false);
    // auto (or null) clears it: detected from the nodes again
    const provider = providerChoice(input.provider);
    const slbAttachmentQuota = input.slbAttachmentQuota === null ? null : quotaOf(input.slbAttachmentQuota);
    const kubeconfig = kubeconfigOf(input.kubeconfig, false);
    const context = contextOf(input.context);
    if (context !== undefined && kubeconfig === undefined) {
      throw new DomainError('BAD_INPUT', 'context is only read with a new kubeconfig', { field: 'context' });
    }
    let access: ClusterAccess | undefined;
    if (kubeconfig !== undefined) {
      this.requireCipher();
      access = await this.verifiedAccess(kubeconfig, context, id);
    }
    const updated = await this.clusters.update(organizationId, id, {
      ...(name !== undefined ? { name } : {}),
      ...(provider !== undefined ? { provider } : {}),
      ...(slbAttachmentQuota !== undefined ? { slbAttachmentQuota } : {}),
      ...(access ? { access } : {}),
    });
    if (updated === undefined) throw notFound('cluster', id);
    if (updated === 'name-taken') throw nameTaken(name ?? '');
    return this.view(updated);
  }

  /** Deletes the cluster, its credentials, scans and finding states. */
  async delete(organizationId: string, id: string): Promise<void> {
    if (!UUID.test(id) || !(await this.clusters.delete(organizationId, id))) throw notFound('cluster', id);
  }

  /** Queues a scan of the cluster (the worker's `cluster.scan` job). */
  async requestScan(organizationId: string, id: string, trigger: 'manual' | 'schedule' = 'manual'): Promise<ScanView> {
    const cluster = await this.row(organizationId, id);
    const scan = await this.scans.createQueuedForTarget(
      {
        organizationId,
        targetId: cluster.targetId,
        trigger,
        ...(cluster.provider ? { provider: cluster.provider } : {}),
      },
      answerToKeep(organizationId, toScanView),
    );
    if (!scan) throw notFound('cluster', id);
    try {
      await this.jobs.enqueue('cluster.scan', { scanId: scan.id, clusterId: cluster.id }, scan.id);
    } catch (error) {
      // Accepted all the same: the worker's reconciler queues it once Redis answers again.
      this.logger.warn({ msg: 'scan accepted but not queued yet: the reconciler will queue it', scanId: scan.id, error: String(error) });
    }
    return toScanView(scan);
  }

  /** The cluster's findings with their state: open ones by default, `resolved` or `all`. */
  async findings(organizationId: string, id: string, args: ClusterFindingArgs): Promise<ListView<ClusterFindingView>> {
    const cluster = await this.row(organizationId, id);
    const status = oneOf('status', args.status, FINDING_STATUSES) ?? 'open';
    const severity = oneOf('severity', args.severity, SEVERITIES);
    const ruleId = args.ruleId ?? undefined;
    if (ruleId !== undefined && !/^[a-z0-9-]{1,100}$/.test(ruleId)) {
      throw new DomainError('BAD_INPUT', 'ruleId must be a rule id such as endpoints-not-ready', { field: 'ruleId' });
    }
    const filter = {
      ...(status !== 'all' ? { status } : {}),
      ...(severity ? { severity } : {}),
      ...(ruleId ? { ruleId } : {}),
    };
    return listPage(args, {
      defaultLimit: 50,
      keyset: bySeverityThenNewest,
      page: (limit, after) => this.findingRows.listStates(organizationId, cluster.targetId, { ...filter, limit, ...(after ? { after } : {}) }),
      countRows: () => this.findingRows.countStates(organizationId, cluster.targetId, filter),
      view: toClusterFindingView,
    });
  }

  /** The cluster's scans, newest first. */
  async scansOf(organizationId: string, id: string, args: Omit<ScanListArgs, 'clusterId'>): Promise<ListView<ScanView>> {
    return this.scanQueries.list(organizationId, { ...args, clusterId: id });
  }

  private async verifiedAccess(kubeconfig: string, context: string | undefined, clusterId: string): Promise<ClusterAccess> {
    let credentials: ClusterCredentials;
    let report: AccessReport;
    try {
      credentials = await this.connector.admit(kubeconfig, context);
      report = await this.connector.verify(credentials);
    } catch (error) {
      if (error instanceof KubeError) throw fromKubeError(error);
      // Anything else is a bug; its text could quote what it was parsing, so it stays out of
      // the answer and the logs.
      this.logger.error({ msg: 'cluster verification failed unexpectedly', clusterId, errorType: error instanceof Error ? error.name : typeof error });
      throw new DomainError('CLUSTER_ERROR', 'the cluster could not be verified');
    }
    const unlistableKinds = [...report.unlistableKinds].map(String);
    return {
      server: credentials.server,
      contextName: credentials.contextName,
      kubernetesVersion: report.kubernetesVersion || null,
      unlistableKinds,
      accessWarnings: report.warnings,
      verifiedAt: new Date(),
      credentials: this.cipher.seal(credentials, clusterId),
    };
  }

  private requireCipher(): void {
    if (!this.cipher.canSeal) {
      throw new DomainError('UNAVAILABLE', 'cluster credentials cannot be stored: the operator has not set ROLLSAFE_ENCRYPTION_KEY');
    }
  }

  private async row(organizationId: string, id: string): Promise<ClusterRow> {
    const row = UUID.test(id) ? await this.clusters.findForOrganization(organizationId, id) : undefined;
    if (!row) throw notFound('cluster', id);
    return row;
  }

  private view(row: ClusterRow): ClusterView {
    return toClusterView(row, rulesNeeding(row.unlistableKinds), DEFAULT_SLB_ATTACHMENT_QUOTA);
  }
}

function nameTaken(name: string): DomainError {
  return new DomainError('CONFLICT', `a cluster named "${name}" is already registered`, { field: 'name' });
}

function clusterName(value: unknown, required: boolean): string | undefined {
  if (value === undefined || value === null) {
    if (required) throw new DomainError('BAD_INPUT', 'name is required: 1-63 letters, digits, ".", "_" or "-"', { field: 'name' });
    return undefined;
  }
  if (typeof value !== 'string' || !NAME.test(value)) {
    throw new DomainError('BAD_INPUT', 'name must be 1-63 letters, digits, ".", "_" or "-"', { field: 'name' });
  }
  return value;
}

function kubeconfigOf(value: unknown, required: boolean): string | undefined {
  if (value === undefined || value === null) {
    if (required) throw new DomainError('BAD_INPUT', 'kubeconfig is required: the kubeconfig YAML as a string', { field: 'kubeconfig' });
    return undefined;
  }
  if (typeof value !== 'string' || value.trim() === '') {
    throw new DomainError('BAD_INPUT', 'kubeconfig must be the kubeconfig YAML as a string', { field: 'kubeconfig' });
  }
  if (Buffer.byteLength(value, 'utf8') > MAX_KUBECONFIG_BYTES) {
    throw new DomainError('PAYLOAD_TOO_LARGE', `kubeconfig is larger than ${MAX_KUBECONFIG_BYTES} bytes`, { field: 'kubeconfig' });
  }
  return value;
}

function contextOf(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || value.length > 253) throw new DomainError('BAD_INPUT', 'context must be a context name', { field: 'context' });
  return value;
}

function quotaOf(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 10_000) {
    throw new DomainError('BAD_INPUT', 'slbAttachmentQuota must be an integer from 1 to 10000', { field: 'slbAttachmentQuota' });
  }
  return value;
}
