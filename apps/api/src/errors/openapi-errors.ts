// The REST errors as the OpenAPI document shows them, from the same mapping the exception
// filter answers with (error-mapping.ts): every operation lists the errors it can answer, each
// with an example body the API really sends for that status.
import type { OpenAPIObject } from '@nestjs/swagger';
import { MAX_PAGE_SIZE } from '#rollsafe/scans';
import { codeForStatus } from './error-mapping.js';

type ResponseObject = { description?: string; content?: Record<string, { schema?: unknown; example?: unknown }>; headers?: Record<string, unknown> };
type OperationObject = {
  summary?: string;
  operationId?: string;
  parameters?: Array<{ in?: string }>;
  requestBody?: unknown;
  security?: Array<Record<string, string[]>>;
  responses: Record<string, ResponseObject>;
};

/** What the API answers for each error status (the message of the commonest cause). */
export const ERROR_EXAMPLES: Record<number, { description: string; message: string; details?: Record<string, unknown> }> = {
  400: {
    description: 'Bad input: a parameter or body field that is missing or out of range (`details.field` names it)',
    message: `limit must be an integer from 1 to ${MAX_PAGE_SIZE}`,
    details: { field: 'limit' },
  },
  401: { description: 'Missing or wrong API key', message: 'send a valid API key as "Authorization: Bearer <apiKey>"' },
  404: { description: 'No such resource in the organization', message: 'scan 6f1c2b9e-8a5d-4c3e-9f4a-1b2c3d4e5f60 not found' },
  409: {
    description: 'The resource is not in a state that allows this',
    message: 'scan 6f1c2b9e-8a5d-4c3e-9f4a-1b2c3d4e5f60 is running: fixes are planned from a finished scan',
  },
  413: { description: 'Body over 10 MiB', message: 'request body is too large: the limit is 10 MiB' },
  422: { description: 'The input was read but cannot be used', message: 'upload line 3: unexpected end of the stream within a flow collection' },
  429: {
    description: 'Rate limit exceeded (see Retry-After)',
    message: 'rate limit of 600 requests per minute exceeded; retry in 42 s',
    details: { limit: 600 },
  },
  503: { description: 'Postgres or Redis is unavailable (see Retry-After)', message: 'a backing service is unavailable; retry shortly' },
};

/** Errors a 422 may name first in its description, with a message the API sends for it. */
const NAMED_EXAMPLES: Record<string, { message: string; details?: Record<string, unknown> }> = {
  KUBECONFIG_INVALID: { message: 'kubeconfig has no current-context; pass context' },
  KUBECONFIG_NOT_READ_ONLY: {
    message: 'these credentials can change the cluster (create deployments.apps); register a read-only ServiceAccount (deploy/rbac/rollsafe-reader.yaml)',
    details: { writeVerbs: ['create deployments.apps'] },
  },
  TARGET_FORBIDDEN: { message: 'webhook URL refused: 10.0.0.7 is a private address (ROLLSAFE_OUTBOUND_ALLOW)', details: { field: 'url' } },
  SCHEDULE_INVALID: {
    message: 'cron "* * * * *" runs every 60 s; the shortest period allowed is 300 s (ROLLSAFE_MIN_SCHEDULE_SECONDS)',
    details: { field: 'cron' },
  },
};

const RETRY_AFTER = { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer', example: 42 } } };

export function errorExample(
  status: number,
  override: { code?: string; message?: string; details?: Record<string, unknown> } = {},
): { error: Record<string, unknown> } {
  const known = ERROR_EXAMPLES[status];
  const details = override.details ?? (override.message ? undefined : known?.details);
  return {
    error: { code: override.code ?? codeForStatus(status), message: override.message ?? known?.message ?? 'bad request', ...(details ? { details } : {}) },
  };
}

/**
 * Completes the generated document: a server, the licence, and on every operation the errors
 * it can answer (401 and 429 with a key; 400 with query parameters or a body; 413 with a body)
 * with an example body per status (one a controller gave is kept).
 */
export function completeOpenApiDocument(
  document: OpenAPIObject,
  info: { license: { name: string; url: string }; contact: { name: string; url?: string } },
): OpenAPIObject {
  document.servers = [{ url: '/', description: 'The Rollsafe API serving this document (PORT, default 3000)' }];
  document.info.license = info.license;
  document.info.contact = info.contact;
  for (const pathItem of Object.values(document.paths)) {
    for (const operation of Object.values(pathItem as Record<string, OperationObject>)) {
      if (typeof operation !== 'object' || !operation || !('responses' in operation)) continue;
      const errors = new Set(
        Object.keys(operation.responses)
          .map(Number)
          .filter((status) => status >= 400),
      );
      const authenticated = (operation.security ?? []).some((requirement) => 'apiKey' in requirement);
      if (authenticated) errors.add(401).add(429);
      if ((operation.parameters ?? []).some((parameter) => parameter.in === 'query') || operation.requestBody) errors.add(400);
      if (operation.requestBody) errors.add(413);
      if ((operation.security ?? []).some((requirement) => 'admin' in requirement)) errors.add(401);
      for (const status of [...errors].sort()) {
        const response = (operation.responses[String(status)] ??= { description: ERROR_EXAMPLES[status]?.description ?? codeForStatus(status) });
        if (!response.description) response.description = ERROR_EXAMPLES[status]?.description ?? codeForStatus(status);
        const media = (response.content ??= {})['application/json'] ?? {};
        media.schema ??= { $ref: '#/components/schemas/ErrorDto' };
        const named = /^([A-Z][A-Z_]+[A-Z])\b/.exec(response.description ?? '')?.[1];
        const example = named ? NAMED_EXAMPLES[named] : undefined;
        media.example ??= errorExample(status, example ? { code: named, ...example } : {});
        response.content['application/json'] = media;
        if (status === 429 || status === 503) response.headers = { ...RETRY_AFTER, ...(response.headers ?? {}) };
      }
    }
  }
  return document;
}
