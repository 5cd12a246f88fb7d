// The advisor step of the scan pipeline behind one injectable, so tests can hold a run
// mid-way (crash-and-rerun) or make it fail, without mocking the database or the queue.
import { Inject, Injectable, Optional } from '@nestjs/common';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SCANS_CONFIG, type ScansConfig } from './options.js';
import { PROVIDERS, type ProfileOverrides, type Provider, type Snapshot, type Suppression } from '#rollsafe/advisor';
import { DEFAULT_LIMITS } from '#rollsafe/manifests';
import { DomainError } from './errors.js';
import { advise, type EngineResult, type VerdictSettings } from './pipeline/advise.js';
import { EncodedSnapshot } from './pipeline/snapshot-codec.js';

export { PROVIDERS };
export const MAX_UPLOAD_BYTES = DEFAULT_LIMITS.maxBytes;

export interface EngineOptions {
  provider?: Provider;
  /** Alibaba load-balancer backend attachments per node (a cluster's setting). */
  slbAttachmentQuota?: number;
  suppressions: Suppression[];
  docsBaseUrl?: string;
  /** The organization's provider profile values (docs/providers.md). */
  profileOverrides?: ProfileOverrides;
}

/** What a scan's engine options come from: its target's settings, the organization's suppressions and where rule pages live. */
export interface EngineSettings {
  provider?: string | null;
  slbAttachmentQuota?: number | null;
  suppressions: ReadonlyArray<{ ruleId: string; namespace: string | null; kind: string | null; name: string | null }>;
  docsBaseUrl?: string | undefined;
  profileOverrides?: ProfileOverrides | undefined;
}

function isProvider(value: string): value is Provider {
  return (PROVIDERS as readonly string[]).includes(value);
}

/** What every API input takes as a provider: `auto` (the CLI's default) or one of PROVIDERS. */
export const PROVIDER_CHOICES = ['auto', ...PROVIDERS] as const;

/**
 * A provider as the API takes it, REST and GraphQL alike: undefined when absent, null for
 * `auto` (or null, or ""): detected from the objects' annotations or the nodes; else a provider.
 */
export function providerChoice(value: unknown): Provider | null | undefined {
  if (value === undefined) return undefined;
  if (value === null || value === '' || value === 'auto') return null;
  if (typeof value !== 'string' || !isProvider(value)) {
    throw new DomainError('BAD_INPUT', `provider must be auto or one of ${PROVIDERS.join(', ')}`, { field: 'provider' });
  }
  return value;
}

/** The engine's options for one scan, leaving out what is unset. */
export function engineOptions(settings: EngineSettings): EngineOptions {
  return {
    ...(settings.provider && isProvider(settings.provider) ? { provider: settings.provider } : {}),
    ...(settings.slbAttachmentQuota ? { slbAttachmentQuota: settings.slbAttachmentQuota } : {}),
    suppressions: settings.suppressions.map((s) => ({
      ruleId: s.ruleId,
      ...(s.namespace ? { namespace: s.namespace } : {}),
      ...(s.kind ? { kind: s.kind } : {}),
      ...(s.name ? { name: s.name } : {}),
    })),
    ...(settings.docsBaseUrl ? { docsBaseUrl: settings.docsBaseUrl } : {}),
    ...(settings.profileOverrides ? { profileOverrides: settings.profileOverrides } : {}),
  };
}

/** Snapshots with fewer objects run in place: a thread would cost more than the rules (a few ms). */
export const INLINE_OBJECTS = 2000;

/** A scan that went over its budget: the message says which and by how much. */
export class ScanBudgetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScanBudgetError';
  }
}

export function objectCount(snapshot: Snapshot): number {
  let count = 0;
  for (const value of Object.values(snapshot)) if (Array.isArray(value)) count += value.length;
  return count;
}

@Injectable()
export class ScanEngine {
  constructor(@Optional() @Inject(SCANS_CONFIG) private readonly config?: Pick<ScansConfig, 'scanTimeoutMs' | 'scanMemoryMb'>) {}

  /**
   * Runs the advisor over a snapshot (async so that a test can hold it), and the per-Service
   * verdicts on the same index when `verdicts` says how. A snapshot of INLINE_OBJECTS or more
   * runs on a thread of its own under the per-scan budget (ROLLSAFE_SCAN_TIMEOUT_MS,
   * ROLLSAFE_SCAN_MEMORY_MB): past either, ScanBudgetError. A kept upload's snapshot is decoded
   * on that thread.
   */
  run(snapshot: Snapshot | EncodedSnapshot, options: EngineOptions, verdicts?: VerdictSettings): Promise<EngineResult> {
    const objects = snapshot instanceof EncodedSnapshot ? snapshot.objects : objectCount(snapshot);
    if (!this.config || objects < INLINE_OBJECTS) {
      return Promise.resolve(advise(snapshot instanceof EncodedSnapshot ? snapshot.decode() : snapshot, options, verdicts));
    }
    return runBudgeted(snapshot, options, this.config.scanTimeoutMs, this.config.scanMemoryMb, verdicts);
  }
}

/**
 * Threads kept between scans, per heap cap: a thread that scanned once has the rules compiled
 * (a cold thread spends 0.2 s starting and about three times the CPU of a warm one on a 10 MB
 * upload). At most IDLE_THREADS wait per cap; they never hold the process open.
 */
const idleThreads = new Map<number, Worker[]>();
const IDLE_THREADS = 2;

function takeThread(memoryMb: number): Worker {
  const idle = idleThreads.get(memoryMb)?.pop();
  if (idle) return idle;
  const worker = new Worker(advisorThreadScript(), {
    resourceLimits: { maxOldGenerationSizeMb: memoryMb, maxYoungGenerationSizeMb: Math.max(16, Math.min(64, memoryMb / 8)) },
  });
  worker.unref();
  return worker;
}

function keepThread(memoryMb: number, worker: Worker): void {
  const idle = idleThreads.get(memoryMb) ?? [];
  idleThreads.set(memoryMb, idle);
  if (idle.length < IDLE_THREADS) idle.push(worker);
  else void worker.terminate();
}

/**
 * The advisor (and the verdicts, when asked) on a thread capped at `memoryMb` of heap, one scan
 * at a time per thread; a scan past `timeoutMs` has its thread terminated. The thread answers
 * with JSON text: a structured clone of thousands of findings costs the receiving thread
 * several times a JSON.parse of them.
 */
export function runBudgeted(
  snapshot: Snapshot | EncodedSnapshot,
  options: EngineOptions,
  timeoutMs: number,
  memoryMb: number,
  verdicts?: VerdictSettings,
): Promise<EngineResult> {
  return new Promise<EngineResult>((resolve, reject) => {
    const input = snapshot instanceof EncodedSnapshot ? { snapshotText: snapshot.text } : { snapshot };
    const worker = takeThread(memoryMb);
    let settled = false;
    const settle = (outcome: () => void, keep: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      if (keep) keepThread(memoryMb, worker);
      else void worker.terminate();
      outcome();
    };
    const timer = setTimeout(
      () =>
        settle(
          () => reject(new ScanBudgetError(`the scan went over its time budget: the rules ran for more than ${timeoutMs} ms (ROLLSAFE_SCAN_TIMEOUT_MS)`)),
          false,
        ),
      timeoutMs,
    );
    const onMessage = (answer: { text: string } | { error: string }) =>
      'text' in answer ? settle(() => resolve(JSON.parse(answer.text) as EngineResult), true) : settle(() => reject(new Error(answer.error)), true);
    const onError = (error: Error & { code?: string }) =>
      settle(
        () =>
          reject(
            error.code === 'ERR_WORKER_OUT_OF_MEMORY'
              ? new ScanBudgetError(`the scan went over its memory budget of ${memoryMb} MiB (ROLLSAFE_SCAN_MEMORY_MB)`)
              : error,
          ),
        false,
      );
    const onExit = (code: number) => settle(() => reject(new Error(`the advisor thread exited (${code}) without a result`)), false);
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage({ ...input, options, ...(verdicts ? { verdicts } : {}) });
  });
}

/** The compiled thread script (tests run this module from source: the build's copy in dist/). */
function advisorThreadScript(): URL {
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith('.ts')) return new URL('./pipeline/advisor-thread.js', import.meta.url);
  const compiled = here.replace(/[\\/]libs[\\/]scans[\\/]src[\\/]scan-engine\.ts$/, '/dist/libs/scans/src/pipeline/advisor-thread.js');
  return new URL(`file://${compiled}`);
}
