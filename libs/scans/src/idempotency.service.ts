// Idempotency-Key for every request that creates or changes something, whatever the
// transport: the first request with a key claims it (a row per organization and key), does the
// work and keeps its answer; the same request sent again gets that answer; another request with
// the key is refused. Claiming is one INSERT, so of two requests in flight at once one does the
// work and the other waits for its answer. A use case that creates something keeps the answer
// in the transaction of its write (idempotency-scope.ts); for the rest it is kept after the work.
import { createHash, type Hash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { IdempotencyRepository } from '#rollsafe/store';
import { DomainError } from './errors.js';
import { IdempotencyScope, type AnswerShape } from './idempotency-scope.js';

/** How long a key and its answer are kept (then purged by the worker's reconciler). */
export const IDEMPOTENCY_RETENTION_MS = 24 * 3600_000;
/** How long a duplicate waits for the answer of the request in flight before a 409. */
export const IDEMPOTENCY_WAIT_MS = 10_000;
/** A claim still pending after this was left by a process that died: the same request may take it over. */
export const IDEMPOTENCY_ABANDONED_MS = 5 * 60_000;
const POLL_MS = 50;

/** Where the key was sent: the REST header or GraphQL's (same name) on the request. */
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

export interface KeyedRequest {
  organizationId: string;
  key: string;
  /** What the request does (method and path, or the mutation) and with what: see requestHashOf. */
  requestHash: string;
  /**
   * How the request answers a use case's result: given, the use case's write keeps the answer
   * in its own transaction (see idempotency-scope.ts).
   */
  answer?: AnswerShape;
}

/** An answer as kept: its status and its JSON text. */
export interface KeptAnswer {
  status: number;
  body: string;
}

/** The key as the client sent it: 1-255 visible ASCII characters; undefined when absent. */
export function idempotencyKeyFrom(value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(value)) {
    throw new DomainError('BAD_INPUT', `${IDEMPOTENCY_HEADER} must be 1-255 visible ASCII characters, sent once`, { field: IDEMPOTENCY_HEADER });
  }
  return value;
}

/**
 * sha256 of an operation and its input, independent of the order of object keys. The input
 * is fed to the hash piece by piece (stable JSON), and a large string or a byte body as it is:
 * a 10 MB upload costs the event loop one pass of sha256, not a copy of it as JSON.
 */
export function requestHashOf(operation: string, input: unknown): string {
  const hash = createHash('sha256').update(operation).update('\n');
  feedStableJson(hash, input);
  return hash.digest('hex');
}

/** From this length a string is hashed as it is: below it, as JSON (the hashes kept before stay valid). */
const RAW_STRING_LENGTH = 64 * 1024;

function feedStableJson(hash: Hash, value: unknown): void {
  if (value === undefined) {
    hash.update('null');
  } else if (typeof value === 'string' && value.length >= RAW_STRING_LENGTH) {
    // Framed by its length behind a character no JSON value starts with.
    hash.update(`#s${value.length}:`).update(value);
  } else if (value instanceof Uint8Array) {
    hash.update(`#b${value.byteLength}:`).update(value);
  } else if (Array.isArray(value)) {
    hash.update('[');
    value.forEach((item, index) => {
      if (index > 0) hash.update(',');
      feedStableJson(hash, item);
    });
    hash.update(']');
  } else if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    hash.update('{');
    entries.forEach(([name, item], index) => {
      hash.update(`${index > 0 ? ',' : ''}${JSON.stringify(name)}:`);
      feedStableJson(hash, item);
    });
    hash.update('}');
  } else {
    hash.update(JSON.stringify(value) ?? 'null');
  }
}

@Injectable()
export class IdempotencyService {
  private readonly logger = new Logger(IdempotencyService.name);

  constructor(private readonly keys: IdempotencyRepository) {}

  /**
   * Does `work` once per organization and key: its answer, or the kept answer of the first
   * request with the key (`replayed`). A failed request keeps nothing: a retry runs again.
   */
  async perform(request: KeyedRequest, work: () => Promise<KeptAnswer>, waitMs = IDEMPOTENCY_WAIT_MS): Promise<KeptAnswer & { replayed: boolean }> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const now = Date.now();
      const claimed = await this.keys.claim({
        ...request,
        expiresAt: new Date(now + IDEMPOTENCY_RETENTION_MS),
        abandonedBefore: new Date(now - IDEMPOTENCY_ABANDONED_MS),
      });
      if (claimed) return { ...(await this.doOnce(request, work)), replayed: false };
      const kept = await this.keys.find(request.organizationId, request.key);
      if (kept && kept.requestHash !== request.requestHash) {
        throw new DomainError(
          'IDEMPOTENCY_KEY_REUSED',
          `${IDEMPOTENCY_HEADER} was used by the organization for another request (another operation or input); send a new key`,
          { field: IDEMPOTENCY_HEADER },
        );
      }
      if (kept?.responseStatus != null) return { status: kept.responseStatus, body: kept.responseBody ?? 'null', replayed: true };
      if (Date.now() >= deadline) {
        throw new DomainError(
          'CONFLICT',
          `a request with this ${IDEMPOTENCY_HEADER} is still being answered; retry it shortly`,
          { field: IDEMPOTENCY_HEADER },
          1,
        );
      }
      // In flight elsewhere (or just released by a failed request): look again shortly.
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** Deletes keys past their retention (the worker's reconciler). */
  purgeExpired(now = new Date()): Promise<number> {
    return this.keys.deleteExpired(now);
  }

  private async doOnce(request: KeyedRequest, work: () => Promise<KeptAnswer>): Promise<KeptAnswer> {
    const scope = request.answer ? new IdempotencyScope(request.organizationId, request.key, request.answer) : undefined;
    let answer: KeptAnswer;
    try {
      answer = scope ? await scope.run(work) : await work();
    } catch (error) {
      // Releases a pending claim only: an answer kept with work that committed stays for the retry.
      await this.keys.release(request.organizationId, request.key).catch(() => undefined);
      throw error;
    }
    if (scope?.kept === undefined) {
      // Work whose write keeps no answer: a crash before this line leaves the key pending.
      await this.keys.complete(request.organizationId, request.key, answer.status, answer.body);
    } else if (scope.kept !== answer.body) {
      this.logger.error({ msg: 'the answer kept with the work differs from the answer sent: keeping the one sent', key: request.key });
      await this.keys.replace(request.organizationId, request.key, answer.status, answer.body);
    }
    return answer;
  }
}
