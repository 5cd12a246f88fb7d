import { Injectable } from '@nestjs/common';
import { PrismaService } from './prisma.service.js';
import { toPage, type Page } from './pagination.js';
import type { Finding, Prisma, Severity } from './generated/prisma/client.js';

export interface FindingFilter {
  severity?: Severity;
  ruleId?: string;
}

export interface ListFindingsQuery extends FindingFilter {
  limit: number;
  /** The `seq` of the last finding of the previous page. */
  afterSeq?: number;
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

  async countForScan(organizationId: string, scanId: string, filter: FindingFilter): Promise<number> {
    return this.prisma.client.finding.count({ where: this.where(organizationId, scanId, filter) });
  }

  async openStatesBySeverity(): Promise<Array<{ severity: Severity; count: number }>> {
    const groups = await this.prisma.client.findingState.groupBy({ by: ['severity'], where: { status: 'open' }, _count: { _all: true } });
    return groups.map((group) => ({ severity: group.severity, count: group._count._all }));
  }

  async statesForTarget(organizationId: string, targetId: string): Promise<Array<{ fingerprint: string; status: string; firstSeenAt: Date; lastSeenAt: Date; resolvedAt: Date | null }>> {
    return this.prisma.client.findingState.findMany({
      where: { organizationId, targetId },
      select: { fingerprint: true, status: true, firstSeenAt: true, lastSeenAt: true, resolvedAt: true },
      orderBy: { fingerprint: 'asc' },
    });
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
