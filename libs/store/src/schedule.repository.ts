import { Injectable } from '@nestjs/common';
import { PrismaService } from './prisma.service.js';

/** When a cluster is scanned by itself: exactly one of `cron` and `everySeconds`. */
export interface ScheduleRow {
  id: string;
  organizationId: string;
  clusterId: string;
  cron: string | null;
  timezone: string | null;
  everySeconds: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ScheduleSpec {
  cron: string | null;
  timezone: string | null;
  everySeconds: number | null;
}

/** Cluster schedules: the source of truth the queue's job schedulers follow. */
@Injectable()
export class ScheduleRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Creates or replaces the cluster's schedule; undefined when the organization has no such cluster. */
  async upsert(organizationId: string, clusterId: string, spec: ScheduleSpec): Promise<ScheduleRow | undefined> {
    const cluster = await this.prisma.client.cluster.findFirst({ where: { id: clusterId, organizationId }, select: { id: true } });
    if (!cluster) return undefined;
    return this.prisma.client.schedule.upsert({
      where: { clusterId },
      create: { organizationId, clusterId, ...spec },
      update: { ...spec },
    });
  }

  async findForCluster(organizationId: string, clusterId: string): Promise<ScheduleRow | undefined> {
    return (await this.prisma.client.schedule.findFirst({ where: { clusterId, organizationId } })) ?? undefined;
  }

  /** Worker side: the schedule behind a scheduler (keyed by cluster id), whatever its organization. */
  async findByClusterId(clusterId: string): Promise<ScheduleRow | undefined> {
    return (await this.prisma.client.schedule.findUnique({ where: { clusterId } })) ?? undefined;
  }

  async delete(organizationId: string, clusterId: string): Promise<boolean> {
    const result = await this.prisma.client.schedule.deleteMany({ where: { clusterId, organizationId } });
    return result.count > 0;
  }

  /** Every schedule, for the worker's start-up reconciliation (ordered, bounded per page). */
  async page(limit: number, afterClusterId?: string): Promise<ScheduleRow[]> {
    return this.prisma.client.schedule.findMany({
      where: afterClusterId ? { clusterId: { gt: afterClusterId } } : {},
      orderBy: { clusterId: 'asc' },
      take: limit,
    });
  }
}
