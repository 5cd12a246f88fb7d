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
  const index = new SnapshotIndex(snapshot, advisorOptions.kubernetesVersion ? { kubernetesVersion: advisorOptions.kubernetesVersion } : {}); // one index for the rules and the verdicts
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

/**
 * Threads that parse manifests (the calling one included): ROLLSAFE_PARSE_THREADS, else up to 4
 * when Node may use 4 cores or more. On 2 cores a worker does not pay: it saves half the parse
 * but the objects it sends back cost the main thread about 0.4 of a parse to rebuild, and a
 * second busy core is rarely idle in CI (bench/manifest-scan prints the speed-up per thread count).
 */
function parseThreads(): number {
  const fromEnv = Number(process.env['ROLLSAFE_PARSE_THREADS']);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  const cores = os.availableParallelism();
  return cores >= 4 ? Math.min(cores, 4) : 1;
}
