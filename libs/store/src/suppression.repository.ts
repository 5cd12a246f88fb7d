import { Injectable } from '@nestjs/common';
import { PrismaService } from './prisma.service.js';
import { newestFirstPage, type Page } from './pagination.js';
import { keepAnswer, type AnswerToKeep } from './idempotency.repository.js';
import type { Suppression } from './generated/prisma/client.js';

export interface NewSuppression {
  ruleId: string;
  namespace?: string;
  kind?: string;
  name?: string;
  reason: string;
  expiresAt?: Date;
}

@Injectable()
export class SuppressionRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Creates the suppression and keeps the request's answer with it. */
  async create(organizationId: string, input: NewSuppression, answer?: AnswerToKeep<Suppression>): Promise<Suppression> {
    return this.prisma.client.$transaction(async (tx) => {
      const suppression = await tx.suppression.create({ data: { organizationId, ...input } });
      await keepAnswer(tx, answer, suppression);
      return suppression;
    });
  }

  async list(organizationId: string, limit: number, after?: { createdAt: Date; id: string }): Promise<Page<Suppression>> {
    return newestFirstPage('createdAt', limit, after, ({ after: older, ...page }) =>
      this.prisma.client.suppression.findMany({ where: { organizationId, ...older }, ...page }),
    );
  }

  /** Deletes one of the organization's suppressions; false when it has none by that id. */
  async delete(organizationId: string, id: string): Promise<boolean> {
    const result = await this.prisma.client.suppression.deleteMany({ where: { id, organizationId } });
    return result.count > 0;
  }
}
