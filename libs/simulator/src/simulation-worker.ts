import { parentPort } from 'node:worker_threads';
import type { SimulationJob, SimulationReply } from './simulation-thread.js';
import { simulateVerdicts } from './verdicts.js';

// A simulation worker: simulates the prepared Services it is given and posts back their verdicts,
// as JSON when JSON keeps every value (JSON.parse rebuilds them in about half the time a
// structured clone takes), else structured-cloned.
parentPort?.on('message', (job: SimulationJob) => {
  const verdicts = simulateVerdicts(job.prepared, job.fixes);
  const reply: SimulationReply = isJsonSafe(verdicts) ? { json: JSON.stringify(verdicts) } : { cloned: verdicts };
  parentPort?.postMessage(reply);
});

/** No value JSON would change: a non-finite number, -0, undefined, a `__proto__` key. */
function isJsonSafe(root: unknown): boolean {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === 'number') {
      if (!Number.isFinite(value) || Object.is(value, -0)) return false;
    } else if (Array.isArray(value)) {
      for (const item of value) stack.push(item);
    } else if (typeof value === 'object' && value !== null) {
      if (Object.hasOwn(value, '__proto__')) return false;
      for (const key in value) stack.push((value as Record<string, unknown>)[key]);
    } else if (value === undefined) {
      return false;
    }
  }
  return true;
}
