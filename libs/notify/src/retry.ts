import type { DeliveryAttempt } from './model.js';

/**
 * When to try again. Pure: the worker's BullMQ job uses it as a custom backoff strategy
 * (`notificationBackoff`), tests call it directly. The service's policy comes from its
 * configuration (ROLLSAFE_NOTIFY_*), where the defaults are stated.
 */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** The first retry waits about this long; each later one twice as long. */
  baseDelayMs: number;
  /** No exponential wait is longer than this. */
  maxDelayMs: number;
  /** A receiver asking to wait longer than this (Retry-After) is given up on instead. */
  maxRetryAfterMs: number;
}

export type RetryDecision =
  { retry: true; delayMs: number } | { retry: false; reason: 'delivered' | 'not-retryable' | 'attempts-exhausted' | 'retry-after-too-long' };

/**
 * After `attemptsMade` attempts (the last one described by `last`): whether to try again and
 * after how long. Network errors, 5xx, 429 and platform rate limits are retried; other 4xx and
 * refused addresses are not. The wait is exponential with "equal jitter" (half fixed, half
 * random, so retries from many webhooks spread out), and never shorter than the receiver's
 * Retry-After.
 */
export function nextRetry(
  attemptsMade: number,
  last: Pick<DeliveryAttempt, 'ok' | 'retryable' | 'retryAfterMs'>,
  policy: RetryPolicy,
  random: () => number = Math.random,
): RetryDecision {
  if (last.ok) return { retry: false, reason: 'delivered' };
  if (!last.retryable) return { retry: false, reason: 'not-retryable' };
  if (attemptsMade >= policy.maxAttempts) return { retry: false, reason: 'attempts-exhausted' };
  if (last.retryAfterMs !== undefined && last.retryAfterMs > policy.maxRetryAfterMs) return { retry: false, reason: 'retry-after-too-long' };
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attemptsMade - 1));
  const jittered = Math.round(exponential / 2 + random() * (exponential / 2));
  return { retry: true, delayMs: Math.max(jittered, last.retryAfterMs ?? 0) };
}

/**
 * Thrown by the worker's job processor when an attempt failed, so that the backoff strategy
 * can read the attempt. Its message is the attempt's error, which holds no URL or secret.
 */
export class DeliveryFailedError extends Error {
  override readonly name = 'DeliveryFailedError';
  constructor(readonly attempt: DeliveryAttempt) {
    super(attempt.error ?? 'delivery failed');
  }
}

/**
 * A BullMQ custom backoff strategy (`settings.backoffStrategy` on the worker, with the job's
 * `attempts` set to `policy.maxAttempts` and `backoff: { type: 'notification' }`). BullMQ passes
 * the number of attempts made so far and the error the processor threw; returning -1 tells it
 * not to retry. Errors other than DeliveryFailedError are treated as retryable network errors.
 */
export function notificationBackoff(policy: RetryPolicy, random: () => number = Math.random) {
  return (attemptsMade: number, _type?: string, error?: Error): number => {
    // Read by shape, so an error that crossed a realm or a serialisation boundary still counts.
    const attempt = (error as Partial<DeliveryFailedError> | undefined)?.attempt;
    const last = error?.name === 'DeliveryFailedError' && attempt && typeof attempt.retryable === 'boolean' ? attempt : { ok: false, retryable: true };
    const decision = nextRetry(attemptsMade, last, policy, random);
    return decision.retry ? decision.delayMs : -1;
  };
}
