import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { GraphQLError } from 'graphql';
import { DomainError } from '#rollsafe/scans';
import { OUTAGE_RETRY_AFTER_SECONDS, isOutage } from '#rollsafe/runtime';
import { GRAPHQL_CODE, HTTP_STATUS, codeForStatus } from './error-mapping.js';

interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/**
 * The one place errors leave the API. REST: a status and `{ error: { code, message,
 * details? } }`. GraphQL: a GraphQLError with `extensions.code`. Unknown errors are logged
 * and answered as a generic 500 / INTERNAL_SERVER_ERROR, never with their text. An outage of
 * Postgres or Redis (`isOutage`) is answered 503 UNAVAILABLE with Retry-After, at once.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): unknown {
    if (host.getType<string>() === 'graphql') return this.toGraphQL(exception);
    const { status, body, retryAfter } = this.toHttp(exception);
    const response = host.switchToHttp().getResponse<Response>();
    if (response.headersSent) return undefined;
    if (retryAfter !== undefined) response.setHeader('Retry-After', String(retryAfter));
    response.status(status).json(body);
    return undefined;
  }

  private toHttp(exception: unknown): { status: number; body: ErrorBody; retryAfter?: number } {
    if (!(exception instanceof DomainError) && isOutage(exception)) exception = outage(exception);
    if (exception instanceof DomainError) {
      return {
        status: HTTP_STATUS[exception.code],
        body: { error: { code: exception.code, message: exception.message, ...(exception.details !== undefined ? { details: exception.details } : {}) } },
        ...(exception.retryAfterSeconds !== undefined ? { retryAfter: exception.retryAfterSeconds } : {}),
      };
    }
    const status = httpStatusOf(exception);
    if (status !== undefined && status < 500) {
      return { status, body: { error: { code: codeForStatus(status), message: messageOf(exception, status) } } };
    }
    this.logger.error({
      msg: 'unhandled error',
      error: exception instanceof Error ? exception.message : String(exception),
      stack: exception instanceof Error ? exception.stack : undefined,
    });
    return { status: 500, body: { error: { code: 'INTERNAL', message: 'internal error' } } };
  }

  private toGraphQL(exception: unknown): GraphQLError {
    if (exception instanceof GraphQLError) return exception;
    if (!(exception instanceof DomainError) && isOutage(exception)) exception = outage(exception);
    if (exception instanceof DomainError) {
      return new GraphQLError(exception.message, {
        extensions: {
          code: GRAPHQL_CODE[exception.code],
          ...(GRAPHQL_CODE[exception.code] !== exception.code ? { reason: exception.code } : {}),
          ...(exception.details !== undefined ? { details: exception.details } : {}),
          ...(exception.retryAfterSeconds !== undefined ? { retryAfter: exception.retryAfterSeconds } : {}),
        },
      });
    }
    const status = httpStatusOf(exception);
    if (status !== undefined && status < 500) {
      const code = codeForStatus(status);
      return new GraphQLError(messageOf(exception, status), { extensions: { code: code === 'BAD_INPUT' ? 'BAD_USER_INPUT' : code } });
    }
    this.logger.error({
      msg: 'unhandled error',
      error: exception instanceof Error ? exception.message : String(exception),
      stack: exception instanceof Error ? exception.stack : undefined,
    });
    return new GraphQLError('internal error', { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  }
}

function outage(exception: unknown): DomainError {
  new Logger('ApiExceptionFilter').warn({
    msg: 'answered 503: a backing service is unavailable',
    error: exception instanceof Error ? exception.message : String(exception),
  });
  return new DomainError('UNAVAILABLE', 'a backing service is unavailable; retry shortly', undefined, OUTAGE_RETRY_AFTER_SECONDS);
}

function httpStatusOf(exception: unknown): number | undefined {
  if (exception instanceof HttpException) return exception.getStatus();
  const candidate = exception as { status?: unknown; statusCode?: unknown } | null;
  const status = typeof candidate?.status === 'number' ? candidate.status : candidate?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : undefined;
}

function messageOf(exception: unknown, status: number): string {
  if (status === 413) return 'request body is too large: the limit is 10 MiB';
  if (exception instanceof HttpException) {
    const response = exception.getResponse();
    if (typeof response === 'string') return response;
    const message = (response as { message?: unknown }).message;
    if (typeof message === 'string') return message;
    if (Array.isArray(message)) return message.join('; ');
  }
  const type = (exception as { type?: unknown } | null)?.type;
  if (type === 'entity.parse.failed') return 'request body is not valid JSON';
  return exception instanceof Error ? exception.message : 'bad request';
}
