import { parentPort } from 'node:worker_threads';
import { finishShard, prepareShard, type PreparedShard, type ShardJob } from './scan-shard.js';
import type { FromShard, ToShard } from './messages.js';

// A shard thread: parses its shard and posts the provider votes (or why it cannot be scanned
// apart), then, given the provider agreed over every shard, runs the rules and the verdicts and
// posts their JSON.
let job: ShardJob | undefined;
let prepared: PreparedShard | undefined;
parentPort?.on('message', (message: ToShard) => {
  if (message.type === 'scan') {
    job = message.job;
    const outcome = prepareShard(job);
    if ('refused' in outcome) return post({ type: 'refused', reason: outcome.refused });
    prepared = outcome;
    return post({ type: 'votes', votes: outcome.votes });
  }
  if (!job || !prepared) throw new Error('shard worker: told the provider before it was given a shard');
  post({ type: 'output', output: finishShard(prepared, message.detected, job) });
});

function post(message: FromShard): void {
  parentPort?.postMessage(message);
}
