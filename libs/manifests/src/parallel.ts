import type { Worker as WorkerThread } from 'node:worker_threads';
import { DEFAULT_LIMITS, type ManifestLimits } from './limits.js';
import { buildSnapshot, parseManifests, type ParseResult } from './parse.js';
import { looksLikeJson, type BudgetedParse, type ManifestInput, type ParsedText } from './parse-text.js';
import { inputLength, isParted, mergeParts, parsePart, partsOfInput, partsTooLarge, type PartOfInput } from './parted-input.js';
import { splitDocuments } from './split.js';

/** A slice of one input, at document boundaries, with the file line of its first character. */
interface Part extends PartJob {
  input: number;
}

/** What a worker parses: a part of an input, named by the input's name. */
export type PartJob = PartOfInput;

export interface WorkerJob {
  parts: PartJob[];
  limits: ManifestLimits;
}

/** The parsed parts, as JSON or structured-cloned, and each part's document budget (see BudgetedParse). */
export type WorkerReply = ({ json: string } | { cloned: ParsedText[] }) & { budgets: Pick<BudgetedParse, 'budgetNeeded' | 'limitReached'>[] };

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
 *
 * Each part is parsed with the whole document limit left; a part that depends on how many
 * documents the parts ahead of it leave (it reaches the limit, or comes close) is parsed again
 * in the calling thread with that number, so that the limit gives the single-threaded error.
 */
export async function parseManifestsParallel(
  inputs: ManifestInput[],
  limits: Partial<ManifestLimits> = {},
  options: ParallelOptions = {},
): Promise<ParseResult> {
  const effective: ManifestLimits = { ...DEFAULT_LIMITS, ...limits };
  const threads = Math.max(1, Math.floor(options.threads ?? 1));
  const totalBytes = inputs.reduce((sum, input) => sum + inputLength(input), 0);
  const shares = threads > 1 && totalBytes >= (options.minBytes ?? 2 * 1024 * 1024) ? planShares(inputs, threads, effective) : undefined;
  if (!shares || shares.length < 2) return parseManifests(inputs, effective);

  const workerUrl = options.workerUrl ?? new URL('./parse-worker.js', import.meta.url);
  // worker_threads is loaded here, not at the top: a one-thread scan does not pay its start-up.
  // Every worker is started before the calling thread parses its own share, which blocks the
  // event loop: a worker created after it would start only once that share is done.
  const { Worker } = await import('node:worker_threads');
  // A worker that fails (out of memory, say) leaves its share to the calling thread.
  const pending = shares.slice(1).map((share) => parseInWorker(Worker, workerUrl, share, effective).catch(() => parseParts(share, effective)));
  const first = parseParts(shares[0] ?? [], effective);
  const results = [first, ...(await Promise.all(pending))];

  const perInput: { part: Part; parse: BudgetedParse }[][] = inputs.map(() => []);
  shares.forEach((share, s) => share.forEach((part, p) => perInput[part.input]?.push({ part, parse: results[s]?.[p] as BudgetedParse })));
  const merged: ParsedText[] = [];
  let documentCount = 0;
  inputs.forEach((input, index) => {
    const one = mergeParts(input.name, perInput[index] ?? [], effective.maxDocuments - documentCount, (part, left) => exactParse(part, effective, left));
    documentCount += one.documents.length === 0 ? 0 : one.documentCount;
    merged.push(one);
  });
  return buildSnapshot(merged);
}

export function parseParts(parts: PartJob[], limits: ManifestLimits): BudgetedParse[] {
  return parts.map((part) => parsePart(part, limits, limits.maxDocuments));
}

/** A part parsed with the whole document limit, parsed again when fewer documents are left than it needed. */
function exactParse({ part, parse }: { part: Part; parse: BudgetedParse }, limits: ManifestLimits, left: number): BudgetedParse {
  return parse.budgetNeeded <= left ? parse : parsePart(part, limits, left);
}

/**
 * Cuts the inputs into `threads` shares of about equal size, each a list of parts in input
 * order. A large input is cut at its `---` markers; one that cannot be cut (directives, `...`)
 * or is over the size limit stays whole (the size check needs all of it).
 */
function planShares(inputs: ManifestInput[], threads: number, limits: ManifestLimits): Part[][] | undefined {
  const totalBytes = inputs.reduce((sum, input) => sum + inputLength(input), 0);
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
    // An input read in parts was cut at its markers already (over the size limit, it stays whole for the error).
    if (isParted(input) && !partsTooLarge(input, limits.maxBytes)) {
      for (const part of partsOfInput(input)) add({ input: index, ...part });
      return;
    }
    const text = input.text;
    const cuttable =
      text.length > totalBytes / threads / 4 &&
      !looksLikeJson(input.name, text) &&
      Buffer.byteLength(text, 'utf8') <= limits.maxBytes &&
      !text.includes('\u0000');
    const spans = cuttable ? splitDocuments(text) : undefined;
    if (!spans || spans.length < 2) {
      add({ input: index, name: input.name, text, firstLine: 1, partOfMultiDocumentFile: false });
      return;
    }
    // Cut where the current share reaches its target.
    let start = 0;
    let line = 1;
    for (const span of spans) {
      if (span.start > start && shareBytes + (span.start - start) >= target() && shares.length < threads) {
        add({ input: index, name: input.name, text: text.slice(start, span.start), firstLine: line, partOfMultiDocumentFile: true });
        line = span.line;
        start = span.start;
      }
    }
    add({ input: index, name: input.name, text: text.slice(start), firstLine: line, partOfMultiDocumentFile: true });
  });
  return shares.filter((share) => share.length > 0);
}

/** Starts a worker on `parts` at once (the promise's executor runs synchronously). */
function parseInWorker(Worker: typeof WorkerThread, url: URL, parts: PartJob[], limits: ManifestLimits): Promise<BudgetedParse[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(url, { resourceLimits: { maxYoungGenerationSizeMb: 64 } });
    worker.once('message', (reply: WorkerReply) => {
      const parsed = 'json' in reply ? (JSON.parse(reply.json) as ParsedText[]) : reply.cloned;
      resolve(parsed.map((one, index) => ({ parsed: one, budgetNeeded: Infinity, limitReached: false, ...reply.budgets[index] })));
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`parse worker exited with code ${code}`));
    });
    const job: WorkerJob = {
      parts: parts.map(({ name, text, firstLine, partOfMultiDocumentFile }) => ({ name, text, firstLine, partOfMultiDocumentFile })),
      limits,
    };
    worker.postMessage(job);
  });
}
