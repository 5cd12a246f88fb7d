import type { Request } from 'express';
import type { DomainError } from '#rollsafe/scans';

export interface Auth {
  apiKeyId: string;
  organizationId: string;
}

/**
 * A GraphQL operation's rate-limit count, left by the middleware to the operation: counted with
 * its GraphQL budget in one Redis command (RateLimiter.consumeAndSpend), or once answered when
 * the request never reached its operation (a parse or validation error).
 */
export interface DeferredRateLimit {
  apiKeyId: string;
  counted: boolean;
}

export type AuthenticatedRequest = Request & { auth?: Auth; authError?: DomainError; requestId?: string; deferredRateLimit?: DeferredRateLimit };
