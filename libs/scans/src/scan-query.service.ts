import { Injectable } from '@nestjs/common';
import {
  ClusterRepository,
  FindingRepository,
  ScanFindingsReader,
  ScanReader,
  ScanRepository,
  type ListFindingsQuery,
  type ScanFindingsPage,
} from '#rollsafe/store';
import { ScanStatus, ScanTrigger, Severity, valuesOf } from './contracts/enums.js';
import { DomainError, notFound } from './errors.js';
import { UUID } from './cursor.js';
import { bySeq, listPage, newestFirst, pageSize, type PageArgs } from './paging.js';
import { toFindingView, toScanView } from './views.js';
import type { FindingView, ListView, ScanView } from './contracts/index.js';

export const SCAN_STATUSES = valuesOf(ScanStatus);
export const SEVERITIES = valuesOf(Severity);
export const SCAN_TRIGGERS = valuesOf(ScanTrigger);

export interface ScanListArgs extends PageArgs {
  status?: string | null;
  trigger?: string | null;
  /** Only the scans of this registered cluster (NOT_FOUND when the organization has none by that id). */
  clusterId?: string | null;
}

export interface FindingListArgs extends PageArgs {
  severity?: string | null;
  ruleId?: string | null;
}

/**
 * A page read with its scan by get(), kept on the scan's view under a symbol key (neither
 * serialized nor a GraphQL field) for findings(..., readWith). Not in a WeakMap of the service's:
 * V8's young-generation collections keep the values of a long-lived WeakMap alive, so every
 * page read ahead went to the old generation (bench/load: 7 MB/s at 200 GraphQL pages a second).
 */
const READ_AHEAD = Symbol('READ_AHEAD');

interface ReadAhead {
  organizationId: string;
  scanId: string;
  key: string;
  read: ScanFindingsPage;
}

type ScanViewReadAhead = ScanView & { [READ_AHEAD]?: ReadAhead };

/** Use case: read an organization's scans and findings. Another organization's ids are not found. */
@Injectable()
export class ScanQueryService {
  constructor(
    private readonly scans: ScanRepository,
    private readonly scanViews: ScanReader,
    private readonly findingRows: FindingRepository,
    private readonly findingPages: ScanFindingsReader,
    private readonly clusters: ClusterRepository,
  ) {}

  /**
   * A scan of the organization. With `findings` (GraphQL's `scan(id) { findings(...) }`), the
   * scan and that page of its findings are read in one query, and `findings(..., readWith)`
   * with the scan returned answers from it: one round trip to Postgres where there were two.
   * Arguments findings() would refuse are not read ahead: findings() refuses them as before.
   */
  async get(organizationId: string, id: string, findings?: FindingListArgs): Promise<ScanView> {
    if (!UUID.test(id)) throw notFound('scan', id);
    let ahead: FindingsQuery | undefined;
    try {
      ahead = findings ? findingsQuery(findings) : undefined;
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
    }
    if (!ahead) {
      const scan = await this.scanViews.findForOrganization(organizationId, id);
      if (!scan) throw notFound('scan', id);
      return toScanView(scan);
    }
    const read = await this.findingPages.viewAndPage(organizationId, id, ahead.query);
    if (!read) throw notFound('scan', id);
    const view = toScanView(read.scan);
    const readAhead: ReadAhead = { organizationId, scanId: view.id, key: ahead.key, read };
    Object.defineProperty(view, READ_AHEAD, { value: readAhead, enumerable: false });
    return view;
  }

  async list(organizationId: string, args: ScanListArgs): Promise<ListView<ScanView>> {
    const status = oneOf('status', args.status, SCAN_STATUSES);
    const trigger = oneOf('trigger', args.trigger, SCAN_TRIGGERS);
    let targetId: string | undefined;
    if (args.clusterId) {
      const cluster = UUID.test(args.clusterId) ? await this.clusters.findForOrganization(organizationId, args.clusterId) : undefined;
      if (!cluster) throw notFound('cluster', args.clusterId);
      targetId = cluster.targetId;
    }
    const filter = { ...(status ? { status } : {}), ...(trigger ? { trigger } : {}), ...(targetId ? { targetId } : {}) };
    return listPage(args, {
      defaultLimit: 20,
      keyset: newestFirst('createdAt'),
      page: (limit, after) => this.scans.listForOrganization(organizationId, { limit, ...filter, ...(after ? { after } : {}) }),
      countRows: () => this.scans.countForOrganization(organizationId, filter),
      view: toScanView,
    });
  }

  /**
   * A page of a scan's findings. Its totalCount comes from the counts stored with the scan's
   * result (by severity, and by rule and severity), never from a COUNT(*) over the findings:
   * a page costs the same for a scan of ten findings or of a million. Only a scan written
   * before the per-rule counts were kept, filtered by rule, is counted (through the
   * (scan, rule) index). The scan and the page are one query (ScanFindingsReader), or none when
   * `readWith` is the scan get() returned with this page read ahead.
   */
  async findings(organizationId: string, scanId: string, args: FindingListArgs, readWith?: ScanView): Promise<ListView<FindingView>> {
    if (!UUID.test(scanId)) throw notFound('scan', scanId);
    const { filter, query, key } = findingsQuery(args);
    const ahead = (readWith as ScanViewReadAhead | undefined)?.[READ_AHEAD];
    const read =
      ahead && ahead.organizationId === organizationId && ahead.scanId === scanId && ahead.key === key
        ? ahead.read
        : await this.findingPages.page(organizationId, scanId, query);
    if (!read) throw notFound('scan', scanId);
    const stored = storedFindingCount(read.scan, filter);
    return listPage(args, {
      defaultLimit: FINDINGS_PAGE,
      keyset: bySeq,
      page: () => Promise.resolve(read.page),
      count: () => (stored !== undefined ? Promise.resolve(stored) : this.findingRows.countForScan(organizationId, scanId, filter)),
      view: toFindingView,
    });
  }
}

const FINDINGS_PAGE = 50;

interface FindingsQuery {
  filter: { severity?: SeverityName; ruleId?: string };
  query: ListFindingsQuery;
  /** The query as a string: a page read ahead answers the same key only. */
  key: string;
}

/** A findings page's arguments checked (BAD_INPUT otherwise) and made the reader's query. */
function findingsQuery(args: FindingListArgs): FindingsQuery {
  const severity = oneOf('severity', args.severity, SEVERITIES);
  const ruleId = args.ruleId ?? undefined;
  if (ruleId !== undefined && !/^[a-z0-9-]{1,100}$/.test(ruleId)) {
    throw new DomainError('BAD_INPUT', 'ruleId must be a rule id such as readiness-probe-missing', { field: 'ruleId' });
  }
  const filter = { ...(severity ? { severity } : {}), ...(ruleId ? { ruleId } : {}) };
  // listPage checks these again; they are needed before the query that reads scan and page at once.
  const limit = pageSize(args.limit, FINDINGS_PAGE);
  const afterSeq = args.cursor ? bySeq.decode(args.cursor) : undefined;
  return {
    filter,
    query: { ...filter, limit, ...(afterSeq !== undefined ? { afterSeq } : {}) },
    key: `${limit}/${afterSeq ?? ''}/${severity ?? ''}/${ruleId ?? ''}`,
  };
}

type SeverityName = (typeof SEVERITIES)[number];

/**
 * How many findings of a scan match a filter, from the counts stored with its result;
 * undefined when they do not say (a scan still running, or a rule filter on a scan written
 * before `rule_counts` existed).
 */
export function storedFindingCount(
  scan: { status: string; critical: number; warning: number; info: number; ruleCounts: unknown },
  filter: { severity?: SeverityName; ruleId?: string },
): number | undefined {
  if (scan.status !== 'succeeded') return scan.status === 'queued' || scan.status === 'running' ? undefined : 0;
  const pick = (counts: { critical: number; warning: number; info: number }): number =>
    filter.severity ? counts[filter.severity] : counts.critical + counts.warning + counts.info;
  if (filter.ruleId === undefined) return pick(scan);
  const byRule = scan.ruleCounts as Record<string, { critical: number; warning: number; info: number }> | null;
  if (byRule === null || typeof byRule !== 'object') return undefined;
  const counts = byRule[filter.ruleId];
  return counts ? pick(counts) : 0;
}

export function oneOf<T extends string>(field: string, value: string | null | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new DomainError('BAD_INPUT', `${field} must be one of ${allowed.join(', ')}`, { field });
  }
  return value as T;
}
