import type { DetectedProvider } from '#rollsafe/advisor';
import type { ProviderVote, ShardJob, ShardOutput } from './scan-shard.js';

/** The calling thread to a shard thread: its shard, then the provider agreed over every shard. */
export type ToShard = { type: 'scan'; job: ShardJob } | { type: 'provider'; detected: DetectedProvider };

/** A shard thread to the calling thread: its votes (or why it cannot be scanned apart), then its output. */
export type FromShard = { type: 'votes'; votes: ProviderVote[] } | { type: 'refused'; reason: string } | { type: 'output'; output: ShardOutput };
