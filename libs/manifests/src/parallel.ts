import { Worker } from 'node:worker_threads';
import type { ManifestError } from './errors.js';
import { DEFAULT_LIMITS, type ManifestLimits } from './limits.js';
import { buildSnapshot, parseManifests, type ParseResult } from './parse.js';
import { parseManifestText, type ManifestInput, type ParsedText } from './parse-text.js';
import { splitDocuments } from './split.js';

/** A slice of one input, at document boundaries, with the file line of its first character. */
interface Part {
  input: number;
  name: string;
  text: string;
  firstLine: number;
}

export interface WorkerJob {
  parts: { name: string; text: string; firstLine: number }[];
  limits: ManifestLimits;
}

export type WorkerReply = { json: string } | { cloned: ParsedText[] };

export interface ParallelOptions {
  /** Threads that parse, the calling thread included. Default 1 (no worker). */
  threads?: number;
  /** Below this many bytes in all, one thread parses (a worker costs about 30 ms to start). Default 2 MB. */
  minBytes?: number;
  /** The compiled worker script; default `parse-worker.js` next to this module. */
  workerUrl?: URL;
}

/**
 * `parseManifests` across worker_threads: the inputs are cut at document boundaries into one
 * share per thread, the calling thread parses the first share while workers parse the others,
 * and the snapshot is built from the shares in file order. The result equals
 * `parseManifests(inputs, limits)`: same documents, lines, errors, warnings and limits.
 */
export async function parseManifestsParallel(
  inputs: ManifestInput[],
  limits: Partial<ManifestLimits> = {},
  options: ParallelOptions = {},
): Promise<ParseResult> {
  const effective: ManifestLimits = { ...DEFAULT_LIMITS, ...limits };
  const threads = Math.max(1, Math.floor(options.threads ?? 1));
  const totalBytes = inputs.reduce((sum, input) => sum + input.text.length, 0);
  const shares = threads > 1 && totalBytes >= (options.minBytes ?? 2 * 1024 * 1024) ? planShares(inputs, threads, effective) : undefined;
  if (!shares || shares.length < 2) return parseManifests(inputs, effective);

  const workerUrl = options.workerUrl ?? new URL('./parse-worker.js', import.meta.url);
  const pending = shares
    .slice(1)
    .map((share) => runWorker(workerUrl, { parts: share.map(({ name, text, firstLine }) => ({ name, text, firstLine })), limits: effective }));
  const first = shares[0]?.map((part) => parseManifestText({ name: part.name, text: part.text }, effective, { firstLine: part.firstLine })) ?? [];
  const results = [first, ...(await Promise.all(pending))];

  // Put the parts back together per input, in order, and apply the document limit as the
  // single-threaded parse does: an input that would pass it is refused whole.
  const perInput: ParsedText[][] = inputs.map(() => []);
  shares.forEach((share, s) => share.forEach((part, p) => perInput[part.input]?.push(results[s]?.[p] as ParsedText)));
  const merged: ParsedText[] = [];
  let documentCount = 0;
  inputs.forEach((input, index) => {
    const one = mergeParts(input.name, perInput[index] ?? []);
    const left = effective.maxDocuments - documentCount;
    if (one.documentCount > left || one.errors.some((e) => e.code === 'TOO_MANY_DOCUMENTS')) {
      const error: ManifestError = {
        code: 'TOO_MANY_DOCUMENTS',
        file: input.name,
        message: `too many YAML documents: the limit is ${effective.maxDocuments} in one scan`,
      };
      merged.push({ file: input.name, documents: [], errors: [error], duplicateKeys: [], documentCount: 0 });
      return;
    }
    documentCount += one.documents.length === 0 ? 0 : one.documentCount;
    merged.push(one);
  });
  return buildSnapshot(merged);
}

function mergeParts(file: string, parts: ParsedText[]): ParsedText {
  if (parts.length === 1 && parts[0]) return parts[0];
  const merged: ParsedText = { file, documents: [], errors: [], duplicateKeys: [], documentCount: 0 };
  for (const part of parts) {
    merged.documents.push(...part.documents);
    merged.errors.push(...part.errors);
    merged.duplicateKeys.push(...part.duplicateKeys);
    merged.documentCount += part.documentCount;
  }
  return merged;
}

/**
 * Cuts the inputs into `threads` shares of about equal size, each a list of parts in input
 * order. A large input is cut at its `---` markers; one that cannot be cut (directives, `...`)
 * or is over the size limit stays whole (the size check needs all of it).
 */
function planShares(inputs: ManifestInput[], threads: number, limits: ManifestLimits): Part[][] | undefined {
  const totalBytes = inputs.reduce((sum, input) => sum + input.text.length, 0);
  // The calling thread also turns the workers' JSON back into objects (about 0.4 of a parse),
  // so it takes a smaller share: with one worker, 44 % against 56 %.
  const weights = [threads === 2 ? 0.8 : 0.5, ...Array<number>(threads - 1).fill(1)];
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const targets = weights.map((weight) => (totalBytes * weight) / totalWeight);
  const shares: Part[][] = [[]];
  let shareBytes = 0;
  const target = (): number => targets[shares.length - 1] ?? totalBytes;
  const add = (part: Part): void => {
    if (shareBytes >= target() && shares.length < threads) {
      shares.push([]);
      shareBytes = 0;
    }
    shares[shares.length - 1]?.push(part);
    shareBytes += part.text.length;
  };
  inputs.forEach((input, index) => {
    const text = input.text;
    const cuttable =
      text.length > totalBytes / threads / 4 && !looksLikeJson(input) && Buffer.byteLength(text, 'utf8') <= limits.maxBytes && !text.includes('\u0000');
    const spans = cuttable ? splitDocuments(text) : undefined;
    if (!spans || spans.length < 2) {
      add({ input: index, name: input.name, text, firstLine: 1 });
      return;
    }
    // Cut where the current share reaches its target.
    let start = 0;
    let line = 1;
    for (const span of spans) {
      if (span.start > start && shareBytes + (span.start - start) >= target() && shares.length < threads) {
        add({ input: index, name: input.name, text: text.slice(start, span.start), firstLine: line });
        line = span.line;
        start = span.start;
      }
    }
    add({ input: index, name: input.name, text: text.slice(start), firstLine: line });
  });
  return shares.filter((share) => share.length > 0);
}

function runWorker(url: URL, job: WorkerJob): Promise<ParsedText[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(url, { resourceLimits: { maxYoungGenerationSizeMb: 64 } });
    worker.once('message', (reply: WorkerReply) => {
      resolve('json' in reply ? (JSON.parse(reply.json) as ParsedText[]) : reply.cloned);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`parse worker exited with code ${code}`));
    });
    worker.postMessage(job);
  });
}

function looksLikeJson(input: ManifestInput): boolean {
  return input.name.toLowerCase().endsWith('.json') || /^\s*[[{]/.test(input.text);
}
