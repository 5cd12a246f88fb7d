import { Injectable } from '@nestjs/common';
import { PLAN_FOR_VALUES, PrismaService } from './prisma.service.js';
import { newestFirstPage, type Page } from './pagination.js';
import { writeScanResult } from './scan-result.writer.js';
import { writeScanInput } from './scan-input.writer.js';
import { readScanView, type ScanViewRow } from './scan.reader.js';
import { keepAnswer, type AnswerToKeep } from './idempotency.repository.js';
import type { ChangeKind, Finding, Prisma, Scan, ScanStatus, ScanTrigger, Severity, TargetKind, Verdict } from './generated/prisma/client.js';

export interface NewScan {
  organizationId: string;
  target: { kind: TargetKind; name: string };
  trigger: ScanTrigger;
  provider?: string;
  /** The files as they came, or already as their JSON's UTF-8 bytes (encoded off the event loop). */
  files: Array<{ name: string; text: string }> | Uint8Array;
  /** The snapshot parsed from `files` when they were accepted (libs/scans' codec text, or its UTF-8 bytes). */
  snapshot?: string | Uint8Array;
  sizeBytes: number;
  documentCount: number;
}

/** Findings per rule and severity, stored with a scan's result (`scans.rule_counts`). */
export type RuleCounts = Record<string, { critical: number; warning: number; info: number }>;

/** A scan the reconciler looks at: not finished, and older than its grace period. */
export interface UnfinishedScan {
  id: string;
  status: ScanStatus;
  clusterId: string | undefined;
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

/** Something the parser or the advisor could not judge, and where. */
export interface ScanWarning {
  message: string;
  location?: { file: string; line: number };
}

/** A target's finding state as the diff reads it. */
export interface PriorStateRow {
  fingerprint: string;
  status: 'open' | 'resolved';
  lastScanId: string;
}

/** What a scan changes on its target, by fingerprint (libs/scans' FindingDiff). */
export interface StateChanges {
  opened: string[];
  reopened: string[];
  resolved: Array<{ fingerprint: string; lastScanId: string }>;
}

export type DiffStates = (prior: PriorStateRow[], reported: string[]) => StateChanges;

/** A Service's verdict as the verdict diff reads it. */
export interface VerdictKey {
  namespace: string;
  name: string;
  verdict: Verdict;
  droppedTrafficSeconds: number;
}

/** A Service whose verdict changed: what it is now ('gone' when the scan no longer has it). */
export interface ServiceChange {
  namespace: string;
  name: string;
  verdict: Verdict | 'gone';
  droppedTrafficSeconds: number;
}

/** Which Services started or stopped dropping traffic since the target's previous scan. */
export interface VerdictChanges {
  startedDropping: ServiceChange[];
  stoppedDropping: ServiceChange[];
}

export type DiffVerdicts = (previous: VerdictKey[] | undefined, current: VerdictKey[]) => VerdictChanges;

/** One Service's verdict as a scan stores it. */
export interface VerdictRow extends VerdictKey {
  /** libs/simulator's ServiceVerdict, whole. */
  data: Prisma.InputJsonObject;
  timelineSvg?: string;
}

export interface ScanOutcome {
  findings: FindingRow[];
  suppressed: number;
  notEvaluated: string[];
  warnings: ScanWarning[];
  /** Per-Service verdicts, in namespace/name order. */
  verdicts?: VerdictRow[];
  documentCount: number;
  /** The provider the rules ran for, when the scan learnt it (a cluster's nodes). */
  provider?: string;
}

export interface StartedScan {
  /** What a run reads of the scan row. */
  scan: Pick<Scan, 'id' | 'organizationId' | 'provider' | 'documentCount'>;
  /** Set for a scan of a registered cluster. */
  clusterId?: string;
  /** The uploaded files, read only when asked: a kept snapshot makes them unneeded (they are megabytes). */
  loadFiles(): Promise<Array<{ name: string; text: string }>>;
  /** The snapshot the API parsed from the files (libs/scans' codec text), when it kept one. */
  snapshot?: string;
  suppressions: Array<{ ruleId: string; namespace: string | null; kind: string | null; name: string | null }>;
  /** The organization's provider profile values (stored JSON), when it set some. */
  profileOverrides?: unknown;
}

const utf8 = new TextEncoder();

const withTarget = { target: { select: { name: true, kind: true, cluster: { select: { id: true, name: true } } } } } as const;

@Injectable()
export class ScanRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * The scan row, its target (created on first use), its input and the answer to keep for the
   * request (made from the scan as the API shows it) in one transaction, written through plain
   * node-postgres: the input is megabytes (see PrismaService.bulk).
   */
  async createQueued(input: NewScan, answer?: AnswerToKeep<ScanViewRow>): Promise<ScanWithTarget> {
    const client = await this.prisma.bulk.connect();
    let scanId: string;
    try {
      await client.query('BEGIN');
      const target = await client.query<{ id: string }>(
        `INSERT INTO targets (id, organization_id, kind, name) VALUES (gen_random_uuid(), $1, $2::"TargetKind", $3)
         ON CONFLICT (organization_id, kind, name) DO UPDATE SET name = EXCLUDED.name RETURNING id`,
        [input.organizationId, input.target.kind, input.target.name],
      );
      const scan = await client.query<{ id: string }>(
        `INSERT INTO scans (id, organization_id, target_id, trigger, provider, document_count)
         VALUES (gen_random_uuid(), $1, $2, $3::"ScanTrigger", $4, $5) RETURNING id`,
        [input.organizationId, target.rows[0]?.id, input.trigger, input.provider ?? null, input.documentCount],
      );
      scanId = scan.rows[0]?.id ?? '';
      await writeScanInput(client, {
        scanId,
        files: input.files instanceof Uint8Array ? input.files : utf8.encode(JSON.stringify(input.files)),
        sizeBytes: input.sizeBytes,
        snapshot: typeof input.snapshot === 'string' ? utf8.encode(input.snapshot) : (input.snapshot ?? null),
      });
      if (answer) await keepAnswer(client, answer, await readScanView(client, input.organizationId, scanId));
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    const created = await this.findForOrganization(input.organizationId, scanId);
    if (!created) throw new Error(`scan ${scanId} vanished after it was written`);
    return created;
  }

  /**
   * Queues a scan of an existing target of the organization (with the answer to keep for the
   * request, in one transaction); undefined when it has none by that id.
   */
  async createQueuedForTarget(input: NewTargetScan, answer?: AnswerToKeep<ScanWithTarget>): Promise<ScanWithTarget | undefined> {
    const target = await this.prisma.client.target.findFirst({ where: { id: input.targetId, organizationId: input.organizationId }, select: { id: true } });
    if (!target) return undefined;
    return this.prisma.client.$transaction(async (tx) => {
      const scan = await tx.scan.create({
        data: {
          organizationId: input.organizationId,
          targetId: target.id,
          trigger: input.trigger,
          provider: input.provider ?? null,
        },
        include: withTarget,
      });
      await keepAnswer(tx, answer, scan);
      return scan;
    });
  }

  /**
   * Scans still queued or running that were created (queued) or started (running) before
   * `before`: what the reconciler checks against the queue. Oldest first, at most `limit`.
   */
  async unfinishedBefore(before: Date, limit: number): Promise<UnfinishedScan[]> {
    const rows = await this.prisma.client.scan.findMany({
      where: {
        OR: [
          { status: 'queued', createdAt: { lt: before } },
          { status: 'running', startedAt: { lt: before } },
        ],
      },
      orderBy: { createdAt: 'asc' },
      take: limit,
      select: { id: true, status: true, target: { select: { cluster: { select: { id: true } } } } },
    });
    return rows.map((row) => ({ id: row.id, status: row.status, clusterId: row.target.cluster?.id }));
  }

  /** Scans that succeeded since `since` (the reconciler re-offers their notifications). */
  async succeededSince(since: Date, limit: number): Promise<string[]> {
    const rows = await this.prisma.client.scan.findMany({
      where: { status: 'succeeded', finishedAt: { gte: since } },
      orderBy: { finishedAt: 'asc' },
      take: limit,
      select: { id: true },
    });
    return rows.map((row) => row.id);
  }

  /**
   * Upload retention: deletes the uploaded manifests (and the snapshot parsed from them) of
   * scans that finished before `before`. The scan, its findings and its summary stay.
   */
  async deleteInputsFinishedBefore(before: Date): Promise<number> {
    const result = await this.prisma.client.scanInput.deleteMany({
      where: { scan: { status: { in: ['succeeded', 'failed', 'skipped'] }, finishedAt: { lt: before } } },
    });
    return result.count;
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
      include: { target: { select: { cluster: { select: { id: true } } } } },
    });
    if (!scan || scan.status === 'succeeded' || scan.status === 'failed' || scan.status === 'skipped') return undefined;
    // Conditional: a concurrent run (a stalled job rerun while its first worker still ran) may
    // have finished the scan since it was read; an unconditional update would set it running
    // again, and a later failure would then overwrite its result.
    const claimed = await this.prisma.client.scan.updateMany({
      where: { id, status: { in: ['queued', 'running'] } },
      data: { status: 'running', startedAt: scan.startedAt ?? now, attempts: { increment: 1 } },
    });
    if (claimed.count === 0) return undefined;
    const updated = await this.prisma.client.scan.findUniqueOrThrow({ where: { id } });
    const suppressions = await this.prisma.client.suppression.findMany({
      where: { organizationId: scan.organizationId, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
      select: { ruleId: true, namespace: true, kind: true, name: true },
    });
    const profile = await this.prisma.client.providerProfileSetting.findUnique({ where: { organizationId: scan.organizationId }, select: { overrides: true } });
    const clusterId = scan.target.cluster?.id;
    const snapshot = clusterId ? undefined : await this.inputSnapshot(id);
    return {
      scan: updated,
      loadFiles: () => this.inputFiles(id),
      suppressions,
      ...(clusterId ? { clusterId } : {}),
      ...(snapshot ? { snapshot } : {}),
      ...(profile ? { profileOverrides: profile.overrides } : {}),
    };
  }

  /**
   * An upload's kept snapshot, through plain node-postgres: it is megabytes, which the Prisma
   * client turns into seconds of the worker's time.
   */
  private async inputSnapshot(scanId: string): Promise<string | undefined> {
    const { rows } = await this.prisma.bulk.query<{ snapshot: string | null }>('SELECT snapshot FROM scan_inputs WHERE scan_id = $1', [scanId]);
    return rows[0]?.snapshot ?? undefined;
  }

  /** An upload's files as they came (empty for a scan without uploaded input). */
  private async inputFiles(scanId: string): Promise<Array<{ name: string; text: string }>> {
    const { rows } = await this.prisma.bulk.query<{ files: unknown }>('SELECT files FROM scan_inputs WHERE scan_id = $1', [scanId]);
    const files = rows[0]?.files;
    if (!Array.isArray(files)) return [];
    return files.flatMap((file: { name?: unknown; text?: unknown } | null) =>
      file && typeof file.name === 'string' && typeof file.text === 'string' ? [{ name: file.name, text: file.text }] : [],
    );
  }

  /**
   * Writes a scan's findings, its summary, the target's finding states and the scan's change
   * set in one transaction. Only a running scan completes: a second completion of the same
   * scan (a rerun job, a stalled worker waking up) writes nothing and returns false.
   * `diff` (libs/scans' pure diff) decides what changed; this only reads and persists.
   */
  async complete(id: string, outcome: ScanOutcome, now: Date, diff: DiffStates, diffVerdicts?: DiffVerdicts): Promise<boolean> {
    const client = await this.prisma.bulk.connect();
    let broken: Error | undefined;
    try {
      await client.query(`BEGIN; ${PLAN_FOR_VALUES}`);
      const written = await writeScanResult(client, id, outcome, now, diff, diffVerdicts);
      await client.query(written ? 'COMMIT' : 'ROLLBACK');
      return written;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw error;
    } finally {
      // A connection that could not even roll back is dropped rather than handed back.
      client.release(broken);
    }
  }

  /** What a scan changed: the findings it opened or reopened, and the ones it resolved (as last reported), in the advisor's order. */
  async changesOf(scanId: string): Promise<{ opened: Finding[]; reopened: Finding[]; resolved: Finding[] }> {
    const changes = await this.prisma.client.scanChange.findMany({ where: { scanId }, include: { finding: true } });
    const bySeq = (a: { finding: Finding }, b: { finding: Finding }) => a.finding.seq - b.finding.seq;
    const of = (change: ChangeKind) =>
      changes
        .filter((c) => c.change === change)
        .sort(bySeq)
        .map((c) => c.finding);
    return { opened: of('opened'), reopened: of('reopened'), resolved: of('resolved') };
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
