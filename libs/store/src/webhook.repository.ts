import { Injectable } from '@nestjs/common';
import { PrismaService } from './prisma.service.js';
import { newestFirstPage, type Page } from './pagination.js';
import { keepAnswer, type AnswerToKeep } from './idempotency.repository.js';
import type { DeliveryResult, Prisma, Severity, WebhookKind } from './generated/prisma/client.js';

/** A webhook as every read returns it: never with its sealed URL and secret. */
export interface WebhookRow {
  id: string;
  organizationId: string;
  kind: WebhookKind;
  urlDisplay: string;
  hasSecret: boolean;
  minSeverity: Severity;
  clusterIds: string[];
  createdAt: Date;
  updatedAt: Date;
}

/** The URL and secret, encrypted together, and the id of the key that sealed them. */
export interface SealedWebhook {
  ciphertext: Uint8Array;
  keyId: string;
}

export interface NewWebhook {
  /** Chosen by the caller: it is bound into the ciphertext as associated data. */
  id: string;
  organizationId: string;
  kind: WebhookKind;
  urlDisplay: string;
  hasSecret: boolean;
  sealed: SealedWebhook;
  minSeverity: Severity;
  clusterIds: string[];
}

export interface WebhookPatch {
  kind?: WebhookKind;
  minSeverity?: Severity;
  clusterIds?: string[];
  /** A new URL and/or secret: sealed again together. */
  target?: { urlDisplay: string; hasSecret: boolean; sealed: SealedWebhook };
}

export interface NewDelivery {
  organizationId: string;
  webhookId: string;
  scanId: string | null;
  event: 'scan.changes' | 'test';
  attempt: number;
  result: DeliveryResult;
  httpStatus?: number;
  code?: string;
  error?: string;
  durationMs: number;
  at: Date;
}

export interface DeliveryRow {
  id: string;
  webhookId: string;
  scanId: string | null;
  event: string;
  attempt: number;
  result: DeliveryResult;
  httpStatus: number | null;
  code: string | null;
  error: string | null;
  durationMs: number;
  at: Date;
}

const publicFields = {
  id: true,
  organizationId: true,
  kind: true,
  urlDisplay: true,
  hasSecret: true,
  minSeverity: true,
  clusterIds: true,
  createdAt: true,
  updatedAt: true,
} as const satisfies Prisma.WebhookSelect;

const deliveryFields = {
  id: true,
  webhookId: true,
  scanId: true,
  event: true,
  attempt: true,
  result: true,
  httpStatus: true,
  code: true,
  error: true,
  durationMs: true,
  at: true,
} as const satisfies Prisma.WebhookDeliverySelect;

/** Webhooks and their delivery log, scoped by organization. Reads never select the sealed URL. */
@Injectable()
export class WebhookRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Creates the webhook and keeps the request's answer with it. */
  async create(input: NewWebhook, answer?: AnswerToKeep<WebhookRow>): Promise<WebhookRow> {
    return this.prisma.client.$transaction(async (tx) => {
      const webhook = await tx.webhook.create({
        data: {
          id: input.id,
          organizationId: input.organizationId,
          kind: input.kind,
          urlDisplay: input.urlDisplay,
          hasSecret: input.hasSecret,
          sealed: Uint8Array.from(input.sealed.ciphertext),
          sealedKeyId: input.sealed.keyId,
          minSeverity: input.minSeverity,
          clusterIds: input.clusterIds,
        },
        select: publicFields,
      });
      await keepAnswer(tx, answer, webhook);
      return webhook;
    });
  }

  async findForOrganization(organizationId: string, id: string): Promise<WebhookRow | undefined> {
    return (await this.prisma.client.webhook.findFirst({ where: { id, organizationId }, select: publicFields })) ?? undefined;
  }

  async listForOrganization(organizationId: string, limit: number, after?: { createdAt: Date; id: string }): Promise<Page<WebhookRow>> {
    return newestFirstPage('createdAt', limit, after, ({ after: older, ...page }) =>
      this.prisma.client.webhook.findMany({ where: { organizationId, ...older }, ...page, select: publicFields }),
    );
  }

  async countForOrganization(organizationId: string): Promise<number> {
    return this.prisma.client.webhook.count({ where: { organizationId } });
  }

  /** Undefined when the organization has no webhook by that id. */
  async update(organizationId: string, id: string, patch: WebhookPatch): Promise<WebhookRow | undefined> {
    const result = await this.prisma.client.webhook.updateMany({
      where: { id, organizationId },
      data: {
        ...(patch.kind !== undefined ? { kind: patch.kind } : {}),
        ...(patch.minSeverity !== undefined ? { minSeverity: patch.minSeverity } : {}),
        ...(patch.clusterIds !== undefined ? { clusterIds: patch.clusterIds } : {}),
        ...(patch.target
          ? {
              urlDisplay: patch.target.urlDisplay,
              hasSecret: patch.target.hasSecret,
              sealed: Uint8Array.from(patch.target.sealed.ciphertext),
              sealedKeyId: patch.target.sealed.keyId,
            }
          : {}),
      },
    });
    if (result.count === 0) return undefined;
    return this.findForOrganization(organizationId, id);
  }

  /** Deletes the webhook and its delivery log. */
  async delete(organizationId: string, id: string): Promise<boolean> {
    const result = await this.prisma.client.webhook.deleteMany({ where: { id, organizationId } });
    return result.count > 0;
  }

  /** The sealed URL and secret (a delivery opens them just before it sends). */
  async sealed(id: string): Promise<(SealedWebhook & { webhook: WebhookRow }) | undefined> {
    const row = await this.prisma.client.webhook.findUnique({ where: { id }, select: { ...publicFields, sealed: true, sealedKeyId: true } });
    if (!row) return undefined;
    const { sealed, sealedKeyId, ...webhook } = row;
    return { ciphertext: sealed, keyId: sealedKeyId, webhook };
  }

  /** Re-seals under a new key, unless the webhook changed meanwhile (compare-and-set on the key id). */
  async reseal(id: string, previousKeyId: string, sealed: SealedWebhook): Promise<boolean> {
    const result = await this.prisma.client.webhook.updateMany({
      where: { id, sealedKeyId: previousKeyId },
      data: { sealed: Uint8Array.from(sealed.ciphertext), sealedKeyId: sealed.keyId },
    });
    return result.count > 0;
  }

  /** Ids of the organization's webhooks that hear about a scan of this cluster (or of uploads: clusterId undefined). */
  async matching(organizationId: string, clusterId: string | undefined): Promise<string[]> {
    const rows = await this.prisma.client.webhook.findMany({
      where: {
        organizationId,
        OR: [{ clusterIds: { isEmpty: true } }, ...(clusterId ? [{ clusterIds: { has: clusterId } }] : [])],
      },
      select: { id: true },
      orderBy: { id: 'asc' },
    });
    return rows.map((row) => row.id);
  }

  /**
   * Whether a scan's changes reached a webhook for good: delivered, or given up on. A rerun
   * job (a worker killed after sending, Redis restarted empty) checks it before sending again.
   */
  async deliveryFinished(webhookId: string, scanId: string): Promise<boolean> {
    const row = await this.prisma.client.webhookDelivery.findFirst({
      where: { webhookId, scanId, result: { in: ['delivered', 'gave_up'] } },
      select: { id: true },
    });
    return row !== null;
  }

  /** Stores one attempt; the same attempt recorded again (a rerun job) replaces it. */
  async recordDelivery(input: NewDelivery): Promise<DeliveryRow> {
    const data = {
      result: input.result,
      httpStatus: input.httpStatus ?? null,
      code: input.code ?? null,
      error: input.error?.slice(0, 1000) ?? null,
      durationMs: input.durationMs,
      at: input.at,
    };
    if (input.scanId === null) {
      return this.prisma.client.webhookDelivery.create({
        data: { organizationId: input.organizationId, webhookId: input.webhookId, scanId: null, event: input.event, attempt: input.attempt, ...data },
        select: deliveryFields,
      });
    }
    return this.prisma.client.webhookDelivery.upsert({
      where: { webhookId_scanId_attempt: { webhookId: input.webhookId, scanId: input.scanId, attempt: input.attempt } },
      create: { organizationId: input.organizationId, webhookId: input.webhookId, scanId: input.scanId, event: input.event, attempt: input.attempt, ...data },
      update: data,
      select: deliveryFields,
    });
  }

  /** A webhook's attempts, newest first. */
  async listDeliveries(organizationId: string, webhookId: string, limit: number, after?: { at: Date; id: string }): Promise<Page<DeliveryRow>> {
    return newestFirstPage('at', limit, after, ({ after: older, ...page }) =>
      this.prisma.client.webhookDelivery.findMany({ where: { organizationId, webhookId, ...older }, ...page, select: deliveryFields }),
    );
  }

  async countDeliveries(organizationId: string, webhookId: string): Promise<number> {
    return this.prisma.client.webhookDelivery.count({ where: { organizationId, webhookId } });
  }
}
