import { parentPort } from 'node:worker_threads';
import { runSimulations, type SimulationJob } from './simulation-thread.js';

// A simulation worker: runs the simulations and fix searches of the Services it is given, as
// finishVerdicts would, and posts back its memo's entries.
parentPort?.on('message', (job: SimulationJob) => {
  parentPort?.postMessage(runSimulations(job));
});
