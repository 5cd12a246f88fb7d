import path from 'node:path';
import { RULES, type Finding, type Rule, type Severity } from '#rollsafe/advisor';
import type { ManifestInput } from '#rollsafe/manifests';
import { planFixes } from '#rollsafe/fixes';
import { providerReport } from './provider.js';
import type { ScanReport } from './report.js';

const SARIF_LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { critical: 'error', warning: 'warning', info: 'note' };
// GitHub ranks code-scanning alerts by this property (0-10).
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '8.0', warning: '5.0', info: '2.0' };

function defaultLevel(rule: Rule): 'error' | 'warning' | 'note' {
  const first = rule.severity.split(/[\s/(]/)[0] as Severity;
  return SARIF_LEVEL[first] ?? 'warning';
}

/** Repository-relative, forward-slash URIs, as GitHub code scanning expects. */
function artifactUri(file: string, cwd: string): string {
  if (file === '-') return 'stdin';
  const relative = path.isAbsolute(file) ? path.relative(cwd, file) : path.normalize(file);
  return relative.split(path.sep).join('/');
}

/** SARIF 2.1.0 for GitHub code scanning: one rule descriptor per catalog rule, one result per finding. */
export function formatSarif(report: ScanReport, version: string, docsBaseUrl: string, cwd: string): string {
  const ruleIndex = new Map(RULES.map((rule, index) => [rule.id, index]));
  const rules = RULES.map((rule) => ({
    id: rule.id,
    name: rule.id
      .split('-')
      .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
      .join(''),
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.description },
    helpUri: `${docsBaseUrl}/${rule.id}.md`,
    help: {
      text: `${rule.description} Severity: ${rule.severity}. Requires: ${rule.requires}. See ${docsBaseUrl}/${rule.id}.md`,
      markdown: `${rule.description}\n\n**Severity:** ${rule.severity}. **Requires:** ${rule.requires} data.\n\n[Rule documentation](${docsBaseUrl}/${rule.id}.md)`,
    },
    defaultConfiguration: { level: defaultLevel(rule) },
    properties: {
      tags: ['kubernetes', 'reliability', rule.category],
      precision: 'high',
      'security-severity': SECURITY_SEVERITY[rule.severity.split(/[\s/(]/)[0] as Severity] ?? '5.0',
    },
  }));

  const inputs = new Map((report.inputs ?? []).map((input) => [input.name, input]));
  const budget = { left: MAX_SARIF_FIXES };
  const results = report.result.findings.map((finding) => toResult(finding, ruleIndex.get(finding.ruleId) ?? 0, cwd, inputs, budget));
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'Rollsafe', version, semanticVersion: version, informationUri: docsBaseUrl.replace(/\/docs\/rules$/, ''), rules } },
        results,
        properties: { provider: providerReport(report.result) },
        invocations: [
          {
            executionSuccessful: report.inputErrors.length === 0,
            toolExecutionNotifications: report.inputErrors.map((error) => ({
              level: 'error',
              message: { text: error.message },
              locations: [
                {
                  physicalLocation: {
                    artifactLocation: { uri: artifactUri(error.file, cwd), uriBaseId: '%SRCROOT%' },
                    ...(error.line ? { region: { startLine: error.line, ...(error.column ? { startColumn: error.column } : {}) } } : {}),
                  },
                },
              ],
            })),
          },
        ],
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}

/**
 * A SARIF fix for a finding whose remediation needs no decision: the lines `rollsafe fix`
 * would replace in its file, and what it would write there.
 */
/** Each fix re-reads its file: past these bounds (large generated uploads) results carry the patch only. */
const MAX_SARIF_FIXES = 500;
const MAX_SARIF_FIX_FILE_BYTES = 2 * 1024 * 1024;

function sarifFix(finding: Finding, input: ManifestInput | undefined, cwd: string, budget: { left: number }): Record<string, unknown> | undefined {
  if (!input || !finding.remediation.patch || budget.left <= 0 || input.text.length > MAX_SARIF_FIX_FILE_BYTES) return undefined;
  budget.left--;
  const plan = planFixes([input], [finding]);
  const fixed = plan.files[0];
  if (!fixed?.changed || plan.applied.length === 0) return undefined;
  const before = input.text.split('\n');
  const after = fixed.text.split('\n');
  let prefix = 0;
  while (prefix < before.length && prefix < after.length && before[prefix] === after[prefix]) prefix++;
  let suffix = 0;
  while (suffix < before.length - prefix && suffix < after.length - prefix && before[before.length - 1 - suffix] === after[after.length - 1 - suffix]) suffix++;
  const inserted = after.slice(prefix, after.length - suffix);
  return {
    description: { text: finding.remediation.summary },
    artifactChanges: [
      {
        artifactLocation: { uri: artifactUri(input.name, cwd), uriBaseId: '%SRCROOT%' },
        replacements: [
          {
            deletedRegion: { startLine: prefix + 1, startColumn: 1, endLine: before.length - suffix + 1, endColumn: 1 },
            insertedContent: { text: inserted.length > 0 ? inserted.join('\n') + '\n' : '' },
          },
        ],
      },
    ],
  };
}

function toResult(finding: Finding, index: number, cwd: string, inputs: Map<string, ManifestInput>, budget: { left: number }): Record<string, unknown> {
  const fix = finding.location ? sarifFix(finding, inputs.get(finding.location.file), cwd, budget) : undefined;
  const text = `${finding.message} Fix: ${finding.remediation.summary}`;
  const { kind, namespace, name } = finding.resource;
  const logicalLocations = [
    {
      name,
      fullyQualifiedName: `${kind}/${namespace ?? ''}/${name}${finding.container ? `/${finding.container}` : ''}`.replace(/\/\//, '/'),
      kind: 'resource',
    },
  ];
  return {
    ruleId: finding.ruleId,
    ruleIndex: index,
    level: SARIF_LEVEL[finding.severity],
    message: { text },
    ...(finding.location
      ? {
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: artifactUri(finding.location.file, cwd), uriBaseId: '%SRCROOT%' },
                region: { startLine: finding.location.line },
              },
              logicalLocations,
            },
          ],
        }
      : // A live cluster's object has no file: it is named by its logical location (kind/namespace/name).
        { locations: [{ logicalLocations }] }),
    ...(fix ? { fixes: [fix] } : {}),
    partialFingerprints: { 'rollsafeFinding/v1': finding.fingerprint },
    properties: {
      severity: finding.severity,
      resource: finding.resource,
      ...(finding.container ? { container: finding.container } : {}),
      ...(finding.remediation.patch
        ? {
            patch: {
              target: finding.remediation.target ?? null,
              patchType: finding.remediation.patchType ?? 'strategic-merge',
              patch: finding.remediation.patch,
            },
          }
        : {}),
      ...(finding.remediation.needsDecision ? { needsDecision: finding.remediation.needsDecision } : {}),
    },
  };
}
