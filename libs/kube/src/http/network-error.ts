import { KubeError } from '../errors.js';

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);

/** A request that did not complete in time (connect, TLS handshake or body). */
export class RequestTimeout extends Error {
  constructor(readonly timeoutMs: number) {
    super(`timeout after ${timeoutMs} ms`);
    this.name = 'RequestTimeout';
  }
}

/** One short reason for a failed connection: timeout, the errno code, or the TLS failure. */
export function networkReason(error: unknown): string {
  if (error instanceof RequestTimeout) return error.message;
  const code = (error as NodeJS.ErrnoException).code;
  if (code && TLS_CODES.has(code)) return `TLS: ${code}`;
  if (code) return code;
  return (error as Error).message || 'connection failed';
}

/** The server could not be reached: the message names the host and why, never a credential. */
export function unreachable(server: string, error: unknown): KubeError {
  if (error instanceof KubeError) return error;
  const reason = networkReason(error);
  return new KubeError('CLUSTER_UNREACHABLE', `cannot reach ${server}: ${reason}`, { reason });
}
