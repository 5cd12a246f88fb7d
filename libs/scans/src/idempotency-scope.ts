// The request under an Idempotency-Key that a use case is working for, carried with the
// async work: the use case's write keeps the request's answer in its own transaction (see
// AnswerToKeep), so a crash after the commit leaves the answer for the retry to replay.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { AnswerToKeep } from '#rollsafe/store';

/** How a keyed request answers: its status, and its body for the use case's result. */
export interface AnswerShape {
  status: number;
  /** The JSON text the transport sends for the use case's result. */
  body(result: unknown): string;
}

const scopes = new AsyncLocalStorage<IdempotencyScope>();

export class IdempotencyScope {
  /** The body a write kept, once one did. */
  kept: string | undefined;
  private taken = false;

  constructor(
    readonly organizationId: string,
    readonly key: string,
    private readonly shape: AnswerShape,
  ) {}

  run<T>(work: () => Promise<T>): Promise<T> {
    return scopes.run(this, work);
  }

  /** The first write of the organization asking takes the answer; later ones keep nothing. */
  take<Row>(organizationId: string, result: (row: Row) => unknown): AnswerToKeep<Row> | undefined {
    if (this.taken || organizationId !== this.organizationId) return undefined;
    this.taken = true;
    return {
      organizationId,
      key: this.key,
      status: this.shape.status,
      body: (row) => (this.kept = this.shape.body(result(row))),
    };
  }
}

/**
 * The answer a use case's write keeps in its transaction when the use case works for a
 * request under a key: `result` makes the use case's result from the row written.
 * Undefined otherwise.
 */
export function answerToKeep<Row>(organizationId: string, result: (row: Row) => unknown): AnswerToKeep<Row> | undefined {
  return scopes.getStore()?.take(organizationId, result);
}
