import type { AdvisorResult } from '#rollsafe/advisor';
import type { VerdictSummary } from '#rollsafe/simulator';
import { CHUNK_CHARS, members, membersAfterVerdicts, membersBeforeVerdicts } from '../formatters/json.js';
import type { ShardOutput } from './scan-shard.js';

/** A scan split by namespace (sharded-scan.ts): what main.ts needs to write it and choose the exit code. */
export interface ShardedScan {
  /** The JSON output in pieces: the bytes `formatJson` writes for the same scan on one thread. */
  json: () => Generator<string>;
  summary: AdvisorResult['summary'];
  verdictSummary: VerdictSummary;
  /** Threads the scan was split across, the calling one included. */
  shards: number;
}

export interface MergedShards {
  outputs: ShardOutput[];
  /** [shard, index] of each finding and verdict, in output order. */
  findingOrder: Array<[number, number]>;
  verdictOrder: Array<[number, number]>;
  summary: AdvisorResult['summary'];
  verdictSummary: VerdictSummary;
  result: ShardOutput['result'];
  shards: number;
}

export function shardedJson(merged: MergedShards): ShardedScan {
  const { outputs, findingOrder, verdictOrder, summary, verdictSummary, result } = merged;
  function* json(): Generator<string> {
    yield '{"findings":[';
    yield* elements(findingOrder, (shard) => [outputs[shard]?.findings ?? '', outputs[shard]?.findingEnds ?? []]);
    // A sharded scan has no warnings (a shard with one is scanned again on one thread) and no input errors.
    yield `],${members(membersBeforeVerdicts({ ...result, summary }, []))}`;
    yield ',"verdicts":[';
    yield* elements(verdictOrder, (shard) => [outputs[shard]?.verdicts ?? '', outputs[shard]?.verdictEnds ?? []]);
    yield ']';
    yield `,${members(membersAfterVerdicts(verdictSummary, [], []))}}\n`;
  }
  return { json, summary, verdictSummary, shards: merged.shards };
}

/** The items' JSON, comma-separated, in chunks of about CHUNK_CHARS (as formatJson's arrayElements). */
function* elements(order: Array<[number, number]>, textOf: (shard: number) => [string, number[]]): Generator<string> {
  let chunk: string[] = [];
  let chars = 0;
  let first = true;
  for (const [shard, index] of order) {
    const [text, ends] = textOf(shard);
    const start = index === 0 ? 0 : (ends[index - 1] as number);
    const end = ends[index] as number;
    chunk.push(text.slice(start, end));
    chars += end - start;
    if (chars >= CHUNK_CHARS) {
      yield (first ? '' : ',') + chunk.join(',');
      first = false;
      chunk = [];
      chars = 0;
    }
  }
  if (chunk.length > 0) yield (first ? '' : ',') + chunk.join(',');
}
