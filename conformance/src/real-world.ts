import fs from 'node:fs';
import path from 'node:path';
import { runAdvisor, type AdvisorOptions, type Finding, type Severity } from '#rollsafe/advisor';
import { formatManifestError, parseManifests } from '#rollsafe/manifests';
import { isRecord, listCorpusFiles, loadRealUnits, readCorpusText } from './corpus.js';
import type { RealUnit } from './types.js';

export interface ScannedUnit {
  name: string;
  files: string[];
  /** `ruleId severity Kind/namespace/name[ container]` */
  findings: string[];
  warnings: string[];
  inputErrors: string[];
}

export type RuleCounts = Record<string, Partial<Record<Severity, number>>>;

export interface CorpusSummary {
  units: ScannedUnit[];
  perRule: RuleCounts;
  findings: number;
}

export function describe(finding: Finding): string {
  const { kind, namespace, name } = finding.resource;
  return `${finding.ruleId} ${finding.severity} ${kind}/${namespace}/${name}${finding.container ? ` ${finding.container}` : ''}`;
}

export function scanUnit(unit: RealUnit, options: AdvisorOptions = {}): ScannedUnit {
  const { snapshot, errors } = parseManifests(unit.files.map((file) => ({ name: file, text: readCorpusText(file) })));
  const result = runAdvisor(snapshot, options);
  return {
    name: unit.name,
    files: unit.files,
    findings: result.findings.map(describe),
    warnings: result.warnings.map((w) => w.message),
    inputErrors: errors.map(formatManifestError),
  };
}

function summarize(units: ScannedUnit[]): CorpusSummary {
  const perRule: RuleCounts = {};
  let findings = 0;
  for (const unit of units) {
    for (const line of unit.findings) {
      const [ruleId = '', severity = 'info'] = line.split(' ');
      const counts = (perRule[ruleId] ??= {});
      counts[severity as Severity] = (counts[severity as Severity] ?? 0) + 1;
      findings++;
    }
  }
  return { units, perRule, findings };
}

/** The 75 real-world files, scanned one application (unit of real-units.json) at a time. */
export function scanRealWorld(options: AdvisorOptions = {}): CorpusSummary {
  return summarize(loadRealUnits().map((unit) => scanUnit({ name: unit.name, files: unit.files.map((f) => `real/${f}`) }, options)));
}

/** Each Alibaba CCM documentation example and the ACK Node on its own, as a user would scan one. */
export function scanAlibaba(options: AdvisorOptions = {}): CorpusSummary {
  const files = listCorpusFiles('alibaba').filter((f) => !f.endsWith('index.json') && !f.endsWith('ccm-annotation-catalog.json'));
  return summarize(files.map((file) => scanUnit({ name: file, files: [file] }, options)));
}

/** Input errors of every YAML or JSON file under a corpus directory, each parsed on its own. */
export function inputErrorsUnder(directory: string): string[] {
  return listCorpusFiles(directory).flatMap((file) => {
    const { errors } = parseManifests([{ name: file, text: readCorpusText(file) }]);
    return errors.map(formatManifestError);
  });
}

/**
 * Items of typed API List responses (`PodList`, `ServiceList`...) that carry no `kind` of their
 * own, as the API server sends them: RULES.md's "document without kind" rule skips them.
 */
export function kindlessListItems(directory: string): Array<{ file: string; listKind: string; items: number }> {
  const out: Array<{ file: string; listKind: string; items: number }> = [];
  for (const file of listCorpusFiles(directory, ['.json', '.yaml', '.yml'])) {
    let value: unknown;
    try {
      value = JSON.parse(readCorpusText(file));
    } catch {
      continue;
    }
    if (!isRecord(value) || typeof value['kind'] !== 'string' || !value['kind'].endsWith('List') || value['kind'] === 'List') continue;
    const items = Array.isArray(value['items']) ? value['items'].filter((i) => isRecord(i) && i['kind'] === undefined).length : 0;
    if (items > 0) out.push({ file, listKind: value['kind'], items });
  }
  return out;
}

/** corpus/real-world (issue 9): fresh manifests of 11 projects, each project one upload. */
export const REAL_WORLD_SHAPES_DIR = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../corpus/real-world');

export function scanRealWorldShapes(options: AdvisorOptions = {}): CorpusSummary {
  const projects = fs
    .readdirSync(REAL_WORLD_SHAPES_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== 'LICENSES')
    .map((e) => e.name)
    .sort();
  return summarize(
    projects.map((project) => {
      const dir = path.join(REAL_WORLD_SHAPES_DIR, project);
      const files = (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
      const { snapshot, errors } = parseManifests(files.map((file) => ({ name: `${project}/${file}`, text: fs.readFileSync(path.join(dir, file), 'utf8') })));
      const result = runAdvisor(snapshot, options);
      return {
        name: project,
        files: files.map((f) => `${project}/${f}`),
        findings: result.findings.map(describe),
        warnings: result.warnings.map((w) => w.message),
        inputErrors: errors.map(formatManifestError),
      };
    }),
  );
}
