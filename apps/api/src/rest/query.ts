import { ApiQuery } from '@nestjs/swagger';
import { DomainError } from '#rollsafe/scans';

/** Reads an optional integer query parameter. */
export function intParam(name: string, value: unknown): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !/^\d{1,6}$/.test(value)) {
    throw new DomainError('BAD_INPUT', `${name} must be a positive integer`, { field: name });
  }
  return Number(value);
}

/** Reads an optional string query parameter (refusing repeated ones). */
export function stringParam(name: string, value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new DomainError('BAD_INPUT', `${name} must be given once`, { field: name });
  return value;
}

/**
 * `count=exact` asks a list for its `totalCount`, which takes a count of its rows: without it
 * the total is given only when the whole list fits in the first page.
 */
export function countParam(value: unknown): 'exact' | null {
  const count = stringParam('count', value);
  if (count === undefined) return null;
  if (count !== 'exact') throw new DomainError('BAD_INPUT', 'count must be exact (or absent)', { field: 'count' });
  return count;
}

export const ApiCountQuery = (): MethodDecorator =>
  ApiQuery({
    name: 'count',
    required: false,
    enum: ['exact'],
    description: 'exact: include totalCount (a count of the rows). Without it totalCount is given only when the whole list fits in the first page',
  });
