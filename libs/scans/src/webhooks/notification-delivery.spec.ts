// The delivery decisions, without a database or a queue.
import { decideAfterAttempt } from './notification-delivery.service.js';

const policy = { maxAttempts: 3, baseDelayMs: 5_000, maxDelayMs: 600_000, maxRetryAfterMs: 3_600_000 };

describe('decideAfterAttempt', () => {
  it('logs a delivered attempt and stops', () => {
    expect(decideAfterAttempt(1, { ok: true, status: 200, durationMs: 5, retryable: false }, policy)).toEqual({
      result: 'delivered',
      decision: { outcome: 'delivered' },
    });
  });

  it('retries a 503 while attempts are left, and gives up on the last one', () => {
    const failed = { ok: false, status: 503, error: 'HTTP 503', durationMs: 5, retryable: true };
    expect(decideAfterAttempt(2, failed, policy)).toEqual({ result: 'retrying', decision: { outcome: 'retry', attempt: failed } });
    expect(decideAfterAttempt(3, failed, policy)).toEqual({ result: 'gave_up', decision: { outcome: 'gave-up', error: 'HTTP 503 (attempts-exhausted)' } });
  });

  it('gives up at once on what a retry cannot fix (a 400, a refused address)', () => {
    const refused = { ok: false, status: 400, error: 'HTTP 400', durationMs: 5, retryable: false };
    expect(decideAfterAttempt(1, refused, policy)).toEqual({ result: 'gave_up', decision: { outcome: 'gave-up', error: 'HTTP 400 (not-retryable)' } });
  });

  it('gives up on a Retry-After longer than the policy waits', () => {
    const later = { ok: false, status: 429, error: 'HTTP 429', durationMs: 5, retryable: true, retryAfterMs: 2 * 3600_000 };
    expect(decideAfterAttempt(1, later, policy).decision).toEqual({ outcome: 'gave-up', error: 'HTTP 429 (retry-after-too-long)' });
  });
});
