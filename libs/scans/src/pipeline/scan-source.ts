import type { Snapshot } from '#rollsafe/advisor';
import type { ScanWarning, StartedScan } from '#rollsafe/store';
import type { JobContext } from '../jobs/catalog.js';
import type { EncodedSnapshot } from './snapshot-codec.js';

/** What a source hands the advisor: the snapshot and what the scan records about it. */
export interface SourcedSnapshot {
  /** The snapshot, or the text the API kept of an upload's (decoded on the advisor's thread). */
  snapshot: Snapshot | EncodedSnapshot;
  documentCount: number;
  /** Said before the advisor's own warnings (e.g. kinds the credentials cannot list). */
  warnings: ScanWarning[];
  /** The target's settings the rules read. */
  settings: { provider?: string | null; slbAttachmentQuota?: number | null };
  /** Whether the scan row records the provider the rules ran for (a cluster's, learnt from its nodes). */
  recordsProvider: boolean;
  /** Whether verdict timelines are drawn at scan time: the snapshot is not kept to draw them later (clusters). */
  drawTimelines: boolean;
  /** Runs once the result is written (a cluster records its version). */
  afterComplete?: () => Promise<void>;
  /** Extra fields for the scan's log line. */
  log?: Record<string, unknown>;
}

/** The input cannot give a result, now or on a retry: the scan fails with this message. */
export class ScanFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScanFailure';
  }
}

/** The input did not answer this time (an unreachable cluster): the queue retries the job. */
export class ScanRetry extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScanRetry';
  }
}

/** Where a scan's snapshot comes from: uploaded manifests or a live cluster. */
export interface ScanSource {
  /** Throws ScanFailure (the scan fails) or ScanRetry (the job is retried). */
  collect(started: StartedScan, context: Pick<JobContext, 'attempt' | 'maxAttempts'>): Promise<SourcedSnapshot>;
}
