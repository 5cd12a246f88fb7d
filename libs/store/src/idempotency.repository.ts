import { Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PrismaService } from './prisma.service.js';
import type { Prisma } from './generated/prisma/client.js';

/** A key as stored: pending while `responseStatus` is null. */
export interface IdempotencyRecord {
  requestHash: string;
  responseStatus: number | null;
  responseBody: string | null;
  claimedAt: Date;
}

export interface IdempotencyClaim {
  organizationId: string;
  key: string;
  requestHash: string;
  expiresAt: Date;
  /** A pending claim older than this was left by a process that died: it may be taken over. */
  abandonedBefore: Date;
}

/**
 * The answer of a request under a claimed key, made from the row its write created: kept in
 * the write's own transaction, so a crash after the commit cannot leave the work done and
 * the key pending (whose takeover would do the work again).
 */
export interface AnswerToKeep<Row> {
  organizationId: string;
  key: string;
  status: number;
  /** The answer's JSON text. */
  body(row: Row): string;
}

const KEEP_ANSWER = 'UPDATE idempotency_keys SET response_status = $3, response_body = $4 WHERE organization_id = $1 AND key = $2 AND response_status IS NULL';

/** Keeps the answer in the key's row, in the caller's transaction (Prisma's or node-postgres'). */
export async function keepAnswer<Row>(tx: Prisma.TransactionClient | pg.ClientBase, answer: AnswerToKeep<Row> | undefined, row: Row): Promise<void> {
  if (!answer) return;
  const { organizationId, key, status } = answer;
  const body = answer.body(row);
  if ('query' in tx) {
    await tx.query(KEEP_ANSWER, [organizationId, key, status, body]);
  } else {
    await tx.idempotencyKey.updateMany({ where: { organizationId, key, responseStatus: null }, data: { responseStatus: status, responseBody: body } });
  }
}

/** The `Idempotency-Key`s of an organization's requests (`idempotency_keys`). */
@Injectable()
export class IdempotencyRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Claims the key for a request: true when this request is to do the work (the key is new,
   * expired, or an abandoned claim of the same request). The primary key decides between
   * requests in flight at once: exactly one claims it.
   */
  async claim(claim: IdempotencyClaim): Promise<boolean> {
    const rows = await this.prisma.client.$queryRaw<Array<{ key: string }>>`
      INSERT INTO idempotency_keys (organization_id, key, request_hash, expires_at)
      VALUES (${claim.organizationId}::uuid, ${claim.key}, ${claim.requestHash}, ${claim.expiresAt})
      ON CONFLICT (organization_id, key) DO UPDATE
        SET request_hash = EXCLUDED.request_hash, claimed_at = now(), expires_at = EXCLUDED.expires_at,
            response_status = NULL, response_body = NULL
        WHERE idempotency_keys.expires_at <= now()
           OR (idempotency_keys.response_status IS NULL
               AND idempotency_keys.claimed_at < ${claim.abandonedBefore}
               AND idempotency_keys.request_hash = EXCLUDED.request_hash)
      RETURNING key`;
    return rows.length === 1;
  }

  async find(organizationId: string, key: string): Promise<IdempotencyRecord | undefined> {
    const row = await this.prisma.client.idempotencyKey.findUnique({
      where: { organizationId_key: { organizationId, key } },
      select: { requestHash: true, responseStatus: true, responseBody: true, claimedAt: true },
    });
    return row ?? undefined;
  }

  /** Keeps the answer of the request that claimed the key. */
  async complete(organizationId: string, key: string, responseStatus: number, responseBody: string): Promise<void> {
    await this.prisma.client.idempotencyKey.updateMany({ where: { organizationId, key, responseStatus: null }, data: { responseStatus, responseBody } });
  }

  /** Replaces the kept answer (one that a write kept differs from what its request answered). */
  async replace(organizationId: string, key: string, responseStatus: number, responseBody: string): Promise<void> {
    await this.prisma.client.idempotencyKey.updateMany({ where: { organizationId, key }, data: { responseStatus, responseBody } });
  }

  /** Gives a pending claim up (its request failed): a retry with the key runs again. */
  async release(organizationId: string, key: string): Promise<void> {
    await this.prisma.client.idempotencyKey.deleteMany({ where: { organizationId, key, responseStatus: null } });
  }

  /** Deletes keys past their retention; returns how many. */
  async deleteExpired(now: Date): Promise<number> {
    return (await this.prisma.client.idempotencyKey.deleteMany({ where: { expiresAt: { lte: now } } })).count;
  }
}
