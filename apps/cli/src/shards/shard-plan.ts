import { inputLength, looksLikeJson, type ManifestInput, type ManifestLimits } from '#rollsafe/manifests';
import { namespacedDocuments } from './document-namespace.js';

/** A run of whole documents of one input, all in one shard: where it lies in the shard's text. */
export interface ShardPart {
  input: number;
  start: number;
  end: number;
  /** The file line of `start`. */
  firstLine: number;
  /** Cut out of an input of several documents. */
  partOfMultiDocumentFile: boolean;
}

export interface Shard {
  /** The shard's documents, in input order, as one string (one copy to send to a thread, not thousands). */
  text: string;
  parts: ShardPart[];
  /** Every namespace whose documents are in this shard and no other. */
  namespaces: string[];
  bytes: number;
}

/**
 * The busiest shard may hold at most this share of the bytes: past it, the other shards finish
 * early and wait, and splitting costs more than it saves.
 */
const MOST_UNEVEN = 0.75;

/**
 * Deals the inputs' documents into `count` shards by namespace, every namespace in one shard,
 * the shards about equal in bytes. `undefined` when the inputs cannot be split that way: a
 * document the rules read across namespaces (a Node, a Namespace, a webhook configuration, a
 * list), one whose namespace its text does not show plainly, JSON, directives, an input over
 * the size limit, more documents than the limit, fewer than two namespaces, or shards too uneven.
 */
export function planNamespaceShards(inputs: readonly ManifestInput[], count: number, limits: ManifestLimits): Shard[] | undefined {
  const documents: Array<{ input: number; piece: number; text: string; start: number; end: number; line: number; multi: boolean; namespace: string }> = [];
  const bytesByNamespace = new Map<string, number>();
  let pieceCount = 0;
  for (const [input, manifest] of inputs.entries()) {
    const pieces = manifest.parts ?? [{ text: manifest.text, firstLine: 1 }];
    if (inputLength(manifest) * 3 > limits.maxBytes || looksLikeJson(manifest.name, pieces[0]?.text ?? '')) return undefined;
    for (const piece of pieces) {
      pieceCount++;
      if (piece.text.includes('\u0000')) return undefined;
      const spans = namespacedDocuments(piece.text, limits.maxDocuments + 1);
      if (!spans) return undefined;
      const multi = manifest.parts !== undefined || spans.length > 1;
      for (const { start, end, line, namespace } of spans) {
        documents.push({ input, piece: pieceCount, text: piece.text, start, end, line: piece.firstLine - 1 + line, multi, namespace });
        bytesByNamespace.set(namespace, (bytesByNamespace.get(namespace) ?? 0) + end - start);
      }
      if (documents.length > limits.maxDocuments) return undefined;
    }
  }
  if (bytesByNamespace.size < 2) return undefined;

  const shards: Shard[] = Array.from({ length: Math.min(count, bytesByNamespace.size) }, () => ({ text: '', parts: [], namespaces: [], bytes: 0 }));
  const shardOf = new Map<string, Shard>();
  // Largest namespace first, each to the lightest shard; ties by name, so the plan is the same every run.
  const bySize = [...bytesByNamespace].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1));
  for (const [namespace, bytes] of bySize) {
    const lightest = shards.reduce((best, shard) => (shard.bytes < best.bytes ? shard : best));
    lightest.namespaces.push(namespace);
    lightest.bytes += bytes;
    shardOf.set(namespace, lightest);
  }
  const total = shards.reduce((sum, shard) => sum + shard.bytes, 0);
  if (shards.some((shard) => shard.bytes > total * MOST_UNEVEN)) return undefined;

  // Adjacent documents of one piece of text in the same shard make one part.
  const runs = new Map<Shard, Array<{ first: (typeof documents)[number]; end: number }>>(shards.map((shard) => [shard, []]));
  for (const document of documents) {
    const shardRuns = runs.get(shardOf.get(document.namespace) as Shard) as Array<{ first: (typeof documents)[number]; end: number }>;
    const last = shardRuns[shardRuns.length - 1];
    if (last && last.first.piece === document.piece && last.end === document.start) last.end = document.end;
    else shardRuns.push({ first: document, end: document.end });
  }
  for (const shard of shards) {
    const pieces: string[] = [];
    let length = 0;
    for (const { first, end } of runs.get(shard) ?? []) {
      pieces.push(first.text.slice(first.start, end));
      shard.parts.push({ input: first.input, start: length, end: length + end - first.start, firstLine: first.line, partOfMultiDocumentFile: first.multi });
      length += end - first.start;
    }
    shard.text = pieces.join('');
  }
  return shards;
}
