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

/**
 * A finding's columns but its organization and scan, which every row of a page shares (filled in
 * from the query's), in the order of the row's values after the scan's.
 */
const FINDING_COLUMNS = [
  'f.id',
  'f.seq',
  'f.rule_id',
  'f.severity',
  'f.kind',
  'f.namespace',
  'f.name',
  'f.container',
  'f.message',
  'f.evidence',
  'f.remediation',
  'f.docs',
  'f.location_file',
  'f.location_line',
  'f.fingerprint',
].join(', ');

/**
 * A timestamp as milliseconds since the epoch: inside JSON, Postgres writes a timestamptz as text
 * in the session's time zone; a number reads back into the same Date wherever the API runs.
 */
function epochMs(column: string): string {
  return `(extract(epoch FROM ${column}) * 1000)::bigint`;
}

/** The scan's timestamps: [column, alias], read as epochMs and turned back into Dates. */
const DATE_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['s.created_at', 'scanCreatedAt'],
  ['s.started_at', 'scanStartedAt'],
  ['s.finished_at', 'scanFinishedAt'],
];
const DATE_ALIASES = new Set(DATE_COLUMNS.map(([, alias]) => alias));

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
  ...DATE_COLUMNS.map(([column, alias]) => [epochMs(column), alias] as const),
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

/**
 * The hot read of the API: a page of a scan's findings and the scan's counts (or all of the scan
 * the API shows, `view`) in one query, over plain node-postgres. Prisma's query compiler cost the
 * API more CPU per page than the rest of the request did; this is one round trip and one
 * prepared statement per filter shape.
 *
 * The scan's columns come on the page's first row only (null on the others): repeated on each
 * of 51 rows, `rule_counts` alone doubled what Postgres sent and the API parsed (JSON.parse of
 * the same counts 51 times). They come as one JSON array, one column: as 26 columns of their
 * own, node-postgres looked up 26 more type parsers for every page, checked 26 more values on
 * every row and parsed three dates: a few per cent of the API's CPU for GraphQL's page (bench/load).
 */
@Injectable()
export class ScanFindingsReader {
  constructor(private readonly prisma: PrismaService) {}

  /** Undefined when the organization has no scan by that id. */
  async page(organizationId: string, scanId: string, query: ListFindingsQuery): Promise<ScanFindingsPage | undefined> {
    const rows = await this.read(organizationId, scanId, query, COUNT_COLUMNS);
    const first = rows[0];
    if (!first) return undefined;
    return {
      scan: countsOf(scanOf<CountsRow>(first, COUNT_COLUMNS)),
      page: toPage(findingsOf(rows, organizationId, scanId.toLowerCase()), query.limit),
    };
  }

  /**
   * The scan as ScanReader reads it (and its counts) with a page of its findings, in one query:
   * GraphQL's `scan(id) { findings(...) }`. Undefined when the organization has no scan by that id.
   */
  async viewAndPage(organizationId: string, scanId: string, query: ListFindingsQuery): Promise<ScanViewFindingsPage | undefined> {
    const rows = await this.read(organizationId, scanId, query, SCAN_VIEW_COLUMNS);
    const first = rows[0];
    if (!first) return undefined;
    const scan = scanOf<ViewRow>(first, SCAN_VIEW_COLUMNS);
    const view: ScanViewRow = {
      id: scan.scanViewId,
      status: scan.scanStatus,
      trigger: scan.scanTrigger,
      provider: scan.scanProvider,
      critical: scan.scanCritical,
      warning: scan.scanWarning,
      info: scan.scanInfo,
      suppressed: scan.scanSuppressed,
      notEvaluated: scan.scanNotEvaluated,
      warnings: scan.scanWarnings,
      servicesJudged: scan.scanServicesJudged,
      servicesDropping: scan.scanServicesDropping,
      servicesUnknown: scan.scanServicesUnknown,
      verdictChanges: scan.scanVerdictChanges,
      documentCount: scan.scanDocumentCount,
      attempts: scan.scanAttempts,
      error: scan.scanError,
      createdAt: scan.scanCreatedAt,
      startedAt: scan.scanStartedAt,
      finishedAt: scan.scanFinishedAt,
      durationMs: scan.scanDurationMs,
      target: {
        name: scan.targetName,
        kind: scan.targetKind,
        cluster: scan.clusterId !== null && scan.clusterName !== null ? { id: scan.clusterId, name: scan.clusterName } : null,
      },
    };
    return { scan: { ...view, ...countsOf(scan) }, page: toPage(findingsOf(rows, organizationId, view.id), query.limit) };
  }

  /**
   * The rows as arrays (`rowMode: 'array'`): the scan's columns as one JSON array first, then the
   * finding's columns. A row as an object carried every column by name, the scan's too.
   */
  private async read(
    organizationId: string,
    scanId: string,
    query: ListFindingsQuery,
    scanColumns: ReadonlyArray<readonly [string, string]>,
  ): Promise<unknown[][]> {
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
    const view = scanColumns === SCAN_VIEW_COLUMNS;
    const firstRowOnly = `CASE WHEN f.n IS NULL OR f.n = 1 THEN json_build_array(${scanColumns.map(([expression]) => expression).join(', ')}) END`;
    const result = await poolQuery<unknown[]>(this.prisma.bulk, {
      // Named: each connection parses each of the sixteen statements once, and plans it once
      // (the pool's sessions keep a generic plan: PLAIN_POOL_SESSION).
      name: `scan-findings-page-${view ? 'view-' : ''}${shape}`,
      text: `SELECT ${firstRowOnly}, ${FINDING_COLUMNS}
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
      rowMode: 'array',
    });
    return result.rows;
  }
}

const SCAN_VIEW_COLUMNS = [...COUNT_COLUMNS, ...VIEW_COLUMNS];

/** The scan's columns of the first row (its first value, a JSON array) by their aliases. */
function scanOf<Scan>(first: readonly unknown[], columns: ReadonlyArray<readonly [string, string]>): Scan {
  const values = first[0] as readonly unknown[];
  const scan: Record<string, unknown> = {};
  columns.forEach(([, alias], index) => {
    const value = values[index];
    scan[alias] = DATE_ALIASES.has(alias) && typeof value === 'number' ? new Date(value) : value;
  });
  return scan as Scan;
}

function countsOf(scan: CountsRow): ScanCounts {
  return {
    status: scan.scanStatus,
    critical: scan.scanCritical,
    warning: scan.scanWarning,
    info: scan.scanInfo,
    ruleCounts: scan.scanRuleCounts,
  };
}

/**
 * The rows' findings as Finding rows, from the values after the scan's (a scan without any on
 * this page gives one row of nulls), with the organization and scan ids of the query: the same
 * two strings for every row, where reading them from each row made 100 strings a page.
 */
function findingsOf(rows: ReadonlyArray<readonly unknown[]>, organizationId: string, scanId: string): Finding[] {
  const at = 1;
  const findings: Finding[] = [];
  for (const row of rows) {
    if (row[at] === null) continue;
    findings.push({
      id: row[at] as string,
      organizationId,
      scanId,
      seq: row[at + 1] as number,
      ruleId: row[at + 2] as string,
      severity: row[at + 3] as Finding['severity'],
      kind: row[at + 4] as string,
      namespace: row[at + 5] as string,
      name: row[at + 6] as string,
      container: row[at + 7] as string | null,
      message: row[at + 8] as string,
      evidence: row[at + 9] as Finding['evidence'],
      remediation: row[at + 10] as Finding['remediation'],
      docs: row[at + 11] as string,
      locationFile: row[at + 12] as string | null,
      locationLine: row[at + 13] as number | null,
      fingerprint: row[at + 14] as string,
    });
  }
  return findings;
}
