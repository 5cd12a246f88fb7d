import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, SetMetadata, createParamDecorator, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { DomainError } from '#rollsafe/scans';
import { API_OPTIONS, type ApiOptions } from '../api.options.js';
import { bearerToken } from './auth.middleware.js';
import type { Auth, AuthenticatedRequest } from './auth.types.js';

const ACCESS = 'rollsafe:access';
type Access = 'public' | 'admin' | 'organization';

/** No credentials needed (health, metrics, docs). */
export const Public = () => SetMetadata(ACCESS, 'public' satisfies Access);
/** Needs ROLLSAFE_ADMIN_TOKEN as the bearer token. */
export const AdminOnly = () => SetMetadata(ACCESS, 'admin' satisfies Access);

export function requestOf(context: ExecutionContext): AuthenticatedRequest {
  if (context.getType<string>() === 'graphql') {
    return GqlExecutionContext.create(context).getContext<{ req: AuthenticatedRequest }>().req;
  }
  return context.switchToHttp().getRequest<AuthenticatedRequest>();
}

/** The caller's organization, for REST handlers and GraphQL resolvers alike. */
export const CurrentAuth = createParamDecorator((_data: unknown, context: ExecutionContext): Auth => {
  const auth = requestOf(context).auth;
  if (!auth) throw new DomainError('UNAUTHENTICATED', 'send a valid API key as "Authorization: Bearer <apiKey>"');
  return auth;
});

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Every handler needs an API key unless marked @Public() or @AdminOnly(). */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly adminDigest: Buffer;

  constructor(
    private readonly reflector: Reflector,
    @Inject(API_OPTIONS) options: ApiOptions,
  ) {
    this.adminDigest = digest(options.adminToken);
  }

  canActivate(context: ExecutionContext): boolean {
    const access = this.reflector.getAllAndOverride<Access | undefined>(ACCESS, [context.getHandler(), context.getClass()]) ?? 'organization';
    if (access === 'public') return true;
    const request = requestOf(context);
    if (access === 'admin') {
      const token = bearerToken(request);
      if (token !== undefined && timingSafeEqual(digest(token), this.adminDigest)) return true;
      throw new DomainError('UNAUTHENTICATED', 'send the admin token (ROLLSAFE_ADMIN_TOKEN) as "Authorization: Bearer <token>"');
    }
    if (request.auth) return true;
    throw request.authError ?? new DomainError('UNAUTHENTICATED', 'send a valid API key as "Authorization: Bearer <apiKey>"');
  }
}
