import type { GraphQLFormattedError } from 'graphql';

/** Codes whose messages we wrote (the exception filter's mapping, validation, the limits). */
const OWN_CODES = new Set([
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'RATE_LIMITED',
  'SERVICE_UNAVAILABLE',
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'OPERATION_RESOLUTION_FAILURE',
  'CONFLICT',
  'METHOD_NOT_ALLOWED',
  'UNSUPPORTED_MEDIA_TYPE',
  'INVALID_MANIFESTS',
  'PAYLOAD_TOO_LARGE',
]);

/**
 * Apollo's last word on every GraphQL error: an error that did not come through the exception
 * filter (or whose code is not ours) leaves as a bare `internal error`, never with its message,
 * stack or a server path; our own errors keep their message, code and details.
 */
export function hideInternals(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const code = typeof formatted.extensions?.['code'] === 'string' ? formatted.extensions['code'] : undefined;
  if (code !== undefined && OWN_CODES.has(code)) {
    const { stacktrace: _stacktrace, exception: _exception, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  if (code === 'INTERNAL_SERVER_ERROR' && formatted.message === 'internal error')
    return { message: 'internal error', ...(formatted.path ? { path: formatted.path } : {}), extensions: { code } };
  return { message: 'internal error', ...(formatted.path ? { path: formatted.path } : {}), extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}
