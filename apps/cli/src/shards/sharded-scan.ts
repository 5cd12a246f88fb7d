import type { Worker as WorkerThread } from 'node:worker_threads';
import type { AdvisorOptions } from '#rollsafe/advisor';
import { inputLength, type ManifestInput, type ManifestLimits } from '#rollsafe/manifests';
import { compareNames } from '#rollsafe/simulator';
import type { FromShard, ToShard } from './messages.js';
import { agreeProvider, finishShard, prepareShard, type ProviderVote, type ShardJob, type ShardOutput } from './scan-shard.js';
import { shardedJson, type ShardedScan } from './sharded-json.js';
import { planNamespaceShards } from './shard-plan.js';

export interface ShardOptions {
  /** Threads, each scanning a shard of namespaces, the calling thread included. */
  threads: number;
  /** Below this many characters in all, one thread scans (a shard thread costs about 0.3 s to start). */
  minChars: number;
  /** The compiled shard worker; default `shard-worker.js` next to this module. */
  workerUrl?: URL;
}

/**
 * The scan (parse, rules, verdicts) split by namespace across threads, for the JSON output:
 * every namespace's documents are parsed and judged in one thread, the calling thread among
 * them, and the findings and verdicts merged in the order the one-thread scan gives, so that the
 * output is the same bytes. `undefined` when the inputs cannot be split (see
 * planNamespaceShards), a shard finds an error or a warning, a document of a namespace not its
 * own, or a thread fails: the caller then scans on one thread, which reports what it finds.
 */
export async function scanManifestsSharded(
  inputs: readonly ManifestInput[],
  advisorOptions: AdvisorOptions,
  limits: ManifestLimits,
  options: ShardOptions,
): Promise<ShardedScan | undefined> {
  if (options.threads < 2) return undefined;
  const chars = inputs.reduce((sum, input) => sum + inputLength(input), 0);
  const inputNames = inputs.map((input) => input.name);
  if (chars < options.minChars || new Set(inputNames).size !== inputNames.length) return undefined;
  const plan = planNamespaceShards(inputs, options.threads, limits);
  if (!plan) return undefined;
  const jobs: ShardJob[] = plan.map((shard) => ({ text: shard.text, parts: shard.parts, namespaces: shard.namespaces, limits, advisorOptions, inputNames }));
  const [ownJob, ...otherJobs] = jobs as [ShardJob, ...ShardJob[]];

  // Loaded here: a one-thread scan does not pay for worker_threads. The threads start before
  // the calling thread parses its own shard, which blocks the event loop.
  const { Worker } = await import('node:worker_threads');
  const url = options.workerUrl ?? new URL('./shard-worker.js', import.meta.url);
  const threads = otherJobs.map((job) => new ShardThread(Worker, url, job));
  try {
    const own = prepareShard(ownJob);
    if ('refused' in own) return undefined;
    const votes: ProviderVote[][] = [];
    for (const thread of threads) {
      const reply = await thread.next();
      if (reply?.type !== 'votes') return undefined;
      votes.push(reply.votes);
    }
    const detected = agreeProvider([...own.votes, ...votes.flat()]);
    for (const thread of threads) thread.tell({ type: 'provider', detected });
    const outputs = [finishShard(own, detected, ownJob)];
    for (const thread of threads) {
      const reply = await thread.next();
      if (reply?.type !== 'output') return undefined;
      outputs.push(reply.output);
    }
    return mergeShards(outputs, limits);
  } finally {
    for (const thread of threads) thread.stop();
  }
}

function mergeShards(outputs: ShardOutput[], limits: ManifestLimits): ShardedScan | undefined {
  const first = outputs[0] as ShardOutput;
  // Every shard ran the rules for the same provider and version; a difference is a bug, and the one-thread scan is right.
  const ran = JSON.stringify(first.result);
  if (outputs.some((output) => JSON.stringify(output.result) !== ran)) return undefined;
  if (outputs.reduce((sum, output) => sum + output.documentCount, 0) > limits.maxDocuments) return undefined;
  const summary = { critical: 0, warning: 0, info: 0, suppressed: 0, notEvaluated: first.summary.notEvaluated };
  const verdictSummary = { services: 0, drops: 0, safe: 0, unknown: 0 };
  for (const output of outputs) {
    summary.critical += output.summary.critical;
    summary.warning += output.summary.warning;
    summary.info += output.summary.info;
    summary.suppressed += output.summary.suppressed;
    verdictSummary.services += output.verdictSummary.services;
    verdictSummary.drops += output.verdictSummary.drops;
    verdictSummary.safe += output.verdictSummary.safe;
    verdictSummary.unknown += output.verdictSummary.unknown;
  }
  const findingOrder = mergeOrder(
    outputs.map((output) => output.findingKeys.length),
    (a, i, b, j) => {
      const x = outputs[a]?.findingKeys[i] as string;
      const y = outputs[b]?.findingKeys[j] as string;
      return x < y ? -1 : x > y ? 1 : 0;
    },
  );
  const verdictOrder = mergeOrder(
    outputs.map((output) => output.verdictEnds.length),
    (a, i, b, j) => {
      const x = outputs[a]?.verdictNames as string[];
      const y = outputs[b]?.verdictNames as string[];
      return compareNames(x[2 * i] as string, y[2 * j] as string) || compareNames(x[2 * i + 1] as string, y[2 * j + 1] as string);
    },
  );
  return shardedJson({ outputs, findingOrder, verdictOrder, summary, verdictSummary, result: first.result, shards: outputs.length });
}

/**
 * Merges N sorted lists into one order, as [list, index] pairs: the lowest head each time, the
 * earlier list on a tie (ties are within one namespace, so within one list, in practice).
 */
function mergeOrder(lengths: number[], compare: (a: number, i: number, b: number, j: number) => number): Array<[number, number]> {
  const heads = lengths.map(() => 0);
  const order: Array<[number, number]> = [];
  const total = lengths.reduce((sum, length) => sum + length, 0);
  while (order.length < total) {
    let best = -1;
    for (let list = 0; list < lengths.length; list++) {
      if ((heads[list] as number) >= (lengths[list] as number)) continue;
      if (best === -1 || compare(list, heads[list] as number, best, heads[best] as number) < 0) best = list;
    }
    order.push([best, heads[best] as number]);
    heads[best] = (heads[best] as number) + 1;
  }
  return order;
}

/** A shard's worker thread, its replies read one at a time; a failed thread answers undefined. */
class ShardThread {
  private readonly worker: WorkerThread;
  private readonly replies: Array<FromShard | undefined> = [];
  private waiting: ((reply: FromShard | undefined) => void) | undefined;
  private failed = false;

  constructor(Worker: typeof WorkerThread, url: URL, job: ShardJob) {
    this.worker = new Worker(url);
    this.worker.on('message', (reply: FromShard) => this.deliver(reply));
    this.worker.once('error', () => this.fail());
    this.worker.once('exit', () => this.fail());
    this.tell({ type: 'scan', job });
  }

  tell(message: ToShard): void {
    this.worker.postMessage(message);
  }

  next(): Promise<FromShard | undefined> {
    if (this.replies.length > 0) return Promise.resolve(this.replies.shift());
    if (this.failed) return Promise.resolve(undefined);
    return new Promise((resolve) => (this.waiting = resolve));
  }

  stop(): void {
    this.worker.removeAllListeners();
    void this.worker.terminate();
  }

  private deliver(reply: FromShard | undefined): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting) waiting(reply);
    else this.replies.push(reply);
  }

  private fail(): void {
    if (this.failed) return;
    this.failed = true;
    this.deliver(undefined);
  }
}
