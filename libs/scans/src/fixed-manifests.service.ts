import { Injectable } from '@nestjs/common';
import { strToU8, zipSync } from 'fflate';
import type { Finding as AdvisorFinding, JsonObject } from '#rollsafe/advisor';
import { planFixes } from '#rollsafe/fixes';
import { FindingRepository, ScanInputRepository, type Finding } from '#rollsafe/store';
import { DomainError } from './errors.js';
import type { FixedManifestsView } from './contracts/index.js';
import { ScanQueryService } from './scan-query.service.js';
import { toFindingView } from './views.js';

/** The patched upload as one download: the YAML itself for one file, a zip for several. */
export interface FixedManifestsDownload {
  fileName: string;
  contentType: 'application/yaml' | 'application/zip';
  body: Buffer;
  applied: number;
  left: number;
}

/**
 * Use case: an upload scan's manifests with every remediation that needs no human decision
 * applied (libs/fixes: comments, key order and untouched documents kept byte for byte).
 * Findings suppressed at scan time were not stored, so they are not fixed either.
 */
@Injectable()
export class FixedManifestsService {
  constructor(
    private readonly queries: ScanQueryService,
    private readonly inputs: ScanInputRepository,
    private readonly findingRows: FindingRepository,
  ) {}

  async plan(organizationId: string, scanId: string): Promise<FixedManifestsView> {
    const scan = await this.queries.get(organizationId, scanId);
    if (scan.status !== 'succeeded') throw new DomainError('CONFLICT', `scan ${scanId} is ${scan.status}: fixes are planned from a finished scan`);
    const files = await this.inputs.files(organizationId, scanId);
    if (!files || files.length === 0) throw new DomainError('NOT_FOUND', `scan ${scanId} has no uploaded manifests to fix (a cluster scan)`);
    const findings = (await this.findingRows.allForScan(organizationId, scanId)).map(advisorFinding);
    const plan = planFixes(files, findings);
    return {
      files: plan.files.map(({ name, text, changed }) => ({ name, text, changed })),
      applied: plan.applied.map(({ file, finding }) => ({ file, ruleId: finding.ruleId, fingerprint: finding.fingerprint, resource: finding.resource })),
      left: plan.left.map(({ finding, reason }) => ({ ruleId: finding.ruleId, fingerprint: finding.fingerprint, resource: finding.resource, reason })),
    };
  }

  async download(organizationId: string, scanId: string): Promise<FixedManifestsDownload> {
    const planned = await this.plan(organizationId, scanId);
    const counts = { applied: planned.applied.length, left: planned.left.length };
    const [only] = planned.files;
    if (only && planned.files.length === 1) {
      return { fileName: yamlName(only.name), contentType: 'application/yaml', body: Buffer.from(only.text, 'utf8'), ...counts };
    }
    const entries = Object.fromEntries(planned.files.map((file) => [file.name, strToU8(file.text)]));
    return { fileName: `rollsafe-fixed-${scanId}.zip`, contentType: 'application/zip', body: Buffer.from(zipSync(entries, { level: 6 })), ...counts };
  }
}

function yamlName(name: string): string {
  return /\.(ya?ml|json)$/i.test(name) ? name : `${name}.yaml`;
}

/** A stored finding as the advisor reported it: what the planner reads (patch, target, location). */
function advisorFinding(row: Finding): AdvisorFinding {
  const view = toFindingView(row);
  const { target, patchType, patch, needsDecision } = view.remediation;
  return {
    ruleId: view.ruleId,
    severity: view.severity,
    resource: view.resource,
    ...(view.container ? { container: view.container } : {}),
    message: view.message,
    evidence: view.evidence,
    remediation: {
      summary: view.remediation.summary,
      yaml: view.remediation.yaml,
      ...(target ? { target } : {}),
      ...(patchType ? { patchType } : {}),
      ...(patch ? { patch: patch as JsonObject } : {}),
      ...(needsDecision ? { needsDecision } : {}),
    },
    docs: view.docs,
    ...(view.location ? { location: view.location } : {}),
    fingerprint: view.fingerprint,
  };
}
