import { Injectable } from '@nestjs/common';
import { SuppressionRepository, type Suppression } from '#rollsafe/store';
import { DomainError, notFound } from './errors.js';
import { UUID } from './cursor.js';
import { listPage, newestFirst, type PageArgs } from './paging.js';
import type { ListView, SuppressionView } from './contracts/index.js';

export interface SuppressionInput {
  ruleId?: unknown;
  namespace?: unknown;
  kind?: unknown;
  name?: unknown;
  reason?: unknown;
  expiresAt?: unknown;
}

/** Use case: organization-level suppressions, applied by the next scans. */
@Injectable()
export class SuppressionService {
  constructor(private readonly suppressions: SuppressionRepository) {}

  async create(organizationId: string, input: SuppressionInput): Promise<SuppressionView> {
    const ruleId = text('ruleId', input.ruleId, true, /^[a-z0-9-]{1,100}$/);
    const reason = text('reason', input.reason, true);
    const expiresAt = input.expiresAt === undefined || input.expiresAt === null ? undefined : new Date(String(input.expiresAt));
    if (expiresAt && Number.isNaN(expiresAt.getTime())) {
      throw new DomainError('BAD_INPUT', 'expiresAt must be an ISO 8601 date-time', { field: 'expiresAt' });
    }
    const namespace = text('namespace', input.namespace, false);
    const kind = text('kind', input.kind, false);
    const name = text('name', input.name, false);
    const created = await this.suppressions.create(organizationId, {
      ruleId: ruleId as string,
      reason: reason as string,
      ...(namespace ? { namespace } : {}),
      ...(kind ? { kind } : {}),
      ...(name ? { name } : {}),
      ...(expiresAt ? { expiresAt } : {}),
    });
    return toView(created);
  }

  async list(organizationId: string, args: PageArgs): Promise<ListView<SuppressionView>> {
    return listPage(args, {
      defaultLimit: 50,
      keyset: newestFirst('createdAt'),
      page: (limit, after) => this.suppressions.list(organizationId, limit, after),
      view: toView,
    });
  }

  async delete(organizationId: string, id: string): Promise<void> {
    if (!UUID.test(id) || !(await this.suppressions.delete(organizationId, id))) throw notFound('suppression', id);
  }
}

function text(field: string, value: unknown, required: boolean, pattern?: RegExp): string | undefined {
  if (value === undefined || value === null || value === '') {
    if (required) throw new DomainError('BAD_INPUT', `${field} is required`, { field });
    return undefined;
  }
  if (typeof value !== 'string' || value.length > 500 || (pattern && !pattern.test(value))) {
    throw new DomainError('BAD_INPUT', `${field} is not valid`, { field });
  }
  return value;
}

function toView(s: Suppression): SuppressionView {
  return {
    id: s.id,
    ruleId: s.ruleId,
    ...(s.namespace ? { namespace: s.namespace } : {}),
    ...(s.kind ? { kind: s.kind } : {}),
    ...(s.name ? { name: s.name } : {}),
    reason: s.reason,
    ...(s.expiresAt ? { expiresAt: s.expiresAt.toISOString() } : {}),
    createdAt: s.createdAt.toISOString(),
  };
}
