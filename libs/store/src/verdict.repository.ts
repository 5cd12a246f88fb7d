import { Injectable } from '@nestjs/common';
import { PrismaService } from './prisma.service.js';
import { toPage, type Page } from './pagination.js';
import type { ServiceVerdict, Verdict } from './generated/prisma/client.js';

export interface ListVerdictsQuery {
  verdict?: Verdict;
  limit: number;
  /** The `seq` of the last verdict of the previous page. */
  afterSeq?: number;
}

/** The per-Service verdicts scans stored. */
@Injectable()
export class VerdictRepository {
  constructor(private readonly prisma: PrismaService) {}

  async listForScan(organizationId: string, scanId: string, query: ListVerdictsQuery): Promise<Page<ServiceVerdict>> {
    const rows = await this.prisma.client.serviceVerdict.findMany({
      where: {
        organizationId,
        scanId,
        ...(query.verdict ? { verdict: query.verdict } : {}),
        ...(query.afterSeq !== undefined ? { seq: { gt: query.afterSeq } } : {}),
      },
      orderBy: { seq: 'asc' },
      take: query.limit + 1,
    });
    return toPage(rows, query.limit);
  }

  async find(organizationId: string, scanId: string, namespace: string, name: string): Promise<ServiceVerdict | undefined> {
    const row = await this.prisma.client.serviceVerdict.findFirst({ where: { organizationId, scanId, namespace, name } });
    return row ?? undefined;
  }

  /** The newest succeeded scan of a target: the one a cluster's verdicts are read from. */
  async latestScanOfTarget(organizationId: string, targetId: string): Promise<string | undefined> {
    const scan = await this.prisma.client.scan.findFirst({
      where: { organizationId, targetId, status: 'succeeded' },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      select: { id: true },
    });
    return scan?.id;
  }

  /** The snapshot an upload scan kept (libs/scans' codec text): timelines are drawn from it on request. */
  async keptSnapshot(organizationId: string, scanId: string): Promise<string | undefined> {
    const input = await this.prisma.client.scanInput.findFirst({ where: { scanId, scan: { organizationId } }, select: { snapshot: true } });
    return input?.snapshot ?? undefined;
  }
}
