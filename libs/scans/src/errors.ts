// Coded domain errors. Services throw these; each transport maps them once: REST to an HTTP
// status and `{ error: { code, message, details } }`, GraphQL to `extensions.code`.
import type { KubeErrorCode } from '#rollsafe/kube';

export type DomainErrorCode =
  | 'BAD_INPUT'
  | 'CONFLICT'
  /** The organization used the request's Idempotency-Key for another request. */
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'INVALID_MANIFESTS'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'RATE_LIMITED'
  | 'UNAVAILABLE'
  /** A schedule the queue cannot run: bad cron, unknown time zone, shorter than the floor. `details.field` names it. */
  | 'SCHEDULE_INVALID'
  /** Kubeconfig refusals and cluster verification failures keep libs/kube's code. */
  | KubeErrorCode;

export type ErrorDetails = string | number | boolean | null | ErrorDetails[] | { [key: string]: ErrorDetails };

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: ErrorDetails,
    /** For RATE_LIMITED: seconds until a request may succeed. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export function notFound(what: string, id: string): DomainError {
  return new DomainError('NOT_FOUND', `${what} ${id} not found`);
}
