import { Injectable } from '@nestjs/common';
import { PrismaService } from './prisma.service.js';
import { toPage, type Page } from './pagination.js';
import type { ListFindingsQuery } from './finding.repository.js';
import type { Finding, ScanStatus } from './generated/prisma/client.js';

/** What a findings page needs of its scan: whether it finished, and its stored counts. */
export interface ScanCounts {
  status: ScanStatus;
  critical: number;
  warning: number;
  info: number;
  ruleCounts: unknown;
}

export interface ScanFindingsPage {
  scan: ScanCounts;
  page: Page<Finding>;
}

const FINDING_COLUMNS = `f.id, f.organization_id AS "organizationId", f.scan_id AS "scanId", f.seq, f.rule_id AS "ruleId", f.severity,
  f.kind, f.namespace, f.name, f.container, f.message, f.evidence, f.remediation, f.docs,
  f.location_file AS "locationFile", f.location_line AS "locationLine", f.fingerprint`;

type Row = Finding & { scanStatus: ScanStatus; scanCritical: number; scanWarning: number; scanInfo: number; scanRuleCounts: unknown };

/**
 * The hot read of the API: a page of a scan's findings and the scan's counts in one query,
 * over plain node-postgres. Prisma's query compiler cost the API more CPU per page than the
 * rest of the request did; this is one round trip and one prepared statement per filter shape.
 */
@Injectable()
export class ScanFindingsReader {
  constructor(private readonly prisma: PrismaService) {}

  /** Undefined when the organization has no scan by that id. */
  async page(organizationId: string, scanId: string, query: ListFindingsQuery): Promise<ScanFindingsPage | undefined> {
    const values: unknown[] = [organizationId, scanId, query.limit + 1];
    const conditions = ['f.organization_id = $1', 'f.scan_id = $2'];
    let shape = '';
    for (const [column, value] of [
      ['seq >', query.afterSeq],
      ['severity =', query.severity],
      ['rule_id =', query.ruleId],
    ] as const) {
      shape += value === undefined ? '-' : 'x';
      if (value === undefined) continue;
      values.push(value);
      conditions.push(`f.${column} $${values.length}`);
    }
    const result = await this.prisma.bulk.query<Row>({
      // Named: each connection parses and plans each of the eight filter shapes once.
      name: `scan-findings-page-${shape}`,
      text: `SELECT s.status AS "scanStatus", s.critical AS "scanCritical", s.warning AS "scanWarning", s.info AS "scanInfo",
                    s.rule_counts AS "scanRuleCounts", ${FINDING_COLUMNS}
               FROM scans s
               LEFT JOIN LATERAL (
                 SELECT * FROM findings f
                  WHERE ${conditions.join(' AND ')}
                  ORDER BY f.seq LIMIT $3
               ) f ON true
              WHERE s.organization_id = $1 AND s.id = $2`,
      values,
    });
    const first = result.rows[0];
    if (!first) return undefined;
    const scan: ScanCounts = {
      status: first.scanStatus,
      critical: first.scanCritical,
      warning: first.scanWarning,
      info: first.scanInfo,
      ruleCounts: first.scanRuleCounts,
    };
    const findings: Finding[] = [];
    for (const { scanStatus: _s, scanCritical: _c, scanWarning: _w, scanInfo: _i, scanRuleCounts: _r, ...finding } of result.rows) {
      if (finding.id !== null) findings.push(finding);
    }
    return { scan, page: toPage(findings, query.limit) };
  }
}
