import { OutageError, retryThroughOutage } from './outage.js';

/** An operation that always fails with `error`, and how many times it ran. */
function alwaysFailing(error: Error): { operation: () => Promise<never>; calls: () => number } {
  let calls = 0;
  return {
    operation: () => {
      calls += 1;
      return Promise.reject(error);
    },
    calls: () => calls,
  };
}

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
    const bug = new TypeError('not an outage');
    const failing = alwaysFailing(bug);
    await expect(retryThroughOutage(failing.operation, { waitMs: 1000, pauseMs: 10 })).rejects.toBe(bug);
    expect(failing.calls()).toBe(1);
  });

  it('throws the outage once the wait is over', async () => {
    const outage = new OutageError('postgres', 'no answer');
    const failing = alwaysFailing(outage);
    await expect(retryThroughOutage(failing.operation, { waitMs: 50, pauseMs: 20 })).rejects.toBe(outage);
    expect(failing.calls()).toBeGreaterThan(1);
    expect(failing.calls()).toBeLessThanOrEqual(4);
  });
});
