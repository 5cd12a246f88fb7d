// Domain error codes mapped once per transport.
import type { DomainErrorCode } from '#rollsafe/scans';

/** Kubeconfig refusals and cluster verification failures: the input cannot be used as sent. */
const KUBE_CODES = [
  'KUBECONFIG_INVALID',
  'KUBECONFIG_EXEC_FORBIDDEN',
  'KUBECONFIG_FILE_REFERENCE',
  'KUBECONFIG_INSECURE',
  'KUBECONFIG_NOT_READ_ONLY',
  'TARGET_FORBIDDEN',
  'CLUSTER_UNREACHABLE',
  'CLUSTER_FORBIDDEN',
  'CLUSTER_ERROR',
] as const satisfies readonly DomainErrorCode[];

type KubeCode = (typeof KUBE_CODES)[number];
const kubeStatuses = Object.fromEntries(KUBE_CODES.map((code) => [code, 422])) as Record<KubeCode, number>;
const kubeGraphqlCodes = Object.fromEntries(KUBE_CODES.map((code) => [code, 'BAD_USER_INPUT'])) as Record<KubeCode, string>;

export const HTTP_STATUS: Record<DomainErrorCode, number> = {
  ...kubeStatuses,
  BAD_INPUT: 400,
  CONFLICT: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
  INVALID_MANIFESTS: 422,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  SCHEDULE_INVALID: 422,
};

export const GRAPHQL_CODE: Record<DomainErrorCode, string> = {
  ...kubeGraphqlCodes,
  BAD_INPUT: 'BAD_USER_INPUT',
  CONFLICT: 'BAD_USER_INPUT',
  IDEMPOTENCY_KEY_REUSED: 'BAD_USER_INPUT',
  INVALID_MANIFESTS: 'BAD_USER_INPUT',
  PAYLOAD_TOO_LARGE: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  RATE_LIMITED: 'RATE_LIMITED',
  UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  SCHEDULE_INVALID: 'BAD_USER_INPUT',
};

/** Codes for HTTP errors raised by the framework (body parser, multer, unknown routes). */
export function codeForStatus(status: number): string {
  switch (status) {
    case 400:
      return 'BAD_INPUT';
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'FORBIDDEN';
    case 404:
      return 'NOT_FOUND';
    case 405:
      return 'METHOD_NOT_ALLOWED';
    case 409:
      return 'CONFLICT';
    case 413:
      return 'PAYLOAD_TOO_LARGE';
    case 415:
      return 'UNSUPPORTED_MEDIA_TYPE';
    case 422:
      return 'INVALID_MANIFESTS';
    case 429:
      return 'RATE_LIMITED';
    default:
      return status >= 500 ? 'INTERNAL' : 'BAD_INPUT';
  }
}
