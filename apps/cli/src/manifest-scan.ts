import { runAdvisor, type AdvisorOptions } from '#rollsafe/advisor';
import { CLI_LIMITS, formatManifestError, parseManifests, readManifestPaths } from '#rollsafe/manifests';
import type { ScanReport } from './formatters/report.js';

/** Reads manifest paths (or - for stdin), runs the advisor, and reports errors and skipped documents on stderr. */
export async function scanManifests(
  paths: string[],
  advisorOptions: AdvisorOptions,
  readStdin: () => Promise<string>,
  stderr: (text: string) => void,
): Promise<ScanReport> {
  const read = await readManifestPaths(paths, readStdin);
  const parsedManifests = parseManifests(read.inputs, CLI_LIMITS);
  const inputErrors = [...read.errors, ...parsedManifests.errors];
  const snapshot = parsedManifests.snapshot;
  const result = runAdvisor(snapshot, advisorOptions);

  for (const error of inputErrors) stderr(`rollsafe: error: ${formatManifestError(error)}\n`);
  for (const warning of snapshot.warnings) {
    const where = warning.location ? `${warning.location.file}:${warning.location.line}: ` : '';
    stderr(`rollsafe: warning: ${where}${warning.message}\n`);
  }
  return { result, inputErrors, warnings: snapshot.warnings, fileCount: read.inputs.length, resourceCount: snapshot.locations.size };
}
