// The advisor step of one scan on its own thread, under the scan's budget (ScanEngine): the
// heap is capped by the thread's resource limits and the thread is terminated at the
// deadline, so a pathological input fails its scan and the worker's event loop (job locks,
// other scans) never waits on it. Loaded as compiled JavaScript.
import { parentPort, workerData } from 'node:worker_threads';
import { runAdvisor, type Snapshot } from '#rollsafe/advisor';
import type { EngineOptions } from '../scan-engine.js';

const { snapshot, options } = workerData as { snapshot: Snapshot; options: EngineOptions };
parentPort?.postMessage(runAdvisor(snapshot, options));
