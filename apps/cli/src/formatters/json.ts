import type { Finding } from '#rollsafe/advisor';
import type { ScanReport } from './report.js';

/** The JSON output contract: `{ findings, summary }`, plus input `errors` and skipped-document `warnings`. */
export function formatJson(report: ScanReport, pretty: boolean): string {
  const { result } = report;
  const document = {
    findings: result.findings.map(toJsonFinding),
    summary: { ...result.summary, skipped: report.warnings.length },
    notEvaluated: result.notEvaluated,
    errors: report.inputErrors,
    warnings: report.warnings,
  };
  return JSON.stringify(document, null, pretty ? 2 : undefined) + '\n';
}

function toJsonFinding(finding: Finding): Record<string, unknown> {
  return {
    ruleId: finding.ruleId,
    severity: finding.severity,
    resource: finding.resource,
    ...(finding.container !== undefined ? { container: finding.container } : {}),
    message: finding.message,
    evidence: finding.evidence,
    remediation: finding.remediation,
    docs: finding.docs,
    ...(finding.location ? { location: finding.location } : {}),
    fingerprint: finding.fingerprint,
  };
}
