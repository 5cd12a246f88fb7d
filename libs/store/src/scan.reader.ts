import { Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PrismaService } from './prisma.service.js';
import type { Scan, TargetKind } from './generated/prisma/client.js';

/** What the API shows of a scan (ScanView): its columns but the inputs and keys, and its target. */
export type ScanViewRow = Pick<
  Scan,
  | 'id'
  | 'status'
  | 'trigger'
  | 'provider'
  | 'critical'
  | 'warning'
  | 'info'
  | 'suppressed'
  | 'notEvaluated'
  | 'warnings'
  | 'servicesJudged'
  | 'servicesDropping'
  | 'servicesUnknown'
  | 'verdictChanges'
  | 'documentCount'
  | 'attempts'
  | 'error'
  | 'createdAt'
  | 'startedAt'
  | 'finishedAt'
  | 'durationMs'
> & { target: { name: string; kind: TargetKind; cluster: { id: string; name: string } | null } };

type Row = Omit<ScanViewRow, 'target'> & { targetName: string; targetKind: TargetKind; clusterId: string | null; clusterName: string | null };

/**
 * One scan as the API shows it, in one query over plain node-postgres: the read every
 * GraphQL `scan(id)` makes (Prisma's query compiler cost about as much CPU as the rest of the
 * request).
 */
@Injectable()
export class ScanReader {
  constructor(private readonly prisma: PrismaService) {}

  findForOrganization(organizationId: string, id: string): Promise<ScanViewRow | undefined> {
    return readScanView(this.prisma.bulk, organizationId, id);
  }
}

/** The read of ScanReader, on a pool or on a transaction's client (which sees its own writes). */
export async function readScanView(db: pg.Pool | pg.ClientBase, organizationId: string, id: string): Promise<ScanViewRow | undefined> {
  const result = await db.query<Row>({
    name: 'scan-view',
    text: `SELECT s.id, s.status, s.trigger, s.provider, s.critical, s.warning, s.info, s.suppressed, s.not_evaluated AS "notEvaluated",
                  s.warnings, s.services_judged AS "servicesJudged", s.services_dropping AS "servicesDropping",
                  s.services_unknown AS "servicesUnknown", s.verdict_changes AS "verdictChanges", s.document_count AS "documentCount",
                  s.attempts, s.error, s.created_at AS "createdAt", s.started_at AS "startedAt", s.finished_at AS "finishedAt",
                  s.duration_ms AS "durationMs", t.name AS "targetName", t.kind AS "targetKind", c.id AS "clusterId", c.name AS "clusterName"
             FROM scans s
             JOIN targets t ON t.id = s.target_id AND t.organization_id = $1
             LEFT JOIN clusters c ON c.target_id = t.id AND c.organization_id = $1
            WHERE s.organization_id = $1 AND s.id = $2`,
    values: [organizationId, id],
  });
  const row = result.rows[0];
  if (!row) return undefined;
  const { targetName, targetKind, clusterId, clusterName, ...scan } = row;
  return {
    ...scan,
    target: { name: targetName, kind: targetKind, cluster: clusterId !== null && clusterName !== null ? { id: clusterId, name: clusterName } : null },
  };
}
