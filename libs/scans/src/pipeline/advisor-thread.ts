// The advisor step of one scan on its own thread, under the scan's budget (ScanEngine): the
// heap is capped by the thread's resource limits and the thread is terminated at the
// deadline, so a pathological input fails its scan and the worker's event loop (job locks,
// other scans) never waits on it. A kept upload's snapshot arrives as its codec text and is
// decoded here; the answer goes back as JSON text. Loaded as compiled JavaScript.
import { parentPort, workerData } from 'node:worker_threads';
import type { Snapshot } from '#rollsafe/advisor';
import type { EngineOptions } from '../scan-engine.js';
import { advise, type VerdictSettings } from './advise.js';
import { decodeSnapshot } from './snapshot-codec.js';

const input = workerData as { snapshot?: Snapshot; snapshotText?: string; options: EngineOptions; verdicts?: VerdictSettings };
const snapshot = input.snapshotText !== undefined ? decodeSnapshot(input.snapshotText) : input.snapshot;
if (!snapshot) throw new Error('the kept snapshot is of another codec version');
parentPort?.postMessage(JSON.stringify(advise(snapshot, input.options, input.verdicts)));
