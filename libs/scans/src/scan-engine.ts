// The advisor and the manifest parser behind one injectable, so use cases do not reach
// into them directly and tests can slow a run down (crash-and-rerun) without mocks of the
// database or the queue.
import { Injectable } from '@nestjs/common';
import { parseManifests, DEFAULT_LIMITS, type ManifestError, type ManifestInput } from '#rollsafe/manifests';
import { runAdvisor, type AdvisorResult, type Provider, type Snapshot, type Suppression } from '#rollsafe/advisor';

export const PROVIDERS: readonly Provider[] = ['alibaba', 'aws', 'gcp', 'azure'];
export const MAX_UPLOAD_BYTES = DEFAULT_LIMITS.maxBytes;

export interface ValidationOutcome {
  errors: ManifestError[];
  documentCount: number;
}

export interface EngineRun {
  result: AdvisorResult;
  documentCount: number;
  parseWarnings: Array<{ message: string; location?: { file: string; line: number } }>;
}

export interface EngineOptions {
  provider?: Provider;
  /** Alibaba load-balancer backend attachments per node (a cluster's setting). */
  slbAttachmentQuota?: number;
  suppressions: Suppression[];
  docsBaseUrl?: string;
}

/** What a scan's engine options come from: its target's settings, the organization's suppressions and where rule pages live. */
export interface EngineSettings {
  provider?: string | null;
  slbAttachmentQuota?: number | null;
  suppressions: ReadonlyArray<{ ruleId: string; namespace: string | null; kind: string | null; name: string | null }>;
  docsBaseUrl?: string | undefined;
}

/** The engine's options for one scan, leaving out what is unset. */
export function engineOptions(settings: EngineSettings): EngineOptions {
  return {
    ...(settings.provider ? { provider: settings.provider as Provider } : {}),
    ...(settings.slbAttachmentQuota ? { slbAttachmentQuota: settings.slbAttachmentQuota } : {}),
    suppressions: settings.suppressions.map((s) => ({
      ruleId: s.ruleId,
      ...(s.namespace ? { namespace: s.namespace } : {}),
      ...(s.kind ? { kind: s.kind } : {}),
      ...(s.name ? { name: s.name } : {}),
    })),
    ...(settings.docsBaseUrl ? { docsBaseUrl: settings.docsBaseUrl } : {}),
  };
}

@Injectable()
export class ScanEngine {
  /** Parses only, to refuse bad input before a scan is queued. */
  validate(files: ManifestInput[]): ValidationOutcome {
    const parsed = parseManifests(files, DEFAULT_LIMITS);
    return { errors: parsed.errors, documentCount: parsed.documentCount };
  }

  async run(files: ManifestInput[], options: EngineOptions): Promise<EngineRun> {
    const parsed = parseManifests(files, DEFAULT_LIMITS);
    if (parsed.errors.length > 0) {
      const first = parsed.errors[0];
      throw new Error(`manifests could not be parsed: ${first ? `${first.file}${first.line ? `:${first.line}` : ''}: ${first.message}` : ''}`);
    }
    const result = this.runSnapshot(parsed.snapshot, options);
    return {
      result,
      documentCount: parsed.documentCount,
      parseWarnings: parsed.snapshot.warnings.map((warning) => ({
        message: warning.message,
        ...(warning.location ? { location: warning.location } : {}),
      })),
    };
  }

  /** Runs the advisor over a snapshot already built (a live cluster's). */
  runSnapshot(snapshot: Snapshot, options: EngineOptions): AdvisorResult {
    return runAdvisor(snapshot, {
      ...(options.provider ? { provider: options.provider } : {}),
      ...(options.slbAttachmentQuota ? { slbAttachmentQuota: options.slbAttachmentQuota } : {}),
      suppressions: options.suppressions,
      ...(options.docsBaseUrl ? { docsBaseUrl: options.docsBaseUrl } : {}),
    });
  }
}
