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
