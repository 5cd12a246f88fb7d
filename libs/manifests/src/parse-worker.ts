import { parentPort } from 'node:worker_threads';
import type { ParsedText } from './parse-text.js';
import { parseParts, type WorkerJob, type WorkerReply } from './parallel.js';

// A parse worker: parses the parts it is given and posts back plain `ParsedText`s. JSON crosses
// the thread boundary about twice as fast as a structured clone (JSON.parse is V8's fastest
// object builder), so JSON is used whenever it keeps every value (no -0, NaN or Infinity) and
// fits in one string.
parentPort?.on('message', (job: WorkerJob) => {
  const parses = parseParts(job.parts, job.limits);
  const results = parses.map((one) => one.parsed);
  const budgets = parses.map(({ budgetNeeded, limitReached }) => ({ budgetNeeded, limitReached }));
  const json = results.every(isJsonSafe) ? stringifyWithinLimit(results) : undefined;
  const reply: WorkerReply = json === undefined ? { cloned: results, budgets } : { json, budgets };
  parentPort?.postMessage(reply);
});

/** The JSON of `results`, or undefined when it is longer than V8's longest string. */
function stringifyWithinLimit(results: ParsedText[]): string | undefined {
  try {
    return JSON.stringify(results);
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

function isJsonSafe(result: ParsedText): boolean {
  const stack: unknown[] = result.documents.map((document) => document.value);
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
