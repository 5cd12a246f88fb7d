import { Injectable, Logger, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { DomainError, OrganizationService } from '#rollsafe/scans';
import { requestContext } from '#rollsafe/runtime';
import { RequestTiming, TRACE_SLOW_MS, runTimed, timed } from '#rollsafe/store';
import { RateLimiter, type RateLimitState } from './rate-limiter.js';
import { OrganizationAdmission } from './admission.js';
import type { AuthenticatedRequest, DeferredRateLimit } from './auth.types.js';

export function bearerToken(request: Request): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/**
 * Resolves the API key (once per HTTP request, REST and GraphQL alike) and counts it
 * against its rate limit. A missing or unknown key is not refused here: the guard refuses
 * it where a handler needs an organization, so each transport reports it its own way.
 */
@Injectable()
export class AuthMiddleware implements NestMiddleware {
  private readonly slowRequests = new Logger('SlowRequest');

  constructor(
    private readonly organizations: OrganizationService,
    private readonly rateLimiter: RateLimiter,
    private readonly admission: OrganizationAdmission,
  ) {}

  use(request: Request, response: Response, next: NextFunction): Promise<void> {
    const slowMs = TRACE_SLOW_MS;
    if (slowMs === undefined) return this.handle(request, response, next);
    // ROLLSAFE_TRACE_SLOW_MS (bench/load's BENCH_TRACE_SLOW): where a slow request's time went.
    const timing = new RequestTiming();
    response.once('finish', () => {
      const summary = timing.summary();
      if (summary.totalMs < slowMs) return;
      this.slowRequests.warn({ msg: 'slow request', method: request.method, path: request.originalUrl.split('?')[0], status: response.statusCode, ...summary });
    });
    return runTimed(timing, () => this.handle(request, response, next));
  }

  private async handle(request: Request, response: Response, next: NextFunction): Promise<void> {
    const authenticated = request as AuthenticatedRequest;
    const token = bearerToken(request);
    if (token === undefined || request.path.startsWith('/api/v1/organizations')) return next();
    try {
      authenticated.auth = await timed('authenticate', this.organizations.authenticate(token));
    } catch (error) {
      if (error instanceof DomainError) {
        authenticated.authError = error;
        return next();
      }
      throw error;
    }
    const context = requestContext.getStore();
    if (context) context.organizationId = authenticated.auth.organizationId;
    const release = await timed('admission', this.admission.enter(authenticated.auth.organizationId));
    response.once('close', release);
    // The client went away while the request waited for a slot: hand the slot on at once. (Not
    // `request.destroyed`: a request whose body was read is destroyed once read, so every POST
    // with a JSON body, GraphQL's among them, gave its slot back as soon as it got it.)
    if (response.destroyed || request.socket.destroyed) release();
    if (request.method === 'POST' && request.originalUrl.split('?')[0] === '/graphql') {
      // A GraphQL operation is counted with its budget, in one Redis command (complexityLimit);
      // one that never reaches its operation (a parse or validation error) once it is answered.
      const deferred: DeferredRateLimit = { apiKeyId: authenticated.auth.apiKeyId, counted: false };
      authenticated.deferredRateLimit = deferred;
      response.once('close', () => {
        if (deferred.counted) return;
        deferred.counted = true;
        this.rateLimiter.consume(deferred.apiKeyId).catch(() => undefined);
      });
      return next();
    }
    const state = await this.rateLimiter.consume(authenticated.auth.apiKeyId).catch((error: unknown) => {
      if (error instanceof DomainError && error.retryAfterSeconds !== undefined) {
        response.setHeader('X-RateLimit-Limit', String((error.details as { limit?: number } | undefined)?.limit ?? ''));
        response.setHeader('X-RateLimit-Remaining', '0');
      }
      throw error;
    });
    setRateLimitHeaders(response, state);
    next();
  }
}

export function setRateLimitHeaders(response: Response, state: RateLimitState): void {
  response.setHeader('X-RateLimit-Limit', String(state.limit));
  response.setHeader('X-RateLimit-Remaining', String(state.remaining));
  response.setHeader('X-RateLimit-Reset', String(state.resetSeconds));
}
