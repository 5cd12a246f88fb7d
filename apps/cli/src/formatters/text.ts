import { formatManifestError } from '#rollsafe/manifests';
import type { Finding, Severity } from '#rollsafe/advisor';
import { providerLine } from './provider.js';
import type { ScanReport } from './report.js';
import { formatVerdictsText } from '../simulate/text.js';

export interface Palette {
  severity(severity: Severity, text: string): string;
  bold(text: string): string;
  dim(text: string): string;
}

const ANSI = { reset: '\u001b[0m', bold: '\u001b[1m', dim: '\u001b[2m', red: '\u001b[31m', yellow: '\u001b[33m', cyan: '\u001b[36m' };
const SEVERITY_COLOUR: Record<Severity, string> = { critical: ANSI.red, warning: ANSI.yellow, info: ANSI.cyan };

export const COLOURS: Palette = {
  severity: (severity, text) => `${ANSI.bold}${SEVERITY_COLOUR[severity]}${text}${ANSI.reset}`,
  bold: (text) => `${ANSI.bold}${text}${ANSI.reset}`,
  dim: (text) => `${ANSI.dim}${text}${ANSI.reset}`,
};

export const PLAIN: Palette = { severity: (_s, text) => text, bold: (text) => text, dim: (text) => text };

/** Findings grouped by resource, each with its fix and docs link; a one-line summary last. */
export function formatText(report: ScanReport, palette: Palette): string {
  const lines: string[] = [];
  if (report.verdicts && report.verdicts.summary.services > 0) lines.push(formatVerdictsText(report.verdicts, palette.bold).trimEnd(), '');
  const groups = new Map<string, Finding[]>();
  for (const finding of report.result.findings) {
    const { kind, namespace, name } = finding.resource;
    const key = `${kind} ${namespace ? `${namespace}/` : ''}${name}`;
    const group = groups.get(key);
    if (group) group.push(finding);
    else groups.set(key, [finding]);
  }
  for (const [resource, findings] of groups) {
    const location = findings[0]?.location;
    lines.push(palette.bold(resource) + (location ? palette.dim(`  ${location.file}:${location.line}`) : ''));
    for (const finding of findings) {
      lines.push(
        `  ${palette.severity(finding.severity, finding.severity.toUpperCase().padEnd(8))} ${finding.ruleId}${finding.container ? palette.dim(` [${finding.container}]`) : ''}`,
      );
      lines.push(`           ${finding.message}`);
      lines.push(`           fix: ${finding.remediation.summary}`);
      if (finding.remediation.needsDecision) lines.push(palette.dim(`           needs a decision: ${finding.remediation.needsDecision}`));
      else if (finding.remediation.patch) lines.push(palette.dim('           rollsafe fix applies this:'));
      for (const yamlLine of finding.remediation.yaml.split('\n')) lines.push(palette.dim(`             ${yamlLine}`));
      lines.push(palette.dim(`           docs: ${finding.docs}`));
    }
    lines.push('');
  }
  for (const error of report.inputErrors) lines.push(palette.severity('critical', 'error: ') + formatManifestError(error));
  const { summary } = report.result;
  const parts = [
    palette.severity('critical', `${summary.critical} critical`),
    palette.severity('warning', `${summary.warning} warning`),
    palette.severity('info', `${summary.info} info`),
    `${summary.suppressed} suppressed`,
    `${summary.notEvaluated} not evaluated${notEvaluatedReason(report)}`,
  ];
  const scope = report.cluster
    ? `${report.resourceCount} resource(s) in cluster ${report.cluster.context} (${report.cluster.server})`
    : `${report.resourceCount} resource(s) in ${report.fileCount} file(s)`;
  const errors = report.inputErrors.length > 0 ? `, ${report.inputErrors.length} input error(s)` : '';
  lines.push(`provider: ${providerLine(report.result)}`);
  lines.push(`${parts.join(', ')}: ${scope}${errors}`);
  return lines.join('\n') + '\n';
}

function notEvaluatedReason(report: ScanReport): string {
  if (report.result.summary.notEvaluated === 0 || report.resourceCount === 0) return '';
  return report.cluster ? ' (the credentials cannot list what they read)' : ' (live rules need a cluster)';
}
