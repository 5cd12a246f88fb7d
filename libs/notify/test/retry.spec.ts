import {
  buildRequest,
  DeliveryFailedError,
  nextRetry,
  notificationBackoff,
  parseRetryAfter,
  type OutgoingRequest,
  type WebhookTarget,
  type RetryPolicy,
} from '../src/index.js';
import { runWithRetries } from './driver.js';
import { changeSet } from './fixtures.js';
import { startReceiver, type Received } from './receiver.js';
import { genericVerifies } from './signatures.js';

/** The service's default policy (ROLLSAFE_NOTIFY_* unset). */
const POLICY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 5_000, maxDelayMs: 600_000, maxRetryAfterMs: 3_600_000 };

const failed = { ok: false, retryable: true } as const;

describe('retry policy', () => {
  it('backs off exponentially with jitter, up to a cap', () => {
    const half = () => 0.5;
    const delays = [1, 2, 3, 4, 5].map((n) => nextRetry(n, failed, POLICY, half));
    // 5 s, 10 s, 20 s, 40 s, 80 s, each jittered to between half and all of it (0.5 -> 3/4).
    expect(delays).toEqual([3750, 7500, 15000, 30000, 60000].map((delayMs) => ({ retry: true, delayMs })));
    const policy = { ...POLICY, maxAttempts: 100 };
    expect(nextRetry(30, failed, policy, () => 1)).toEqual({ retry: true, delayMs: policy.maxDelayMs });
    expect(nextRetry(1, failed, policy, () => 0)).toEqual({ retry: true, delayMs: 2500 });
  });

  it('waits at least as long as Retry-After asks', () => {
    expect(nextRetry(1, { ...failed, retryAfterMs: 120_000 }, POLICY, () => 0.5)).toEqual({ retry: true, delayMs: 120_000 });
    expect(nextRetry(1, { ...failed, retryAfterMs: 2 * 60 * 60_000 }, POLICY)).toEqual({ retry: false, reason: 'retry-after-too-long' });
  });

  it('stops on success, on non-retryable failures and after the bound', () => {
    expect(nextRetry(1, { ok: true, retryable: false }, POLICY)).toEqual({ retry: false, reason: 'delivered' });
    expect(nextRetry(1, { ok: false, retryable: false }, POLICY)).toEqual({ retry: false, reason: 'not-retryable' });
    expect(nextRetry(5, failed, POLICY).retry).toBe(true);
    expect(nextRetry(6, failed, POLICY)).toEqual({ retry: false, reason: 'attempts-exhausted' });
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2025-01-02T03:04:05Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Thu, 02 Jan 2025 03:04:35 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Thu, 02 Jan 2025 03:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('works as a BullMQ custom backoff strategy (-1 means do not retry)', () => {
    const backoff = notificationBackoff(POLICY, () => 0.5);
    const attempt = (status: number, retryable: boolean, retryAfterMs?: number) =>
      new DeliveryFailedError({ ok: false, status, error: `HTTP ${status}`, durationMs: 3, retryable, ...(retryAfterMs ? { retryAfterMs } : {}) });
    expect(backoff(1, 'notification', attempt(503, true))).toBe(3750);
    expect(backoff(2, 'notification', attempt(429, true, 60_000))).toBe(60_000);
    expect(backoff(1, 'notification', attempt(400, false))).toBe(-1);
    expect(backoff(6, 'notification', attempt(503, true))).toBe(-1);
    expect(backoff(1, 'notification', new Error('socket hang up'))).toBe(3750);
    expect(attempt(503, true).message).toBe('HTTP 503');
  });
});

describe('retries against a failing receiver', () => {
  const SECRET = 'whsec_0f1e2d3c4b5a69788796a5b4c3d2e1f0';
  let build: (url: string) => () => OutgoingRequest;

  beforeEach(() => {
    build = (url) => () => buildRequest({ kind: 'generic', url, secret: SECRET, minSeverity: 'info' } satisfies WebhookTarget, changeSet()) as OutgoingRequest;
  });

  it('503 then 200: retried once, then delivered; each attempt freshly signed', async () => {
    const receiver = await startReceiver({ status: 200, body: '{}' });
    receiver.reply({ status: 503, body: 'maintenance' });
    try {
      const run = await runWithRetries(build(receiver.url('/hook')), { timeoutMs: 5000 }, POLICY);
      expect(run.attempts.map((a) => [a.status, a.ok, a.retryable])).toEqual([
        [503, false, true],
        [200, true, false],
      ]);
      expect(run.attempts[0]?.error).toBe('HTTP 503: maintenance');
      expect(run.delays).toHaveLength(1);
      expect(run.final).toEqual({ retry: false, reason: 'delivered' });
      expect(receiver.requests.every((r: Received) => genericVerifies(SECRET, r.body, r.headers['x-rollsafe-signature']))).toBe(true);
    } finally {
      await receiver.close();
    }
  });

  it('429 with Retry-After: the next attempt waits at least that long', async () => {
    const receiver = await startReceiver({ status: 200, body: '{}' });
    const inAMinute = new Date(Date.now() + 90_000).toUTCString();
    receiver.reply({ status: 429, headers: { 'retry-after': '7' } }, { status: 429, headers: { 'retry-after': inAMinute } });
    try {
      const run = await runWithRetries(build(receiver.url('/hook')), { timeoutMs: 5000 }, POLICY);
      expect(run.attempts.map((a) => a.status)).toEqual([429, 429, 200]);
      expect(run.attempts[0]?.retryAfterMs).toBe(7000);
      expect(run.delays[0]).toBe(7000);
      expect(run.delays[1]).toBeGreaterThanOrEqual(80_000);
      expect(run.delays[1]).toBeLessThanOrEqual(90_000);
    } finally {
      await receiver.close();
    }
  });

  it('400 is never retried', async () => {
    const receiver = await startReceiver({ status: 200 });
    receiver.reply({ status: 400, body: 'bad request' });
    try {
      const run = await runWithRetries(build(receiver.url('/hook')), { timeoutMs: 5000 }, POLICY);
      expect(run.attempts).toHaveLength(1);
      expect(run.attempts[0]).toEqual(expect.objectContaining({ status: 400, ok: false, retryable: false }));
      expect(run.final).toEqual({ retry: false, reason: 'not-retryable' });
      expect(receiver.requests).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it('gives up after the bound, with every attempt recorded and nothing secret in them', async () => {
    const receiver = await startReceiver({ status: 502, body: 'bad gateway' });
    try {
      const url = receiver.url('/hook/abcdef0123456789abcdef?token=tok_9876543210');
      const run = await runWithRetries(build(url), { timeoutMs: 5000 }, POLICY);
      expect(run.attempts).toHaveLength(POLICY.maxAttempts);
      expect(receiver.requests).toHaveLength(POLICY.maxAttempts);
      expect(run.delays).toEqual([3750, 7500, 15000, 30000, 60000]);
      expect(run.final).toEqual({ retry: false, reason: 'attempts-exhausted' });
      const records = JSON.stringify(run.attempts);
      for (const secret of [SECRET, 'abcdef0123456789abcdef', 'tok_9876543210', url]) expect(records).not.toContain(secret);
      expect(run.attempts.every((a) => a.durationMs >= 0 && a.error === 'HTTP 502: bad gateway')).toBe(true);
    } finally {
      await receiver.close();
    }
  });

  it('a rate-limited platform (DingTalk 130101 in a 200) is retried after its documented cool-down', async () => {
    const receiver = await startReceiver({ status: 200, body: JSON.stringify({ errcode: 0, errmsg: 'ok' }) });
    receiver.reply({ status: 200, body: JSON.stringify({ errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' }) });
    try {
      const target: WebhookTarget = { kind: 'dingtalk', url: receiver.url('/robot/send?access_token=abcdef0123456789'), secret: SECRET, minSeverity: 'info' };
      const run = await runWithRetries(() => buildRequest(target, changeSet()) as OutgoingRequest, { timeoutMs: 5000 }, POLICY);
      expect(run.attempts.map((a) => [a.code, a.ok])).toEqual([
        [130101, false],
        [0, true],
      ]);
      expect(run.delays).toEqual([600_000]);
      // Each attempt carries its own timestamp and sign.
      expect(receiver.requests.every((r) => r.query.has('sign') && r.query.has('timestamp'))).toBe(true);
    } finally {
      await receiver.close();
    }
  });
});
