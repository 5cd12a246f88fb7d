// The simulations of a scan's verdicts on a worker thread, while the calling thread runs the
// rules: prepareVerdicts gives each Service's inputs, the thread simulates them and searches
// fixes as finishVerdicts would, and sends back its memo's entries (results and fix plans, a
// few hundred bytes each); finishVerdicts then reads every simulation from that memo.
import { Worker } from 'node:worker_threads';
import { worstRun } from './service-runs.js';
import { SimulationMemo, type TransferredEntry } from './simulation-memo.js';
import type { SimulationInput } from './types.js';

export interface SimulationJob {
  /** Each Service's inputs (simulationGroups). */
  groups: SimulationInput[][];
  /** Search fixes for the worst run of each Service. */
  fixes: boolean;
}

export interface SimulationReply {
  entries: TransferredEntry[];
}

/** What the worker does with a job; also callable in the calling thread. */
export function runSimulations(job: SimulationJob): SimulationReply {
  const memo = new SimulationMemo();
  for (const inputs of job.groups) {
    const { run, result } = worstRun(
      memo,
      inputs.map((input) => ({ input })),
    );
    if (job.fixes) memo.planFixes(run.input, result);
  }
  return { entries: memo.transferable() };
}

/**
 * One worker thread, started before it has work so that it loads its modules while the caller
 * reads and parses. A worker that fails leaves the simulations to the calling thread (an empty
 * memo: finishVerdicts simulates what it does not find).
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

  /** The memo of `job`'s simulations. */
  async run(job: SimulationJob): Promise<SimulationMemo> {
    const reply = new Promise<SimulationReply>((resolve) => this.worker.once('message', resolve));
    this.worker.postMessage(job);
    const outcome = await Promise.race([reply, this.failed]);
    return outcome ? SimulationMemo.from(outcome.entries) : new SimulationMemo();
  }

  close(): void {
    void this.worker.terminate();
  }
}
