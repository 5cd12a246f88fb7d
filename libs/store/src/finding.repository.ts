import { Injectable } from '@nestjs/common';
import { PrismaService } from './prisma.service.js';
import { toPage, type Page } from './pagination.js';
import type { Finding, FindingState, FindingStatus, Prisma, Severity } from './generated/prisma/client.js';

export interface FindingFilter {
  severity?: Severity;
  ruleId?: string;
}

export interface ListFindingsQuery extends FindingFilter {
  limit: number;
  /** The `seq` of the last finding of the previous page. */
  afterSeq?: number;
}

export interface StateFilter {
  /** Undefined: open and resolved. */
  status?: FindingStatus;
  severity?: Severity;
  ruleId?: string;
}

export interface StateCursor {
  severity: Severity;
  firstSeenAt: Date;
  id: string;
}

/** Postgres sorts the enum in declaration order. */
const SEVERITY_ORDER: Severity[] = ['critical', 'warning', 'info'];

export interface ListStatesQuery extends StateFilter {
  limit: number;
  /** The last state of the previous page. */
  after?: StateCursor;
}

/** A finding state with the finding as the scan that last saw it reported it. */
export interface StateWithFinding {
  state: FindingState;
  finding: Finding | undefined;
}

@Injectable()
export class FindingRepository {
  constructor(private readonly prisma: PrismaService) {}

  async listForScan(organizationId: string, scanId: string, query: ListFindingsQuery): Promise<Page<Finding>> {
    const rows = await this.prisma.client.finding.findMany({
      where: { ...this.where(organizationId, scanId, query), ...(query.afterSeq !== undefined ? { seq: { gt: query.afterSeq } } : {}) },
      orderBy: { seq: 'asc' },
      take: query.limit + 1,
    });
    return toPage(rows, query.limit);
  }

  /** Every finding of a scan, in the advisor's order (what the fixes of its upload are planned from). */
  async allForScan(organizationId: string, scanId: string): Promise<Finding[]> {
    return this.prisma.client.finding.findMany({ where: { organizationId, scanId }, orderBy: { seq: 'asc' } });
  }

  async countForScan(organizationId: string, scanId: string, filter: FindingFilter): Promise<number> {
    return this.prisma.client.finding.count({ where: this.where(organizationId, scanId, filter) });
  }

  async openStatesBySeverity(): Promise<Array<{ severity: Severity; count: number }>> {
    const groups = await this.prisma.client.findingState.groupBy({ by: ['severity'], where: { status: 'open' }, _count: { _all: true } });
    return groups.map((group) => ({ severity: group.severity, count: group._count._all }));
  }

  async statesForTarget(
    organizationId: string,
    targetId: string,
  ): Promise<Array<{ fingerprint: string; status: string; firstSeenAt: Date; lastSeenAt: Date; resolvedAt: Date | null }>> {
    return this.prisma.client.findingState.findMany({
      where: { organizationId, targetId },
      select: { fingerprint: true, status: true, firstSeenAt: true, lastSeenAt: true, resolvedAt: true },
      orderBy: { fingerprint: 'asc' },
    });
  }

  /**
   * A target's finding states, most severe first, then newest (by firstSeenAt), each with the
   * finding as the scan that last saw it reported it.
   */
  async listStates(organizationId: string, targetId: string, query: ListStatesQuery): Promise<Page<StateWithFinding>> {
    const where: Prisma.FindingStateWhereInput = this.stateWhere(organizationId, targetId, query);
    if (query.after) {
      const { severity, firstSeenAt, id } = query.after;
      where.AND = [
        {
          OR: [
            { severity: { in: SEVERITY_ORDER.slice(SEVERITY_ORDER.indexOf(severity) + 1) } },
            { severity, firstSeenAt: { lt: firstSeenAt } },
            { severity, firstSeenAt, id: { lt: id } },
          ],
        },
      ];
    }
    const rows = await this.prisma.client.findingState.findMany({
      where,
      orderBy: [{ severity: 'asc' }, { firstSeenAt: 'desc' }, { id: 'desc' }],
      take: query.limit + 1,
    });
    const page = toPage(rows, query.limit);
    const findings = page.items.length
      ? await this.prisma.client.finding.findMany({
          where: { organizationId, OR: page.items.map((state) => ({ scanId: state.lastScanId, fingerprint: state.fingerprint })) },
          orderBy: { seq: 'asc' },
        })
      : [];
    const byKey = new Map<string, Finding>();
    for (const finding of findings) {
      const key = `${finding.scanId}/${finding.fingerprint}`;
      if (!byKey.has(key)) byKey.set(key, finding);
    }
    return { items: page.items.map((state) => ({ state, finding: byKey.get(`${state.lastScanId}/${state.fingerprint}`) })), hasMore: page.hasMore };
  }

  async countStates(organizationId: string, targetId: string, filter: StateFilter): Promise<number> {
    return this.prisma.client.findingState.count({ where: this.stateWhere(organizationId, targetId, filter) });
  }

  private stateWhere(organizationId: string, targetId: string, filter: StateFilter): Prisma.FindingStateWhereInput {
    return {
      organizationId,
      targetId,
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.severity ? { severity: filter.severity } : {}),
      ...(filter.ruleId ? { ruleId: filter.ruleId } : {}),
    };
  }

  private where(organizationId: string, scanId: string, filter: FindingFilter): Prisma.FindingWhereInput {
    return {
      organizationId,
      scanId,
      ...(filter.severity ? { severity: filter.severity } : {}),
      ...(filter.ruleId ? { ruleId: filter.ruleId } : {}),
    };
  }
}
