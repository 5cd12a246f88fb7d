import { Injectable } from '@nestjs/common';
import { serviceTimelineSvg } from '#rollsafe/simulator';
import { ClusterRepository, VerdictRepository, type StoredVerdict } from '#rollsafe/store';
import { UUID } from './cursor.js';
import { Verdict, valuesOf, type ListView, type ServiceVerdictView } from './contracts/index.js';
import { DomainError, notFound } from './errors.js';
import { bySeq, listPage, type PageArgs } from './paging.js';
import { oneOf, ScanQueryService } from './scan-query.service.js';
import { decodeSnapshot } from './pipeline/snapshot-codec.js';

export interface VerdictListArgs extends PageArgs {
  verdict?: string | null;
}

const VERDICTS = valuesOf(Verdict);
const SERVICE_PART = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** Use case: read the per-Service verdicts of a scan, or of a cluster's newest scan, and draw their timelines. */
@Injectable()
export class VerdictsService {
  constructor(
    private readonly queries: ScanQueryService,
    private readonly verdicts: VerdictRepository,
    private readonly clusters: ClusterRepository,
  ) {}

  async forScan(
    organizationId: string,
    scanId: string,
    args: VerdictListArgs,
    timelineBase = `/api/v1/scans/${scanId}`,
  ): Promise<ListView<ServiceVerdictView>> {
    const scan = await this.queries.get(organizationId, scanId);
    const verdict = oneOf('verdict', args.verdict, VERDICTS);
    return listPage(args, {
      defaultLimit: 50,
      keyset: bySeq,
      page: (limit, afterSeq) =>
        this.verdicts.listForScan(organizationId, scanId, { limit, ...(verdict ? { verdict } : {}), ...(afterSeq !== undefined ? { afterSeq } : {}) }),
      count: () => Promise.resolve(verdict === undefined ? scan.verdictSummary.services : countOf(scan.verdictSummary, verdict)),
      view: (row) => toVerdictView(row, timelineBase),
    });
  }

  /** A cluster's verdicts: those of its newest succeeded scan (empty before its first). */
  async forCluster(organizationId: string, clusterId: string, args: VerdictListArgs): Promise<ListView<ServiceVerdictView>> {
    const scanId = await this.latestScanOfCluster(organizationId, clusterId);
    if (!scanId) return { items: [], totalCount: 0 };
    return this.forScan(organizationId, scanId, args, `/api/v1/clusters/${clusterId}`);
  }

  /** A verdict's timeline as image/svg+xml: drawn at scan time for a cluster, from the kept snapshot for an upload. */
  async timeline(organizationId: string, scanId: string, namespace: string, name: string): Promise<string> {
    if (!SERVICE_PART.test(namespace) || !SERVICE_PART.test(name)) throw notFound('service', `${namespace}/${name}`);
    const scan = await this.queries.get(organizationId, scanId);
    const row = await this.verdicts.find(organizationId, scanId, namespace, name);
    if (!row) throw notFound('service verdict', `${namespace}/${name}`);
    if (row.timelineSvg) return row.timelineSvg;
    const kept = await this.verdicts.keptSnapshot(organizationId, scanId);
    const snapshot = kept ? decodeSnapshot(kept) : undefined;
    const svg = snapshot ? serviceTimelineSvg(snapshot, { namespace, name }, scan.provider ? { provider: scan.provider } : {}) : undefined;
    if (!svg) throw new DomainError('NOT_FOUND', `no timeline for ${namespace}/${name}: its verdict is ${row.verdict}`, { verdict: row.verdict });
    return svg;
  }

  async clusterTimeline(organizationId: string, clusterId: string, namespace: string, name: string): Promise<string> {
    const scanId = await this.latestScanOfCluster(organizationId, clusterId);
    if (!scanId) throw notFound('service verdict', `${namespace}/${name}`);
    return this.timeline(organizationId, scanId, namespace, name);
  }

  private async latestScanOfCluster(organizationId: string, clusterId: string): Promise<string | undefined> {
    const cluster = UUID.test(clusterId) ? await this.clusters.findForOrganization(organizationId, clusterId) : undefined;
    if (!cluster) throw notFound('cluster', clusterId);
    return this.verdicts.latestScanOfTarget(organizationId, cluster.targetId);
  }
}

function countOf(summary: { drops: number; safe: number; unknown: number }, verdict: Verdict): number {
  return summary[verdict];
}

/** A stored verdict as the API shows it: the simulator's answer, with its row's ids and a timeline link. */
export function toVerdictView(row: StoredVerdict, timelineBase: string): ServiceVerdictView {
  const data = (typeof row.data === 'object' && row.data !== null && !Array.isArray(row.data) ? row.data : {}) as Record<string, unknown>;
  const list = <T>(key: string): T[] => (Array.isArray(data[key]) ? (data[key] as T[]) : []);
  const service = (data['service'] ?? {}) as Partial<ServiceVerdictView['service']>;
  return {
    id: row.id,
    scanId: row.scanId,
    service: { namespace: row.namespace, name: row.name, type: service.type ?? 'LoadBalancer', path: service.path ?? null },
    workload: (data['workload'] as ServiceVerdictView['workload'] | undefined) ?? null,
    verdict: row.verdict,
    missing: list('missing'),
    droppedTrafficSeconds: row.droppedTrafficSeconds,
    windows: list('windows'),
    ruleIds: list('ruleIds'),
    findings: list('findings'),
    fixes: list<{ change: string; closes: string[]; ruleIds: string[]; remediation?: { yaml?: string } }>('fixes').map((fix) => ({
      change: fix.change,
      closes: fix.closes,
      ruleIds: fix.ruleIds,
      yaml: fix.remediation?.yaml ?? '',
    })),
    afterFixes: (data['afterFixes'] as ServiceVerdictView['afterFixes'] | undefined) ?? null,
    parameters: (data['parameters'] as ServiceVerdictView['parameters'] | undefined) ?? null,
    parameterSources: (data['parameterSources'] as ServiceVerdictView['parameterSources'] | undefined) ?? {},
    notes: list('notes'),
    durationSeconds: typeof data['durationSeconds'] === 'number' ? data['durationSeconds'] : 0,
    timelineUrl: `${timelineBase}/services/${row.namespace}/${row.name}/timeline.svg`,
  };
}
