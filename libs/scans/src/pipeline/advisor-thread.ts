// The advisor step of scans on a thread of their own, one at a time, under each scan's budget
// (ScanEngine): the heap is capped by the thread's resource limits and the thread is terminated
// at a scan's deadline, so a pathological input fails its scan and the worker's event loop (job
// locks, other scans) never waits on it. The thread is kept between scans (its rules stay
// compiled). A kept upload's snapshot arrives as its codec text and is decoded here; the answer
// goes back as JSON text. Loaded as compiled JavaScript.
import { parentPort } from 'node:worker_threads';
import type { Snapshot } from '#rollsafe/advisor';
import type { EngineOptions } from '../scan-engine.js';
import { advise, type VerdictSettings } from './advise.js';
import { decodeSnapshot } from './snapshot-codec.js';

interface AdviceRequest {
  snapshot?: Snapshot;
  snapshotText?: string;
  options: EngineOptions;
  verdicts?: VerdictSettings;
}

parentPort?.on('message', (request: AdviceRequest) => {
  try {
    const snapshot = request.snapshotText !== undefined ? decodeSnapshot(request.snapshotText) : request.snapshot;
    if (!snapshot) throw new Error('the kept snapshot is of another codec version');
    parentPort?.postMessage({ text: JSON.stringify(advise(snapshot, request.options, request.verdicts)) });
  } catch (error) {
    parentPort?.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
});
