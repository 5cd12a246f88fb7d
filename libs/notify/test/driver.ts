import { deliver, nextRetry, type DeliverOptions, type DeliveryAttempt, type OutgoingRequest, type RetryDecision, type RetryPolicy } from '../src/index.js';

export interface Run {
  attempts: DeliveryAttempt[];
  /** The waits the policy chose between attempts (not slept: the worker's queue does that). */
  delays: number[];
  final: RetryDecision;
}

/**
 * What the worker does with BullMQ, without the queue: build a fresh request, deliver it, ask
 * the policy, and repeat until it says stop. Waits are recorded, not slept.
 */
export async function runWithRetries(build: () => OutgoingRequest, options: DeliverOptions, policy: RetryPolicy): Promise<Run> {
  const attempts: DeliveryAttempt[] = [];
  const delays: number[] = [];
  for (;;) {
    const attempt = await deliver(build(), options);
    attempts.push(attempt);
    const decision = nextRetry(attempts.length, attempt, policy, () => 0.5);
    if (!decision.retry) return { attempts, delays, final: decision };
    delays.push(decision.delayMs);
  }
}
