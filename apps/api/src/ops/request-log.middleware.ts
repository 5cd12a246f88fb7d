import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { requestContext } from '#rollsafe/runtime';
import type { MetricsService } from './metrics.service.js';
import type { AuthenticatedRequest } from '../auth/auth.types.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Gives each request an id (the caller's `X-Request-Id` when it is sane, else a new one),
 * runs the request inside that context so every log line carries it, and writes one
 * access-log line and one duration sample when the response is done. Logs the method,
 * path, status and timing: never headers, bodies or query strings.
 */
export function requestLogMiddleware(logger: Logger, metrics: MetricsService) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const offered = request.headers['x-request-id'];
    const requestId = typeof offered === 'string' && REQUEST_ID.test(offered) ? offered : randomUUID();
    (request as AuthenticatedRequest).requestId = requestId;
    response.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    const context = { requestId };
    response.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const path = request.originalUrl.split('?')[0] ?? request.path;
      const route = routeOf(request, path);
      metrics.observeRequest(request.method, route, response.statusCode, seconds);
      requestContext.run(context, () => {
        logger.info({ method: request.method, path, route, status: response.statusCode, durationMs: Math.round(seconds * 1000) }, 'request');
      });
    });
    requestContext.run(context, () => next());
  };
}

function routeOf(request: Request, path: string): string {
  const route = (request as Request & { route?: { path?: unknown } }).route?.path;
  if (path === '/graphql') return '/graphql';
  if (typeof route === 'string') return `${request.baseUrl ?? ''}${route}`;
  return 'unmatched';
}
