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

/** An SGR escape (colour, bold, reset). */
const ANSI_SGR = new RegExp(`${ANSI.reset[0]}\\[[0-9;]*m`, 'g');

export const PLAIN: Palette = { severity: (_s, text) => text, bold: (text) => text, dim: (text) => text };

/**
 * Splits a line at spaces so that no piece is wider than `width`, each continuation indented
 * like the line itself (a word longer than the width, a URL, stays whole).
 */
export function wrapLine(line: string, width: number | undefined, extraIndent = ''): string[] {
  // Colour codes take no room on the screen.
  const visible = (text: string): number => text.replace(ANSI_SGR, '').length;
  if (!width || visible(line) <= width) return [line];
  const indent = (/^ */.exec(line)?.[0] ?? '') + extraIndent;
  const words = line.trimStart().split(/ +/);
  const pieces: string[] = [];
  let current = line.slice(0, line.length - line.trimStart().length);
  let empty = true;
  for (const word of words) {
    if (!empty && visible(current) + 1 + visible(word) > width) {
      pieces.push(current);
      current = indent + word;
    } else {
      current += (empty ? '' : ' ') + word;
    }
    empty = false;
  }
  pieces.push(current);
  return pieces;
}

/** Findings grouped by resource, each with its fix and docs link; a one-line summary last. */
export function formatText(report: ScanReport, palette: Palette, width?: number): string {
  const lines: string[] = [];
  /** A line of prose, wrapped to the width, every piece styled. */
  const prose = (text: string, style: (text: string) => string = (t) => t, extraIndent = ''): void => {
    for (const piece of wrapLine(text, width, extraIndent)) lines.push(style(piece));
  };
  if (report.verdicts && report.verdicts.summary.services > 0) {
    for (const line of formatVerdictsText(report.verdicts, palette.bold).trimEnd().split('\n')) prose(line, undefined, '  ');
    lines.push('');
  }
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
    prose(palette.bold(resource) + (location ? palette.dim(`  ${location.file}:${location.line}`) : ''), undefined, '  ');
    for (const finding of findings) {
      lines.push(
        `  ${palette.severity(finding.severity, finding.severity.toUpperCase().padEnd(8))} ${finding.ruleId}${finding.container ? palette.dim(` [${finding.container}]`) : ''}`,
      );
      prose(`           ${finding.message}`);
      prose(`           fix: ${finding.remediation.summary}`);
      if (finding.remediation.needsDecision) prose(`           needs a decision: ${finding.remediation.needsDecision}`, palette.dim);
      else if (finding.remediation.patch) lines.push(palette.dim('           rollsafe fix applies this:'));
      // YAML to paste: never wrapped.
      for (const yamlLine of finding.remediation.yaml.split('\n')) lines.push(palette.dim(`             ${yamlLine}`));
      prose(`           docs: ${finding.docs}  (offline: rollsafe rules ${finding.ruleId})`, palette.dim);
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
  prose(`provider: ${providerLine(report.result)}`, undefined, '  ');
  prose(`${parts.join(', ')}: ${scope}${errors}`, undefined, '  ');
  return lines.join('\n') + '\n';
}

function notEvaluatedReason(report: ScanReport): string {
  if (report.result.summary.notEvaluated === 0 || report.resourceCount === 0) return '';
  return report.cluster ? ' (the credentials cannot list what they read)' : ' (live rules need a cluster)';
}
