import type { AdvisorResult } from '#rollsafe/advisor';

const SOURCES = { flag: 'the --provider flag', nodes: "the nodes' providerID", annotations: 'Service annotations' } as const;

/** The provider used and where it came from, as text, JSON and SARIF name it (RULES.md, "Provider"). */
export interface ProviderReport {
  name: string | null;
  source: 'flag' | 'nodes' | 'annotations' | 'none';
  /** Rules not evaluated because no provider was found. */
  skippedRules: string[];
}

export function providerReport(result: Pick<AdvisorResult, 'provider' | 'providerSource' | 'providerSkipped'>): ProviderReport {
  if (result.provider && result.providerSource) return { name: result.provider, source: result.providerSource, skippedRules: [] };
  return { name: null, source: 'none', skippedRules: result.providerSkipped ?? [] };
}

/** "aws (from Service annotations)" or "none found: provider rules skipped (lb-connection-drain-off)". */
export function providerLine(result: AdvisorResult): string {
  const report = providerReport(result);
  if (report.name && report.source !== 'none') return `${report.name} (from ${SOURCES[report.source]})`;
  return `none found: provider rules skipped${report.skippedRules.length > 0 ? ` (${report.skippedRules.join(', ')})` : ''}`;
}
