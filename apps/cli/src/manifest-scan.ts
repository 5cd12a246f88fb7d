import { runAdvisor, SnapshotIndex, RULES, type AdvisorOptions } from '#rollsafe/advisor';
import os from 'node:os';
import { CLI_LIMITS, formatManifestError, parseManifestsParallel, readManifestPaths } from '#rollsafe/manifests';
import { serviceVerdicts } from '#rollsafe/simulator';
import type { ScanReport } from './formatters/report.js';

/** Reads manifest paths (or - for stdin), runs the advisor, and reports errors and skipped documents on stderr. */
export async function scanManifests(
  paths: string[],
  advisorOptions: AdvisorOptions,
  readStdin: () => Promise<string>,
  stderr: (text: string) => void,
): Promise<ScanReport> {
  const read = await readManifestPaths(paths, readStdin);
  const parsedManifests = await parseManifestsParallel(read.inputs, CLI_LIMITS, { threads: parseThreads() });
  const inputErrors = [...read.errors, ...parsedManifests.errors];
  const snapshot = parsedManifests.snapshot;
  const index = new SnapshotIndex(snapshot); // one index for the rules and the verdicts
  const result = runAdvisor(snapshot, advisorOptions, RULES, index);

  for (const error of inputErrors) stderr(`rollsafe: error: ${formatManifestError(error)}\n`);
  for (const warning of snapshot.warnings) {
    const where = warning.location ? `${warning.location.file}:${warning.location.line}: ` : '';
    stderr(`rollsafe: warning: ${where}${warning.message}\n`);
  }
  const verdicts = serviceVerdicts(snapshot, { ...(advisorOptions.provider ? { provider: advisorOptions.provider } : {}), findings: result.findings, index });
  return {
    result,
    verdicts,
    inputErrors,
    warnings: snapshot.warnings,
    fileCount: read.inputs.length,
    resourceCount: snapshot.locations.size,
    inputs: read.inputs,
  };
}

/** Threads that parse manifests (the calling one included): ROLLSAFE_PARSE_THREADS, else the cores Node may use, at most 4. */
function parseThreads(): number {
  const fromEnv = Number(process.env['ROLLSAFE_PARSE_THREADS']);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : Math.min(os.availableParallelism(), 4);
}
