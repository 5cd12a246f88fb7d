// The simulations of a scan's verdicts on a worker thread, while the calling thread runs the
// rules: prepareVerdicts gives each Service's runs as plain data, the thread simulates them and
// searches fixes (simulateVerdicts), and sends back the verdicts, which citeFindings completes.
import { Worker } from 'node:worker_threads';
import type { ServiceVerdict } from './types.js';
import { simulateVerdicts, type PreparedVerdicts } from './verdicts.js';

/** The worker's verdicts: as JSON when JSON keeps every value, else structured-cloned. */
export type SimulationReply = { json: string } | { cloned: ServiceVerdict[] };

export interface SimulationJob {
  prepared: PreparedVerdicts;
  /** Search fixes for the Services that drop traffic. */
  fixes: boolean;
}

/**
 * One worker thread, started before it has work so that it loads its modules while the caller
 * parses. A worker that fails leaves the simulations to the calling thread.
 */
export class SimulationThread {
  private readonly worker: Worker;
  private readonly failed: Promise<void>;

  constructor(workerUrl: URL = new URL('./simulation-worker.js', import.meta.url)) {
    this.worker = new Worker(workerUrl);
    this.failed = new Promise((resolve) => {
      this.worker.once('error', () => resolve());
      this.worker.once('exit', () => resolve());
    });
  }

  /** `simulateVerdicts(job.prepared, job.fixes)`, on the thread. */
  async simulate(job: SimulationJob): Promise<ServiceVerdict[]> {
    const reply = new Promise<SimulationReply>((resolve) => this.worker.once('message', resolve));
    this.worker.postMessage(job);
    const outcome = await Promise.race([reply, this.failed]);
    if (!outcome) return simulateVerdicts(job.prepared, job.fixes);
    return 'json' in outcome ? (JSON.parse(outcome.json) as ServiceVerdict[]) : outcome.cloned;
  }

  close(): void {
    void this.worker.terminate();
  }
}
