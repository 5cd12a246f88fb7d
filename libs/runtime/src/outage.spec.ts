import { OutageError, retryThroughOutage } from './outage.js';

describe('retryThroughOutage', () => {
  it('runs the operation again while Postgres is down, and returns its result once it is back', async () => {
    let calls = 0;
    const retried: unknown[] = [];
    const result = await retryThroughOutage(
      () => {
        calls += 1;
        return calls < 3
          ? Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))
          : Promise.resolve('recorded');
      },
      { waitMs: 1000, pauseMs: 10, onRetry: (error) => retried.push(error) },
    );
    expect(result).toBe('recorded');
    expect(calls).toBe(3);
    expect(retried).toHaveLength(2);
  });

  it('throws any other error at once', async () => {
    let calls = 0;
    const bug = new TypeError('not an outage');
    await expect(
      retryThroughOutage(
        () => {
          calls += 1;
          return Promise.reject(bug);
        },
        { waitMs: 1000, pauseMs: 10 },
      ),
    ).rejects.toBe(bug);
    expect(calls).toBe(1);
  });

  it('throws the outage once the wait is over', async () => {
    let calls = 0;
    const outage = new OutageError('postgres', 'no answer');
    await expect(
      retryThroughOutage(
        () => {
          calls += 1;
          return Promise.reject(outage);
        },
        { waitMs: 50, pauseMs: 20 },
      ),
    ).rejects.toBe(outage);
    expect(calls).toBeGreaterThan(1);
    expect(calls).toBeLessThanOrEqual(4);
  });
});
