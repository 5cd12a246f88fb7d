import { parentPort } from 'node:worker_threads';
import { parseManifestText, type ParsedText } from './parse-text.js';
import type { WorkerJob, WorkerReply } from './parallel.js';

// A parse worker: parses the parts it is given and posts back plain `ParsedText`s. JSON crosses
// the thread boundary about twice as fast as a structured clone (JSON.parse is V8's fastest
// object builder), so JSON is used whenever it keeps every value (no -0, NaN or Infinity).
parentPort?.on('message', (job: WorkerJob) => {
  const results = job.parts.map((part) => parseManifestText({ name: part.name, text: part.text }, job.limits, { firstLine: part.firstLine }));
  const reply: WorkerReply = results.every(isJsonSafe) ? { json: JSON.stringify(results) } : { cloned: results };
  parentPort?.postMessage(reply);
});

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
