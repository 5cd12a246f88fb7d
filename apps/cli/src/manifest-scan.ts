import type { AdvisorOptions } from '#rollsafe/advisor';
import os from 'node:os';
import { CLI_LIMITS, formatManifestError, parseManifestsParallel, readManifestPaths, type ReadResult } from '#rollsafe/manifests';
import type { ScanReport } from './formatters/report.js';
import { judgeSnapshot } from './judge.js';
import { scanManifestsSharded } from './shards/sharded-scan.js';
import type { ShardedScan } from './shards/sharded-json.js';

/** Reads manifest paths (or - for stdin), runs the advisor, and reports errors and skipped documents on stderr. */
export async function scanManifests(
  paths: string[],
  advisorOptions: AdvisorOptions,
  readStdin: () => Promise<string>,
  stderr: (text: string) => void,
): Promise<ScanReport> {
  return scanRead(await readManifestPaths(paths, readStdin), advisorOptions, stderr);
}

/**
 * `scanManifests` for the JSON output: split by namespace across threads when asked to
 * (ROLLSAFE_SCAN_THREADS, shards/sharded-scan.ts) and the inputs allow it, else as `scanManifests`.
 */
export async function scanManifestsForJson(
  paths: string[],
  advisorOptions: AdvisorOptions,
  readStdin: () => Promise<string>,
  stderr: (text: string) => void,
): Promise<ScanReport | ShardedScan> {
  const read = await readManifestPaths(paths, readStdin);
  const threads = scanThreads();
  if (read.errors.length === 0 && threads > 1) {
    const sharded = await scanManifestsSharded(read.inputs, advisorOptions, CLI_LIMITS, { threads, minChars: shardMinChars() });
    if (sharded) return sharded;
  }
  return scanRead(read, advisorOptions, stderr);
}

async function scanRead(read: ReadResult, advisorOptions: AdvisorOptions, stderr: (text: string) => void): Promise<ScanReport> {
  const parsedManifests = await parseManifestsParallel(read.inputs, CLI_LIMITS, { threads: parseThreads() });
  const inputErrors = [...read.errors, ...parsedManifests.errors];
  const snapshot = parsedManifests.snapshot;
  const { result, verdicts } = judgeSnapshot(snapshot, advisorOptions);

  for (const error of inputErrors) stderr(`rollsafe: error: ${formatManifestError(error)}\n`);
  for (const warning of snapshot.warnings) {
    const where = warning.location ? `${warning.location.file}:${warning.location.line}: ` : '';
    stderr(`rollsafe: warning: ${where}${warning.message}\n`);
  }
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
  const fromEnv = integerFromEnv('ROLLSAFE_PARSE_THREADS', 1);
  if (fromEnv !== undefined) return fromEnv;
  const cores = os.availableParallelism();
  return cores >= 4 ? Math.min(cores, 4) : 1;
}

/**
 * Threads that each scan a shard of namespaces (the calling one included) for the JSON output:
 * ROLLSAFE_SCAN_THREADS, default 1 (off). Not on by default anywhere: on the two-core machine it
 * was measured on, two shards ran at 0.74-0.91x of one thread's speed with 1.3-2.1x the memory
 * (threads that allocate run side by side at 1.3-1.6x of one there; bench/manifest-scan README,
 * "the scan split by namespace"), and no machine with more cores has measured it yet.
 */
function scanThreads(): number {
  return Math.min(integerFromEnv('ROLLSAFE_SCAN_THREADS', 1) ?? 1, MAX_SCAN_THREADS);
}

/** Below this many characters, one thread scans even when asked for more (ROLLSAFE_SCAN_SHARD_MIN_CHARS). */
function shardMinChars(): number {
  return integerFromEnv('ROLLSAFE_SCAN_SHARD_MIN_CHARS', 0) ?? DEFAULT_SHARD_MIN_CHARS;
}

/** A whole number of at least `min` from the environment; unset, empty or anything else: undefined (the default applies). */
function integerFromEnv(name: string, min: number): number | undefined {
  const text = process.env[name]?.trim();
  const value = text ? Number(text) : NaN;
  return Number.isInteger(value) && value >= min ? value : undefined;
}

const MAX_SCAN_THREADS = 16;
/** A shard thread takes about 0.3 s to start, load the engine and receive its text: below 8 MB that is most of a scan. */
const DEFAULT_SHARD_MIN_CHARS = 8 * 1024 * 1024;
