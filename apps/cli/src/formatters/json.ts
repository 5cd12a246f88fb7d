import { providerReport } from './provider.js';
import type { ScanReport } from './report.js';

const FINDINGS_PER_CHUNK = 1000;

/**
 * The JSON output contract: `{ findings, summary }`, plus input `errors` and skipped-document
 * `warnings`, in chunks of findings so a large scan is written without building one huge
 * string. The advisor's findings already hold the contract's keys in its order.
 */
export function* formatJson(report: ScanReport, pretty: boolean): Generator<string> {
  const { result } = report;
  const rest = {
    // `skipped` counts skipped documents; a duplicate-key warning skips nothing (the last value wins).
    summary: { ...result.summary, skipped: report.warnings.filter((warning) => warning.message.endsWith('skipped')).length },
    notEvaluated: result.notEvaluated,
    provider: providerReport(result),
    // The Kubernetes version the rules judged for, and the provider profile table used (docs/providers.md).
    kubernetesVersion: result.kubernetesVersion,
    profiles: result.profiles,
    ...(report.verdicts ? { verdicts: report.verdicts.verdicts, verdictSummary: report.verdicts.summary } : {}),
    errors: report.inputErrors,
    warnings: report.warnings,
  };
  if (pretty) {
    yield JSON.stringify({ findings: result.findings, ...rest }, null, 2) + '\n';
    return;
  }
  yield '{"findings":[';
  for (let start = 0; start < result.findings.length; start += FINDINGS_PER_CHUNK) {
    if (start > 0) yield ','; // alone: prepended, it would make each chunk a string to copy before writing
    yield JSON.stringify(result.findings.slice(start, start + FINDINGS_PER_CHUNK)).slice(1, -1);
  }
  yield `],${JSON.stringify(rest).slice(1)}\n`;
}
