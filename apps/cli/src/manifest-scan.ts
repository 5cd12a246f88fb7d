import { runAdvisor, SnapshotIndex, RULES, type AdvisorOptions } from '#rollsafe/advisor';
import os from 'node:os';
import { CLI_LIMITS, formatManifestError, parseManifestsParallel, readManifestPaths } from '#rollsafe/manifests';
import { citeFindings, prepareVerdicts, simulateVerdicts, SimulationThread } from '#rollsafe/simulator';
import type { ScanReport } from './formatters/report.js';

/** Reads manifest paths (or - for stdin), runs the advisor, and reports errors and skipped documents on stderr. */
export async function scanManifests(
  paths: string[],
  advisorOptions: AdvisorOptions,
  readStdin: () => Promise<string>,
  stderr: (text: string) => void,
): Promise<ScanReport> {
  const threads = scanThreads();
  const read = await readManifestPaths(paths, readStdin);
  // Started before the parse, the simulation thread loads its modules meanwhile.
  const simulations = threads >= 2 && totalLength(read.inputs) >= SIMULATION_THREAD_MIN_CHARS ? new SimulationThread() : undefined;
  try {
    const parsedManifests = await parseManifestsParallel(read.inputs, CLI_LIMITS, { threads: threads >= 3 ? threads : 1 });
    const inputErrors = [...read.errors, ...parsedManifests.errors];
    const snapshot = parsedManifests.snapshot;
    const index = new SnapshotIndex(snapshot, advisorOptions.kubernetesVersion ? { kubernetesVersion: advisorOptions.kubernetesVersion } : {}); // one index for the rules and the verdicts
    const prepared = prepareVerdicts(snapshot, { ...(advisorOptions.provider ? { provider: advisorOptions.provider } : {}), index });
    const simulated = simulations?.simulate({ prepared, fixes: true });
    const result = runAdvisor(snapshot, advisorOptions, RULES, index);

    for (const error of inputErrors) stderr(`rollsafe: error: ${formatManifestError(error)}\n`);
    for (const warning of snapshot.warnings) {
      const where = warning.location ? `${warning.location.file}:${warning.location.line}: ` : '';
      stderr(`rollsafe: warning: ${where}${warning.message}\n`);
    }
    const verdicts = citeFindings((await simulated) ?? simulateVerdicts(prepared, true), result.findings);
    return {
      result,
      verdicts,
      inputErrors,
      warnings: snapshot.warnings,
      fileCount: read.inputs.length,
      resourceCount: snapshot.locations.size,
      inputs: read.inputs,
    };
  } finally {
    simulations?.close();
  }
}

/** Below this much input a scan's simulations take less than a thread takes to start (about 0.1 s). */
const SIMULATION_THREAD_MIN_CHARS = 1024 * 1024;

function totalLength(inputs: ReadonlyArray<{ text: string }>): number {
  return inputs.reduce((sum, input) => sum + input.text.length, 0);
}

/**
 * Threads a manifest scan uses, the calling one included: ROLLSAFE_SCAN_THREADS (or its older
 * name ROLLSAFE_PARSE_THREADS), else up to 4 when Node may use 4 cores or more, else 1. With 2,
 * a worker runs the verdicts' simulations while this thread runs the rules; with 3 or more, the
 * parse is also cut across that many threads. On 2 cores a parse worker does not pay: it saves
 * half the parse, but the objects it sends back cost this thread about as much to rebuild and
 * collect (bench/manifest-scan prints the speed-up per thread count).
 */
function scanThreads(): number {
  for (const name of ['ROLLSAFE_SCAN_THREADS', 'ROLLSAFE_PARSE_THREADS']) {
    const fromEnv = Number(process.env[name]);
    if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  }
  const cores = os.availableParallelism();
  return cores >= 4 ? Math.min(cores, 4) : 1;
}
