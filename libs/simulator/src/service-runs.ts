// A Service's verdict shows the worst of its runs: each workload behind it simulated behind each
// load balancer in front of it.
import type { SimulationMemo } from './simulation-memo.js';
import type { SimulationInput, SimulationResult } from './types.js';

/** The run that drops the most traffic (the first of equals), with its result. `runs` is not empty. */
export function worstRun<R extends { input: SimulationInput }>(memo: SimulationMemo, runs: readonly R[]): { run: R; result: SimulationResult } {
  let worst: { run: R; result: SimulationResult } | undefined;
  for (const run of runs) {
    const result = memo.simulate(run.input);
    if (!worst || rank(result) > rank(worst.result)) worst = { run, result };
  }
  if (!worst) throw new Error('a Service with no run to simulate');
  return worst;
}

export function rank(result: SimulationResult): number {
  return (result.verdict === 'drops' ? 1e9 : 0) + result.droppedTrafficSeconds + result.windows.length * 1e-6;
}
