// The advisor step of the scan pipeline behind one injectable, so tests can hold a run
// mid-way (crash-and-rerun) or make it fail, without mocking the database or the queue.
import { Injectable } from '@nestjs/common';
import { PROVIDERS, runAdvisor, type AdvisorResult, type Provider, type Snapshot, type Suppression } from '#rollsafe/advisor';
import { DEFAULT_LIMITS } from '#rollsafe/manifests';

export { PROVIDERS };
export const MAX_UPLOAD_BYTES = DEFAULT_LIMITS.maxBytes;

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

function isProvider(value: string): value is Provider {
  return (PROVIDERS as readonly string[]).includes(value);
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
  };
}

@Injectable()
export class ScanEngine {
  /** Runs the advisor over a snapshot (async so that a test can hold it). */
  run(snapshot: Snapshot, options: EngineOptions): Promise<AdvisorResult> {
    return Promise.resolve(runAdvisor(snapshot, options));
  }
}
