import { Injectable } from '@nestjs/common';
import { PrismaService } from './prisma.service.js';
import { toPage, type Page } from './pagination.js';
import { poolQuery } from './request-timing.js';
import type { ListFindingsQuery } from './finding.repository.js';
import type { ScanViewRow } from './scan.reader.js';
import type { Finding, ScanStatus, TargetKind } from './generated/prisma/client.js';

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

/** A scan as the API shows it (ScanReader's row), its stored counts, and a page of its findings. */
export interface ScanViewFindingsPage {
  scan: ScanViewRow & ScanCounts;
  page: Page<Finding>;
}

/** A finding's columns but its organization and scan, which every row of a page shares (filled in from the query's). */
const FINDING_COLUMNS = `f.id, f.seq, f.rule_id AS "ruleId", f.severity,
  f.kind, f.namespace, f.name, f.container, f.message, f.evidence, f.remediation, f.docs,
  f.location_file AS "locationFile", f.location_line AS "locationLine", f.fingerprint`;

/** The scan's columns a page needs: [expression, alias]. */
const COUNT_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['s.status', 'scanStatus'],
  ['s.critical', 'scanCritical'],
  ['s.warning', 'scanWarning'],
  ['s.info', 'scanInfo'],
  ['s.rule_counts', 'scanRuleCounts'],
];

/** The rest of what the API shows of a scan: ScanReader's columns (scan.reader.ts; tested equal). */
const VIEW_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['s.id', 'scanViewId'],
  ['s.trigger', 'scanTrigger'],
  ['s.provider', 'scanProvider'],
  ['s.suppressed', 'scanSuppressed'],
  ['s.not_evaluated', 'scanNotEvaluated'],
  ['s.warnings', 'scanWarnings'],
  ['s.services_judged', 'scanServicesJudged'],
  ['s.services_dropping', 'scanServicesDropping'],
  ['s.services_unknown', 'scanServicesUnknown'],
  ['s.verdict_changes', 'scanVerdictChanges'],
  ['s.document_count', 'scanDocumentCount'],
  ['s.attempts', 'scanAttempts'],
  ['s.error', 'scanError'],
  ['s.created_at', 'scanCreatedAt'],
  ['s.started_at', 'scanStartedAt'],
  ['s.finished_at', 'scanFinishedAt'],
  ['s.duration_ms', 'scanDurationMs'],
  ['t.name', 'targetName'],
  ['t.kind', 'targetKind'],
  ['c.id', 'clusterId'],
  ['c.name', 'clusterName'],
];

interface CountsRow {
  scanStatus: ScanStatus;
  scanCritical: number;
  scanWarning: number;
  scanInfo: number;
  scanRuleCounts: unknown;
}

interface ViewRow extends CountsRow {
  scanViewId: string;
  scanTrigger: ScanViewRow['trigger'];
  scanProvider: string | null;
  scanSuppressed: number;
  scanNotEvaluated: string[];
  scanWarnings: ScanViewRow['warnings'];
  scanServicesJudged: number;
  scanServicesDropping: number;
  scanServicesUnknown: number;
  scanVerdictChanges: ScanViewRow['verdictChanges'];
  scanDocumentCount: number;
  scanAttempts: number;
  scanError: string | null;
  scanCreatedAt: Date;
  scanStartedAt: Date | null;
  scanFinishedAt: Date | null;
  scanDurationMs: number | null;
  targetName: string;
  targetKind: TargetKind;
  clusterId: string | null;
  clusterName: string | null;
}

/** A row: a finding (nulls when the page is empty), and the scan's columns (nulls but on the first row). */
type Row<Scan> = Finding & Scan;

/**
 * The hot read of the API: a page of a scan's findings and the scan's counts (or all of the scan
 * the API shows, `view`) in one query, over plain node-postgres. Prisma's query compiler cost the
 * API more CPU per page than the rest of the request did; this is one round trip and one
 * prepared statement per filter shape.
 *
 * The scan's columns come on the page's first row only (null on the others): repeated on each
 * of 51 rows, `rule_counts` alone doubled what Postgres sent and the API parsed (JSON.parse of
 * the same counts 51 times).
 */
@Injectable()
export class ScanFindingsReader {
  constructor(private readonly prisma: PrismaService) {}

  /** Undefined when the organization has no scan by that id. */
  async page(organizationId: string, scanId: string, query: ListFindingsQuery): Promise<ScanFindingsPage | undefined> {
    const rows = await this.read<CountsRow>(organizationId, scanId, query, false);
    const first = rows[0];
    if (!first) return undefined;
    return { scan: countsOf(first), page: toPage(findingsOf(rows, organizationId, scanId.toLowerCase()), query.limit) };
  }

  /**
   * The scan as ScanReader reads it (and its counts) with a page of its findings, in one query:
   * GraphQL's `scan(id) { findings(...) }`. Undefined when the organization has no scan by that id.
   */
  async viewAndPage(organizationId: string, scanId: string, query: ListFindingsQuery): Promise<ScanViewFindingsPage | undefined> {
    const rows = await this.read<ViewRow>(organizationId, scanId, query, true);
    const first = rows[0];
    if (!first) return undefined;
    const view: ScanViewRow = {
      id: first.scanViewId,
      status: first.scanStatus,
      trigger: first.scanTrigger,
      provider: first.scanProvider,
      critical: first.scanCritical,
      warning: first.scanWarning,
      info: first.scanInfo,
      suppressed: first.scanSuppressed,
      notEvaluated: first.scanNotEvaluated,
      warnings: first.scanWarnings,
      servicesJudged: first.scanServicesJudged,
      servicesDropping: first.scanServicesDropping,
      servicesUnknown: first.scanServicesUnknown,
      verdictChanges: first.scanVerdictChanges,
      documentCount: first.scanDocumentCount,
      attempts: first.scanAttempts,
      error: first.scanError,
      createdAt: first.scanCreatedAt,
      startedAt: first.scanStartedAt,
      finishedAt: first.scanFinishedAt,
      durationMs: first.scanDurationMs,
      target: {
        name: first.targetName,
        kind: first.targetKind,
        cluster: first.clusterId !== null && first.clusterName !== null ? { id: first.clusterId, name: first.clusterName } : null,
      },
    };
    return { scan: { ...view, ...countsOf(first) }, page: toPage(findingsOf(rows, organizationId, view.id), query.limit) };
  }

  private async read<Scan extends CountsRow>(organizationId: string, scanId: string, query: ListFindingsQuery, view: boolean): Promise<Array<Row<Scan>>> {
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
    const scanColumns = (view ? [...COUNT_COLUMNS, ...VIEW_COLUMNS] : COUNT_COLUMNS)
      .map(([expression, alias]) => `CASE WHEN f.n IS NULL OR f.n = 1 THEN ${expression} END AS "${alias}"`)
      .join(', ');
    const result = await poolQuery<Row<Scan>>(this.prisma.bulk, {
      // Named: each connection parses and plans each of the sixteen statements once.
      name: `scan-findings-page-${view ? 'view-' : ''}${shape}`,
      text: `SELECT ${scanColumns}, ${FINDING_COLUMNS}
               FROM scans s
               ${view ? 'JOIN targets t ON t.id = s.target_id AND t.organization_id = $1 LEFT JOIN clusters c ON c.target_id = t.id AND c.organization_id = $1' : ''}
               LEFT JOIN LATERAL (
                 SELECT f.*, row_number() OVER (ORDER BY f.seq) AS n FROM (
                   SELECT * FROM findings f
                    WHERE ${conditions.join(' AND ')}
                    ORDER BY f.seq LIMIT $3
                 ) f
               ) f ON true
              WHERE s.organization_id = $1 AND s.id = $2
              ORDER BY f.n`,
      values,
    });
    return result.rows;
  }
}

function countsOf(first: CountsRow): ScanCounts {
  return {
    status: first.scanStatus,
    critical: first.scanCritical,
    warning: first.scanWarning,
    info: first.scanInfo,
    ruleCounts: first.scanRuleCounts,
  };
}

/**
 * The rows' findings as Finding rows (a scan without any on this page gives one row of nulls),
 * with the organization and scan ids of the query: the same two strings for every row, where
 * reading them from each row made 100 strings a page.
 */
function findingsOf(rows: ReadonlyArray<Row<CountsRow>>, organizationId: string, scanId: string): Finding[] {
  const findings: Finding[] = [];
  for (const row of rows) {
    // a scan with no finding on this page: one row, the scan's
    if ((row.id as string | null) === null) continue;
    const finding: Finding = row;
    findings.push({
      id: finding.id,
      organizationId,
      scanId,
      seq: finding.seq,
      ruleId: finding.ruleId,
      severity: finding.severity,
      kind: finding.kind,
      namespace: finding.namespace,
      name: finding.name,
      container: finding.container,
      message: finding.message,
      evidence: finding.evidence,
      remediation: finding.remediation,
      docs: finding.docs,
      locationFile: finding.locationFile,
      locationLine: finding.locationLine,
      fingerprint: finding.fingerprint,
    });
  }
  return findings;
}
