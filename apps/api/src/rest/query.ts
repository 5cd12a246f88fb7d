import type { Request } from 'express';
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
 * The `Idempotency-Key` header of a POST that creates something: a retry with the same key
 * (per organization) answers what the first request created instead of creating it again.
 */
export function idempotencyKeyOf(request: Request): string | undefined {
  const value = request.headers['idempotency-key'];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(value)) {
    throw new DomainError('BAD_INPUT', 'Idempotency-Key must be 1-255 visible ASCII characters', { field: 'Idempotency-Key' });
  }
  return value;
}
