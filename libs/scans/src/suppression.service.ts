import { Injectable } from '@nestjs/common';
import { RULES } from '#rollsafe/advisor';
import { PrismaService, SuppressionRepository, type Prisma, type Suppression } from '#rollsafe/store';
import { DomainError, notFound } from './errors.js';
import { UUID } from './cursor.js';
import { byScanThenSeq, listPage, newestFirst, type PageArgs } from './paging.js';
import type { HiddenFindingView, ListView, SuppressionView } from './contracts/index.js';
import { toFindingView } from './views.js';
import { answerToKeep } from './idempotency-scope.js';

const RULE_IDS: readonly string[] = RULES.map((rule) => rule.id);

export interface SuppressionInput {
  ruleId?: unknown;
  namespace?: unknown;
  kind?: unknown;
  name?: unknown;
  reason?: unknown;
  expiresAt?: unknown;
}

/** Use case: organization-level suppressions, applied by the next scans. */
@Injectable()
export class SuppressionService {
  constructor(
    private readonly suppressions: SuppressionRepository,
    private readonly prisma: PrismaService,
  ) {}

  async create(organizationId: string, input: SuppressionInput, now = new Date()): Promise<SuppressionView> {
    const ruleId = text('ruleId', input.ruleId, true, /^[a-z0-9-]{1,100}$/);
    if (!RULE_IDS.includes(ruleId as string)) {
      const near = RULE_IDS.find((id) => id.includes(ruleId as string) || (ruleId as string).includes(id));
      throw new DomainError('BAD_INPUT', `ruleId "${ruleId}" is not a Rollsafe rule${near ? ` (did you mean ${near}?)` : ''}; GET /docs/rules lists them`, {
        field: 'ruleId',
      });
    }
    const reason = text('reason', input.reason, true);
    const expiresAt = input.expiresAt === undefined || input.expiresAt === null ? undefined : new Date(String(input.expiresAt));
    if (expiresAt && Number.isNaN(expiresAt.getTime())) {
      throw new DomainError('BAD_INPUT', 'expiresAt must be an ISO 8601 date-time', { field: 'expiresAt' });
    }
    if (expiresAt && expiresAt.getTime() <= now.getTime()) {
      throw new DomainError('BAD_INPUT', `expiresAt ${expiresAt.toISOString()} is in the past: the suppression would hide nothing`, { field: 'expiresAt' });
    }
    const namespace = text('namespace', input.namespace, false);
    const kind = text('kind', input.kind, false);
    const name = text('name', input.name, false);
    const created = await this.suppressions.create(
      organizationId,
      {
        ruleId: ruleId as string,
        reason: reason as string,
        ...(namespace ? { namespace } : {}),
        ...(kind ? { kind } : {}),
        ...(name ? { name } : {}),
        ...(expiresAt ? { expiresAt } : {}),
      },
      answerToKeep(organizationId, toView),
    );
    return toView(created);
  }

  async list(organizationId: string, args: PageArgs): Promise<ListView<SuppressionView>> {
    return listPage(args, {
      defaultLimit: 50,
      keyset: newestFirst('createdAt'),
      page: (limit, after) => this.suppressions.list(organizationId, limit, after),
      view: toView,
    });
  }

  /**
   * What the suppression hid: the findings it matches (its rule; its namespace, kind and name
   * where it sets them) in the last succeeded scan of each of the organization's targets (an
   * upload target or a cluster) that finished before it was created. Those are the findings
   * the target's later scans stopped reporting because of it; what it hid in a target first
   * scanned after it was created is not stored (each scan counts it in summary.suppressed).
   */
  async hidden(organizationId: string, id: string, args: PageArgs): Promise<ListView<HiddenFindingView>> {
    if (!UUID.test(id)) throw notFound('suppression', id);
    const client = this.prisma.client;
    const suppression = await client.suppression.findFirst({ where: { id, organizationId } });
    if (!suppression) throw notFound('suppression', id);
    const lastScans = await client.$queryRaw<Array<{ id: string }>>`
      SELECT DISTINCT ON (target_id) id FROM scans
      WHERE organization_id = ${organizationId}::uuid AND status = 'succeeded' AND finished_at < ${suppression.createdAt}
      ORDER BY target_id, finished_at DESC, id DESC`;
    const scans = await client.scan.findMany({
      where: { id: { in: lastScans.map((scan) => scan.id) } },
      select: { id: true, target: { select: { name: true, cluster: { select: { id: true, name: true } } } } },
    });
    const targets = new Map(scans.map((scan) => [scan.id, scan.target]));
    const where: Prisma.FindingWhereInput = {
      organizationId,
      scanId: { in: [...targets.keys()] },
      ruleId: suppression.ruleId,
      ...(suppression.namespace !== null ? { namespace: suppression.namespace } : {}),
      ...(suppression.kind !== null ? { kind: suppression.kind } : {}),
      ...(suppression.name !== null ? { name: suppression.name } : {}),
    };
    return listPage(args, {
      defaultLimit: 50,
      keyset: byScanThenSeq,
      page: async (limit, after) => {
        const rows = await client.finding.findMany({
          where: after ? { AND: [where, { OR: [{ scanId: { gt: after.scanId } }, { scanId: after.scanId, seq: { gt: after.seq } }] }] } : where,
          orderBy: [{ scanId: 'asc' }, { seq: 'asc' }],
          take: limit + 1,
        });
        return { items: rows.slice(0, limit), hasMore: rows.length > limit };
      },
      countRows: () => client.finding.count({ where }),
      view: (row) => {
        const target = targets.get(row.scanId);
        return {
          ...toFindingView(row),
          scanId: row.scanId,
          target: target?.cluster?.name ?? target?.name ?? '',
          ...(target?.cluster ? { clusterId: target.cluster.id } : {}),
        };
      },
    });
  }

  async delete(organizationId: string, id: string): Promise<void> {
    if (!UUID.test(id) || !(await this.suppressions.delete(organizationId, id))) throw notFound('suppression', id);
  }
}

function text(field: string, value: unknown, required: boolean, pattern?: RegExp): string | undefined {
  if (value === undefined || value === null || value === '') {
    if (required) throw new DomainError('BAD_INPUT', `${field} is required`, { field });
    return undefined;
  }
  if (typeof value !== 'string' || value.length > 500 || (pattern && !pattern.test(value))) {
    throw new DomainError('BAD_INPUT', `${field} is not valid`, { field });
  }
  return value;
}

function toView(s: Suppression): SuppressionView {
  return {
    id: s.id,
    ruleId: s.ruleId,
    ...(s.namespace ? { namespace: s.namespace } : {}),
    ...(s.kind ? { kind: s.kind } : {}),
    ...(s.name ? { name: s.name } : {}),
    reason: s.reason,
    ...(s.expiresAt ? { expiresAt: s.expiresAt.toISOString() } : {}),
    createdAt: s.createdAt.toISOString(),
  };
}
