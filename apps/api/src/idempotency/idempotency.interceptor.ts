import { createHash } from 'node:crypto';
import {
  HttpStatus,
  Injectable,
  RequestMethod,
  UseInterceptors,
  applyDecorators,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants.js';
import { Reflector } from '@nestjs/core';
import { ApiHeader, DECORATORS } from '@nestjs/swagger';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { Response } from 'express';
import type { GraphQLResolveInfo } from 'graphql';
import { defer, from, lastValueFrom, type Observable } from 'rxjs';
import { IDEMPOTENCY_HEADER, IdempotencyService, idempotencyKeyFrom, requestHashOf, type AnswerShape, type KeyedRequest } from '#rollsafe/scans';
import { requestOf } from '../auth/auth.guard.js';
import type { Auth, AuthenticatedRequest } from '../auth/auth.types.js';
import { reviveForGraphql } from './revive.js';

/** Set on an answer that is the kept answer of an earlier request with the same key. */
export const REPLAYED_HEADER = 'Idempotent-Replayed';

/**
 * Makes a handler or resolver that creates or changes something idempotent under the
 * `Idempotency-Key` request header (REST and GraphQL alike): IdempotencyService decides
 * whether to run it or answer what the first request with the key got.
 */
export const Idempotent = (): MethodDecorator => applyDecorators(UseInterceptors(IdempotencyInterceptor), ApiIdempotencyKey());

/** The header in the OpenAPI document (with Idempotent, or beside the interceptor where the order of interceptors matters). */
export const ApiIdempotencyKey = (): MethodDecorator =>
  ApiHeader({
    name: IDEMPOTENCY_HEADER,
    required: false,
    description:
      '1-255 visible ASCII characters, kept 24 hours per organization: the same request sent again with the key answers what the first one did ' +
      `(same status and body, with ${REPLAYED_HEADER}: true) without doing it again; a request in flight with the key is waited for (up to 10 s, ` +
      'then 409 CONFLICT with Retry-After); another request (other path or body) with the key is refused with 422 IDEMPOTENCY_KEY_REUSED. ' +
      'An error answer is not kept: a retry runs again.',
  });

/** A mutation's description, saying what the header does. */
export function withIdempotencyKey(description: string): string {
  return (
    `${description}. Idempotency-Key header: a retry with the same key and arguments gets the first answer without the work being done again ` +
    '(kept 24 hours per organization, per mutation of the request by its response name); other arguments with the key: extensions.reason IDEMPOTENCY_KEY_REUSED'
  );
}

@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly idempotency: IdempotencyService,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = requestOf(context);
    const key = idempotencyKeyFrom(request.headers['idempotency-key']);
    const auth = request.auth;
    if (key === undefined || auth === undefined) return next.handle();
    return context.getType<string>() === 'graphql' ? this.mutation(context, next, auth, key) : this.rest(context, next, request, auth, key);
  }

  private rest(context: ExecutionContext, next: CallHandler, request: AuthenticatedRequest, auth: Auth, key: string): Observable<unknown> {
    const files = (request as { files?: unknown }).files;
    const status = this.reflector.get<number | undefined>(HTTP_CODE_METADATA, context.getHandler()) ?? defaultStatus(request.method);
    const project = this.restAnswer(context, status);
    const keyed: KeyedRequest = {
      organizationId: auth.organizationId,
      key,
      requestHash: requestHashOf(`${request.method} ${request.originalUrl}`, {
        body: request.body as unknown,
        ...(Array.isArray(files) ? { files: files.map(fileDigest) } : {}),
      }),
      answer: { status, body: (result) => JSON.stringify(project(result) ?? null) },
    };
    return defer(async () => {
      let value: unknown;
      const answer = await this.idempotency.perform(keyed, async () => {
        value = await lastValueFrom(next.handle(), { defaultValue: undefined });
        return { status, body: JSON.stringify(value ?? null) };
      });
      if (!answer.replayed) return value;
      const response = context.switchToHttp().getResponse<Response>();
      response.status(answer.status).setHeader(REPLAYED_HEADER, 'true');
      return JSON.parse(answer.body) as unknown;
    });
  }

  /** A mutation field: the key applies to each mutation of the request by its response name. */
  private mutation(context: ExecutionContext, next: CallHandler, auth: Auth, key: string): Observable<unknown> {
    const gql = GqlExecutionContext.create(context);
    const info = gql.getInfo<GraphQLResolveInfo>();
    const keyed: KeyedRequest = {
      organizationId: auth.organizationId,
      key: `${key}#${String(info.path.key)}`,
      requestHash: requestHashOf(`graphql ${info.parentType.name}.${info.fieldName}`, gql.getArgs<Record<string, unknown>>()),
      answer: GRAPHQL_ANSWER,
    };
    return from(
      (async () => {
        let value: unknown;
        const answer = await this.idempotency.perform(keyed, async () => {
          value = await lastValueFrom(next.handle(), { defaultValue: undefined });
          return { status: 200, body: JSON.stringify(value ?? null) };
        });
        return answer.replayed ? reviveForGraphql(JSON.parse(answer.body) as unknown, info.returnType) : value;
      })(),
    );
  }

  /**
   * What a REST handler answers of its use case's result, for the answer kept with the work:
   * the result itself, or, when the response type it declares for its status projects it
   * (a static `fromResult`, as ScanQueuedDto), that projection.
   */
  private restAnswer(context: ExecutionContext, status: number): (result: unknown) => unknown {
    const responses = this.reflector.get<Record<string, { type?: unknown }> | undefined>(DECORATORS.API_RESPONSE, context.getHandler());
    const type = responses?.[String(status)]?.type as Partial<ProjectedAnswer> | undefined;
    const fromResult = type?.fromResult;
    return typeof fromResult === 'function' ? (result) => fromResult.call(type, result) : (result) => result;
  }
}

/** A response type that is a projection of the use case's result. */
interface ProjectedAnswer {
  fromResult(result: unknown): unknown;
}

/** A mutation answers the resolver's value (see reviveForGraphql for the way back). */
const GRAPHQL_ANSWER: AnswerShape = { status: 200, body: (result) => JSON.stringify(result ?? null) };

function defaultStatus(method: string): number {
  return method === RequestMethod[RequestMethod.POST] ? HttpStatus.CREATED : HttpStatus.OK;
}

/** An uploaded file as hashed: its name and a digest of its bytes. */
function fileDigest(file: unknown): { name: string; sha256: string } {
  const { originalname, buffer } = file as { originalname?: unknown; buffer?: unknown };
  return {
    name: typeof originalname === 'string' ? originalname : '',
    sha256: Buffer.isBuffer(buffer) ? createHash('sha256').update(buffer).digest('hex') : '',
  };
}
