import { Injectable } from '@nestjs/common';
import { PrismaService } from './prisma.service.js';
import { newestFirstPage, type Page } from './pagination.js';
import type { Prisma, Scan, ScanStatus, ScanTrigger, Severity, TargetKind } from './generated/prisma/client.js';

export interface NewScan {
  organizationId: string;
  target: { kind: TargetKind; name: string };
  trigger: ScanTrigger;
  provider?: string;
  files: Array<{ name: string; text: string }>;
  sizeBytes: number;
  documentCount: number;
}

/** A scan of a target that already exists (a cluster's): no uploaded input. */
export interface NewTargetScan {
  organizationId: string;
  targetId: string;
  trigger: ScanTrigger;
  provider?: string;
}

export interface ScheduledScan {
  scan: ScanWithTarget;
  /** `queued`: run it; `skipped`: another scan was in progress; `duplicate`: this run was recorded before. */
  outcome: 'queued' | 'skipped' | 'duplicate';
}

export interface ScanCursor {
  createdAt: Date;
  id: string;
}

export interface ListScansQuery {
  status?: ScanStatus;
  trigger?: ScanTrigger;
  targetId?: string;
  limit: number;
  after?: ScanCursor;
}

export type ScanWithTarget = Scan & { target: { name: string; kind: TargetKind; cluster: { id: string; name: string } | null } };

export interface FindingRow {
  ruleId: string;
  severity: Severity;
  kind: string;
  namespace: string;
  name: string;
  container?: string;
  message: string;
  evidence: Prisma.InputJsonValue;
  remediation: Prisma.InputJsonValue;
  docs: string;
  locationFile?: string;
  locationLine?: number;
  fingerprint: string;
}

export interface ScanOutcome {
  findings: FindingRow[];
  suppressed: number;
  notEvaluated: string[];
  warnings: Prisma.InputJsonValue;
  documentCount: number;
  /** The provider the rules ran for, when the scan learnt it (a cluster's nodes). */
  provider?: string;
}

export interface StartedScan {
  scan: Scan;
  /** Set for a scan of a registered cluster. */
  clusterId?: string;
  files: Array<{ name: string; text: string }>;
  suppressions: Array<{ ruleId: string; namespace: string | null; kind: string | null; name: string | null }>;
}

const withTarget = { target: { select: { name: true, kind: true, cluster: { select: { id: true, name: true } } } } } as const;

@Injectable()
export class ScanRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Writes the scan row, its target (created on first use) and its input in one transaction. */
  async createQueued(input: NewScan): Promise<ScanWithTarget> {
    return this.prisma.client.$transaction(async (tx) => {
      const target = await tx.target.upsert({
        where: { organizationId_kind_name: { organizationId: input.organizationId, kind: input.target.kind, name: input.target.name } },
        create: { organizationId: input.organizationId, kind: input.target.kind, name: input.target.name },
        update: {},
        select: { id: true },
      });
      return tx.scan.create({
        data: {
          organizationId: input.organizationId,
          targetId: target.id,
          trigger: input.trigger,
          provider: input.provider ?? null,
          documentCount: input.documentCount,
          input: { create: { files: input.files, sizeBytes: input.sizeBytes } },
        },
        include: withTarget,
      });
    });
  }

  /** Queues a scan of an existing target of the organization; undefined when it has none by that id. */
  async createQueuedForTarget(input: NewTargetScan): Promise<ScanWithTarget | undefined> {
    const target = await this.prisma.client.target.findFirst({ where: { id: input.targetId, organizationId: input.organizationId }, select: { id: true } });
    if (!target) return undefined;
    return this.prisma.client.scan.create({
      data: {
        organizationId: input.organizationId,
        targetId: target.id,
        trigger: input.trigger,
        provider: input.provider ?? null,
      },
      include: withTarget,
    });
  }

  async findForOrganization(organizationId: string, id: string): Promise<ScanWithTarget | undefined> {
    const scan = await this.prisma.client.scan.findFirst({ where: { id, organizationId }, include: withTarget });
    return scan ?? undefined;
  }

  async listForOrganization(organizationId: string, query: ListScansQuery): Promise<Page<ScanWithTarget>> {
    return newestFirstPage('createdAt', query.limit, query.after, ({ after: older, ...page }) =>
      this.prisma.client.scan.findMany({ where: { ...this.listWhere(organizationId, query), ...older }, ...page, include: withTarget }),
    );
  }

  async countForOrganization(organizationId: string, filter: Omit<ListScansQuery, 'limit' | 'after'> = {}): Promise<number> {
    return this.prisma.client.scan.count({ where: this.listWhere(organizationId, filter) });
  }

  private listWhere(organizationId: string, filter: Omit<ListScansQuery, 'limit' | 'after'>): Prisma.ScanWhereInput {
    return {
      organizationId,
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.trigger ? { trigger: filter.trigger } : {}),
      ...(filter.targetId ? { targetId: filter.targetId } : {}),
    };
  }

  /**
   * Marks a queued (or stalled running) scan as running and returns what the run needs;
   * undefined when the scan is missing or already finished (a duplicate or rerun job).
   */
  async startAttempt(id: string, now: Date): Promise<StartedScan | undefined> {
    const scan = await this.prisma.client.scan.findUnique({
      where: { id },
      include: { input: true, target: { select: { cluster: { select: { id: true } } } } },
    });
    if (!scan || scan.status === 'succeeded' || scan.status === 'failed' || scan.status === 'skipped') return undefined;
    const updated = await this.prisma.client.scan.update({
      where: { id },
      data: { status: 'running', startedAt: scan.startedAt ?? now, attempts: { increment: 1 } },
    });
    const suppressions = await this.prisma.client.suppression.findMany({
      where: { organizationId: scan.organizationId, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
      select: { ruleId: true, namespace: true, kind: true, name: true },
    });
    const files = Array.isArray(scan.input?.files) ? (scan.input.files as Array<{ name: string; text: string }>) : [];
    const clusterId = scan.target.cluster?.id;
    return { scan: updated, files, suppressions, ...(clusterId ? { clusterId } : {}) };
  }

  /**
   * Writes a scan's findings, its summary and the target's finding states in one
   * transaction. Only a running scan completes: a second completion of the same scan (a
   * rerun job, a stalled worker waking up) writes nothing and returns false.
   */
  async complete(id: string, outcome: ScanOutcome, now: Date): Promise<boolean> {
    const counts = { critical: 0, warning: 0, info: 0 };
    for (const finding of outcome.findings) counts[finding.severity] += 1;
    return this.prisma.client.$transaction(
      async (tx) => {
        const scan = await tx.scan.findUnique({ where: { id }, select: { startedAt: true, createdAt: true, targetId: true, organizationId: true } });
        if (!scan) return false;
        const claimed = await tx.scan.updateMany({
          where: { id, status: 'running' },
          data: {
            status: 'succeeded',
            finishedAt: now,
            durationMs: Math.max(0, now.getTime() - (scan.startedAt ?? now).getTime()),
            error: null,
            ...counts,
            suppressed: outcome.suppressed,
            notEvaluated: outcome.notEvaluated,
            warnings: outcome.warnings,
            documentCount: outcome.documentCount,
            ...(outcome.provider ? { provider: outcome.provider } : {}),
          },
        });
        if (claimed.count === 0) return false;
        await tx.finding.createMany({
          data: outcome.findings.map((finding, seq) => ({
            ...finding,
            container: finding.container ?? null,
            locationFile: finding.locationFile ?? null,
            locationLine: finding.locationLine ?? null,
            organizationId: scan.organizationId,
            scanId: id,
            seq,
          })),
        });
        await this.updateFindingStates(tx, { ...scan, scanId: id }, outcome.findings, now);
        return true;
      },
      { timeout: 60_000, maxWait: 10_000 },
    );
  }

  private async updateFindingStates(
    tx: Prisma.TransactionClient,
    scan: { scanId: string; targetId: string; organizationId: string; createdAt: Date },
    findings: FindingRow[],
    now: Date,
  ): Promise<void> {
    // Serialize completions per target, and let an older scan that finishes late leave the
    // states to the newer one.
    const [target] = await tx.$queryRaw<Array<{ states_as_of: Date | null }>>`
      SELECT states_as_of FROM targets WHERE id = ${scan.targetId}::uuid FOR UPDATE`;
    if (target?.states_as_of && target.states_as_of > scan.createdAt) return;
    const unique = new Map(findings.map((finding) => [finding.fingerprint, finding]));
    const fingerprints = [...unique.keys()];
    if (fingerprints.length > 0) {
      // Resolved states that come back are reopened by this scan (a regression).
      await tx.findingState.updateMany({
        where: { targetId: scan.targetId, fingerprint: { in: fingerprints }, status: 'resolved' },
        data: { status: 'open', lastSeenAt: now, resolvedAt: null, resolvedScanId: null, lastScanId: scan.scanId, openedScanId: scan.scanId },
      });
      await tx.findingState.updateMany({
        where: { targetId: scan.targetId, fingerprint: { in: fingerprints }, status: 'open' },
        data: { lastSeenAt: now, lastScanId: scan.scanId },
      });
      await tx.findingState.createMany({
        data: [...unique.values()].map((finding) => ({
          organizationId: scan.organizationId,
          targetId: scan.targetId,
          fingerprint: finding.fingerprint,
          ruleId: finding.ruleId,
          severity: finding.severity,
          kind: finding.kind,
          namespace: finding.namespace,
          name: finding.name,
          status: 'open' as const,
          firstSeenAt: now,
          lastSeenAt: now,
          lastScanId: scan.scanId,
          firstScanId: scan.scanId,
          openedScanId: scan.scanId,
        })),
        skipDuplicates: true,
      });
    }
    await tx.findingState.updateMany({
      where: { targetId: scan.targetId, status: 'open', lastScanId: { not: scan.scanId } },
      data: { status: 'resolved', resolvedAt: now, resolvedScanId: scan.scanId },
    });
    await tx.target.update({ where: { id: scan.targetId }, data: { statesAsOf: scan.createdAt } });
  }

  /**
   * A scheduled run of a cluster's target: a queued scan, or, when a scan of the target is
   * still queued or running, a `skipped` one (finished at once, never run). Checked and written
   * under a lock on the target, so two runs at once cannot both queue. `scheduledRun` (the
   * scheduler's job id) makes a rerun of the same job return the scan it created.
   */
  async createScheduled(input: NewTargetScan & { scheduledRun: string }, now: Date): Promise<ScheduledScan | undefined> {
    return this.prisma.client.$transaction(async (tx) => {
      const [target] = await tx.$queryRaw<Array<{ id: string }>>`
        SELECT id FROM targets WHERE id = ${input.targetId}::uuid AND organization_id = ${input.organizationId}::uuid FOR UPDATE`;
      if (!target) return undefined;
      const existing = await tx.scan.findUnique({ where: { scheduledRun: input.scheduledRun }, include: withTarget });
      if (existing) return { scan: existing, outcome: 'duplicate' as const };
      const busy = await tx.scan.count({ where: { targetId: input.targetId, status: { in: ['queued', 'running'] } } });
      const scan = await tx.scan.create({
        data: {
          organizationId: input.organizationId,
          targetId: input.targetId,
          trigger: input.trigger,
          provider: input.provider ?? null,
          scheduledRun: input.scheduledRun,
          ...(busy > 0 ? { status: 'skipped' as const, finishedAt: now, durationMs: 0, error: 'a scan of this cluster was still queued or running' } : {}),
        },
        include: withTarget,
      });
      return { scan, outcome: busy > 0 ? ('skipped' as const) : ('queued' as const) };
    });
  }

  /** Worker side: a scan with its target, cluster and organization, whatever the organization. */
  async findWithContext(id: string): Promise<(ScanWithTarget & { organization: { id: string; name: string } }) | undefined> {
    const scan = await this.prisma.client.scan.findUnique({ where: { id }, include: { ...withTarget, organization: { select: { id: true, name: true } } } });
    return scan ?? undefined;
  }

  /** Records a failure; a finished scan keeps its outcome. */
  async fail(id: string, message: string, now: Date): Promise<boolean> {
    const scan = await this.prisma.client.scan.findUnique({ where: { id }, select: { startedAt: true } });
    if (!scan) return false;
    const result = await this.prisma.client.scan.updateMany({
      where: { id, status: { in: ['queued', 'running'] } },
      data: {
        status: 'failed',
        error: message.slice(0, 2000),
        finishedAt: now,
        durationMs: scan.startedAt ? Math.max(0, now.getTime() - scan.startedAt.getTime()) : null,
      },
    });
    return result.count > 0;
  }

  async countByStatus(): Promise<Array<{ status: ScanStatus; count: number }>> {
    const groups = await this.prisma.client.scan.groupBy({ by: ['status'], _count: { _all: true } });
    return groups.map((group) => ({ status: group.status, count: group._count._all }));
  }

  async durationTotals(): Promise<Array<{ status: ScanStatus; count: number; sumMs: number }>> {
    const groups = await this.prisma.client.scan.groupBy({
      by: ['status'],
      where: { durationMs: { not: null } },
      _count: { _all: true },
      _sum: { durationMs: true },
    });
    return groups.map((group) => ({ status: group.status, count: group._count._all, sumMs: group._sum.durationMs ?? 0 }));
  }
}
