import type { IncomingHttpHeaders } from 'node:http';

export interface RetryPolicy {
  /** Retries after the first attempt; default 4. */
  maxRetries: number;
  /** The first backoff; each further one doubles. Default 250 ms. */
  baseDelayMs: number;
  /** No single wait is longer, whatever Retry-After says. Default 30 s. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 4, baseDelayMs: 250, maxDelayMs: 30_000 };

/** 429 (throttled) and 5xx are worth another try; 4xx are answers. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}

/** Retry-After in milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(headers: IncomingHttpHeaders, now = Date.now()): number | undefined {
  const value = headers['retry-after'];
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Exponential backoff for the nth retry (0-based), or Retry-After when the server gave one. */
export function backoffMs(policy: RetryPolicy, retry: number, retryAfter?: number): number {
  const exponential = policy.baseDelayMs * 2 ** retry;
  return Math.min(policy.maxDelayMs, retryAfter ?? exponential);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
