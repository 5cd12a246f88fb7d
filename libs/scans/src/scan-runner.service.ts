import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Finding as AdvisorFinding } from '#rollsafe/advisor';
import { ScanRepository, type FindingRow, type Prisma } from '#rollsafe/store';
import { ScanEngine, engineOptions } from './scan-engine.js';
import { SCANS_OPTIONS, type ScansOptions } from './options.js';
import { NotificationService } from './webhooks/notification.service.js';

export type RunOutcome = 'succeeded' | 'failed' | 'skipped';

/**
 * Use case (worker side): run a queued scan. Safe to run twice: a finished scan is skipped,
 * and the findings and summary are written in one transaction that only a running scan can
 * commit, so a rerun after a crash writes the result once.
 */
@Injectable()
export class ScanRunner {
  private readonly logger = new Logger(ScanRunner.name);

  constructor(
    private readonly scans: ScanRepository,
    private readonly engine: ScanEngine,
    @Inject(SCANS_OPTIONS) private readonly options: ScansOptions,
    private readonly notifications: NotificationService,
  ) {}

  async run(scanId: string): Promise<RunOutcome> {
    const started = await this.scans.startAttempt(scanId, new Date());
    if (!started) {
      this.logger.log({ msg: 'scan already finished or missing: nothing to do', scanId });
      // A run that wrote the result and died before queueing its notifications: queue them
      // now (the job ids make this a no-op when they were queued).
      await this.notifications.afterScan(scanId);
      return 'skipped';
    }
    let run;
    try {
      run = await this.engine.run(
        started.files,
        engineOptions({ provider: started.scan.provider, suppressions: started.suppressions, docsBaseUrl: this.options.docsBaseUrl }),
      );
    } catch (error) {
      // The input or the advisor cannot succeed on a retry: record why, and stop.
      const message = error instanceof Error ? error.message : String(error);
      await this.scans.fail(scanId, message, new Date());
      this.logger.warn({ msg: 'scan failed', scanId, error: message });
      return 'failed';
    }
    const warnings = [...run.parseWarnings, ...run.result.warnings] as unknown as Prisma.InputJsonValue;
    const written = await this.scans.complete(
      scanId,
      {
        findings: run.result.findings.map(toRow),
        suppressed: run.result.suppressed.length,
        notEvaluated: run.result.notEvaluated,
        warnings,
        documentCount: run.documentCount,
      },
      new Date(),
    );
    this.logger.log({ msg: written ? 'scan succeeded' : 'scan was already written', scanId, findings: run.result.findings.length });
    // Same use case as the finding states: tell the webhooks what changed.
    await this.notifications.afterScan(scanId);
    return written ? 'succeeded' : 'skipped';
  }

  /** Called when a job has used up its attempts: the scan keeps the last error. */
  async giveUp(scanId: string, message: string): Promise<void> {
    await this.scans.fail(scanId, message, new Date());
  }
}

export function toRow(finding: AdvisorFinding): FindingRow {
  return {
    ruleId: finding.ruleId,
    severity: finding.severity,
    kind: finding.resource.kind,
    namespace: finding.resource.namespace,
    name: finding.resource.name,
    ...(finding.container ? { container: finding.container } : {}),
    message: finding.message,
    evidence: finding.evidence as Prisma.InputJsonValue,
    remediation: { summary: finding.remediation.summary, yaml: finding.remediation.yaml },
    docs: finding.docs,
    ...(finding.location ? { locationFile: finding.location.file, locationLine: finding.location.line } : {}),
    fingerprint: finding.fingerprint,
  };
}
