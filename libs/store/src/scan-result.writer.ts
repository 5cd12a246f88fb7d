// A scan's result, written inside the caller's transaction through plain node-postgres
// (PrismaService.bulk). Thousands of findings with their evidence and remediation are
// megabytes: the findings and the verdicts go by binary COPY (BinaryCopyRows), which Postgres
// takes as they are but for the jsonb columns' text; expanding one JSON parameter per table
// (json_to_recordset) cost it three times the CPU. The other tables take one statement each.
// The statements of one transaction run one after another, but this thread's share need not
// wait for them: the COPY data is encoded while Postgres updates the target's finding states.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { BinaryCopyRows, uuidBytes } from './copy-binary.js';
import { copyIn } from './copy-in.js';
import type { ChangeKind } from './generated/prisma/client.js';
import type {
  DiffStates,
  DiffVerdicts,
  FindingRow,
  PriorStateRow,
  RuleCounts,
  ScanOutcome,
  ScanWarning,
  ServiceChange,
  StateChanges,
  VerdictKey,
  VerdictRow,
} from './scan.repository.js';

interface ScanKeys {
  scanId: string;
  targetId: string;
  organizationId: string;
  createdAt: Date;
}

type Queryable = Pick<pg.PoolClient, 'query'>;

/**
 * Marks the scan succeeded and writes its findings, the target's finding states, the change
 * set and the verdicts. Only a running scan completes: false (nothing written) when the scan
 * is missing or another completion got there first; the caller then rolls back.
 */
export async function writeScanResult(
  db: Queryable,
  scanId: string,
  outcome: ScanOutcome,
  now: Date,
  diff: DiffStates,
  diffVerdicts: DiffVerdicts | undefined,
): Promise<boolean> {
  const found = await db.query<{ started_at: Date | null; created_at: Date; target_id: string; organization_id: string }>(
    'SELECT started_at, created_at, target_id, organization_id FROM scans WHERE id = $1',
    [scanId],
  );
  const row = found.rows[0];
  if (!row) return false;
  const scan: ScanKeys = { scanId, targetId: row.target_id, organizationId: row.organization_id, createdAt: row.created_at };
  const { counts, ruleCounts } = countFindings(outcome.findings);
  // Conditional: of two completions at once, the second waits on the row lock and then finds
  // the scan no longer running.
  const claimed = await db.query(
    `UPDATE scans SET status = 'succeeded', finished_at = $2, duration_ms = $3, error = NULL, critical = $4, warning = $5, info = $6,
       rule_counts = $7::jsonb, suppressed = $8, not_evaluated = $9::text[], warnings = $10::jsonb, document_count = $11,
       provider = COALESCE($12, provider)
     WHERE id = $1 AND status = 'running'`,
    [
      scanId,
      now,
      Math.max(0, now.getTime() - (row.started_at ?? now).getTime()),
      counts.critical,
      counts.warning,
      counts.info,
      JSON.stringify(ruleCounts),
      outcome.suppressed,
      outcome.notEvaluated,
      JSON.stringify(outcome.warnings.map(warningJson)),
      outcome.documentCount,
      outcome.provider ?? null,
    ],
  );
  if (claimed.rowCount === 0) return false;
  const ids = outcome.findings.map(() => randomUUID());
  const verdicts = outcome.verdicts ?? [];
  const plan = await planFindingStates(db, scan, outcome.findings, diff);
  // Sent before the encoding starts (node-postgres writes a statement as it is called), so
  // Postgres works on the states while this thread encodes the rows.
  const writingStates = plan ? writeFindingStates(db, scan, plan, now) : Promise.resolve();
  let copies: { findings: Uint8Array[]; verdicts: Uint8Array[] };
  try {
    copies = { findings: findingsCopy(scan, outcome.findings, ids), verdicts: verdictsCopy(scan, verdicts) };
  } finally {
    await writingStates;
  }
  if (outcome.findings.length > 0) await copyIn(db, `COPY findings (${FINDING_COLUMNS.join(', ')}) FROM STDIN (FORMAT binary)`, copies.findings);
  if (plan) {
    // The change set names findings by id: after their COPY.
    await writeChangeSet(db, scan.scanId, plan.changes, (fingerprint) => ids[plan.firstOf.get(fingerprint) ?? -1]);
    await db.query('UPDATE targets SET states_as_of = $2 WHERE id = $1', [scan.targetId, scan.createdAt]);
  }
  if (verdicts.length > 0) await copyIn(db, `COPY service_verdicts (${VERDICT_COLUMNS.join(', ')}) FROM STDIN (FORMAT binary)`, copies.verdicts);
  await writeVerdictChanges(db, scan, verdicts, plan !== undefined, diffVerdicts);
  return true;
}

function countFindings(findings: FindingRow[]): { counts: Record<'critical' | 'warning' | 'info', number>; ruleCounts: RuleCounts } {
  const counts = { critical: 0, warning: 0, info: 0 };
  const ruleCounts: RuleCounts = {};
  for (const finding of findings) {
    counts[finding.severity] += 1;
    const perRule = (ruleCounts[finding.ruleId] ??= { critical: 0, warning: 0, info: 0 });
    perRule[finding.severity] += 1;
  }
  return { counts, ruleCounts };
}

const FINDING_COLUMNS = [
  'id',
  'organization_id',
  'scan_id',
  'seq',
  'rule_id',
  'severity',
  'kind',
  'namespace',
  'name',
  'container',
  'message',
  'evidence',
  'remediation',
  'docs',
  'location_file',
  'location_line',
  'fingerprint',
];

/** The findings as COPY data, in the advisor's order (`seq`), with their ids. */
function findingsCopy(scan: ScanKeys, findings: FindingRow[], ids: string[]): Uint8Array[] {
  const copy = new BinaryCopyRows(FINDING_COLUMNS.length);
  const organizationId = uuidBytes(scan.organizationId);
  const scanId = uuidBytes(scan.scanId);
  findings.forEach((finding, seq) =>
    copy
      .row()
      .uuid(ids[seq] as string)
      .uuid(organizationId)
      .uuid(scanId)
      .int4(seq)
      .text(finding.ruleId)
      .text(finding.severity)
      .text(finding.kind)
      .text(finding.namespace)
      .text(finding.name)
      .text(finding.container)
      .text(finding.message)
      .jsonb(JSON.stringify(finding.evidence))
      .jsonb(JSON.stringify(finding.remediation))
      .text(finding.docs)
      .text(finding.locationFile)
      .int4(finding.locationLine)
      .text(finding.fingerprint),
  );
  return copy.slices();
}

/** What changes in the target's finding states, as decided by `diff` over the states it has. */
interface StatesPlan {
  changes: StateChanges;
  /** The index of each reported fingerprint's first finding. */
  firstOf: Map<string, number>;
  /** The reported findings whose states the target has, and those new to it. */
  known: FindingRow[];
  fresh: FindingRow[];
}

/**
 * Locks the target and reads its finding states; undefined when a newer scan already updated
 * them (completions are serialized per target, and an older scan that finishes late leaves the
 * states to the newer one).
 */
async function planFindingStates(db: Queryable, scan: ScanKeys, findings: FindingRow[], diff: DiffStates): Promise<StatesPlan | undefined> {
  const target = await db.query<{ states_as_of: Date | null }>('SELECT states_as_of FROM targets WHERE id = $1 FOR UPDATE', [scan.targetId]);
  const statesAsOf = target.rows[0]?.states_as_of;
  if (statesAsOf && statesAsOf > scan.createdAt) return undefined;
  const prior = await db.query<{ fingerprint: string; status: PriorStateRow['status']; last_scan_id: string }>(
    'SELECT fingerprint, status::text AS status, last_scan_id FROM finding_states WHERE target_id = $1',
    [scan.targetId],
  );
  const firstOf = new Map<string, number>();
  findings.forEach((finding, index) => {
    if (!firstOf.has(finding.fingerprint)) firstOf.set(finding.fingerprint, index);
  });
  const changes = diff(
    prior.rows.map((state) => ({ fingerprint: state.fingerprint, status: state.status, lastScanId: state.last_scan_id })),
    [...firstOf.keys()],
  );
  const known = new Set(prior.rows.map((state) => state.fingerprint));
  const reported = [...firstOf.values()].map((index) => findings[index] as FindingRow);
  return { changes, firstOf, known: reported.filter((row) => known.has(row.fingerprint)), fresh: reported.filter((row) => !known.has(row.fingerprint)) };
}

/**
 * Every reported state takes this scan's rule, severity and resource: a finding whose severity
 * changed shows (and filters by) the new one. A resolved state that comes back is reopened by
 * this scan. States the target has are updated by a join; INSERT ... ON CONFLICT DO UPDATE of
 * them all (the conflict check, then the update, row by row) cost Postgres half as much again.
 * The first statement is sent before this returns (see writeScanResult).
 */
async function writeFindingStates(db: Queryable, scan: ScanKeys, plan: StatesPlan, now: Date): Promise<void> {
  if (plan.known.length > 0) await updateKnownStates(db, scan, plan.known, now);
  if (plan.fresh.length > 0) await insertNewStates(db, scan, plan.fresh, now);
  if (plan.changes.resolved.length > 0) {
    await db.query(
      `UPDATE finding_states SET status = 'resolved', resolved_at = $3, resolved_scan_id = $4
       WHERE target_id = $1 AND fingerprint = ANY($2::text[]) AND status = 'open'`,
      [scan.targetId, plan.changes.resolved.map((r) => r.fingerprint), now, scan.scanId],
    );
  }
}

/** The states of reported findings as arrays, one a column, for unnest. */
function stateColumns(rows: FindingRow[]): string[][] {
  return [
    rows.map((r) => r.fingerprint),
    rows.map((r) => r.ruleId),
    rows.map((r) => r.severity),
    rows.map((r) => r.kind),
    rows.map((r) => r.namespace),
    rows.map((r) => r.name),
  ];
}

async function updateKnownStates(db: Queryable, scan: ScanKeys, rows: FindingRow[], now: Date): Promise<void> {
  await db.query(
    `UPDATE finding_states AS s SET rule_id = r.rule_id, severity = r.severity::"Severity", kind = r.kind, namespace = r.namespace, name = r.name,
       last_seen_at = $2, last_scan_id = $3,
       opened_scan_id = CASE WHEN s.status = 'resolved' THEN $3 ELSE s.opened_scan_id END,
       status = 'open', resolved_at = NULL, resolved_scan_id = NULL
     FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[]) AS r(fingerprint, rule_id, severity, kind, namespace, name)
     WHERE s.target_id = $1 AND s.fingerprint = r.fingerprint`,
    [scan.targetId, now, scan.scanId, ...stateColumns(rows)],
  );
}

/** The states of findings new to the target (ON CONFLICT: as the update, should one exist after all). */
async function insertNewStates(db: Queryable, scan: ScanKeys, rows: FindingRow[], now: Date): Promise<void> {
  await db.query(
    `INSERT INTO finding_states (id, organization_id, target_id, fingerprint, rule_id, severity, kind, namespace, name, status,
                                 first_seen_at, last_seen_at, last_scan_id, first_scan_id, opened_scan_id)
     SELECT gen_random_uuid(), $1, $2, r.fingerprint, r.rule_id, r.severity::"Severity", r.kind, r.namespace, r.name, 'open', $3, $3, $4, $4, $4
     FROM unnest($5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[]) AS r(fingerprint, rule_id, severity, kind, namespace, name)
     ON CONFLICT (target_id, fingerprint) DO UPDATE SET
       rule_id = EXCLUDED.rule_id, severity = EXCLUDED.severity, kind = EXCLUDED.kind, namespace = EXCLUDED.namespace, name = EXCLUDED.name,
       last_seen_at = EXCLUDED.last_seen_at, last_scan_id = EXCLUDED.last_scan_id,
       opened_scan_id = CASE WHEN finding_states.status = 'resolved' THEN EXCLUDED.opened_scan_id ELSE finding_states.opened_scan_id END,
       status = 'open', resolved_at = NULL, resolved_scan_id = NULL`,
    [scan.organizationId, scan.targetId, now, scan.scanId, ...stateColumns(rows)],
  );
}

/** The scan's change set: its own rows for what it opened, the last reporting scan's rows for what it resolved. */
async function writeChangeSet(db: Queryable, scanId: string, changes: StateChanges, findingIdOf: (fingerprint: string) => string | undefined): Promise<void> {
  const findingIds: string[] = [];
  const kinds: ChangeKind[] = [];
  for (const [change, fingerprints] of [
    ['opened', changes.opened],
    ['reopened', changes.reopened],
  ] as const) {
    for (const fingerprint of fingerprints) {
      const id = findingIdOf(fingerprint);
      if (id) {
        findingIds.push(id);
        kinds.push(change);
      }
    }
  }
  if (changes.resolved.length > 0) {
    const resolvedRows = await db.query<{ id: string }>(
      `SELECT DISTINCT ON (f.scan_id, f.fingerprint) f.id
       FROM findings f
       JOIN unnest($1::uuid[], $2::text[]) AS r(scan_id, fingerprint) ON f.scan_id = r.scan_id AND f.fingerprint = r.fingerprint
       ORDER BY f.scan_id, f.fingerprint, f.seq`,
      [changes.resolved.map((r) => r.lastScanId), changes.resolved.map((r) => r.fingerprint)],
    );
    for (const row of resolvedRows.rows) {
      findingIds.push(row.id);
      kinds.push('resolved');
    }
  }
  if (findingIds.length === 0) return;
  await db.query(
    `INSERT INTO scan_changes (scan_id, finding_id, change)
     SELECT $1, r.finding_id, r.change::"ChangeKind" FROM unnest($2::uuid[], $3::text[]) AS r(finding_id, change)
     ON CONFLICT DO NOTHING`,
    [scanId, findingIds, kinds],
  );
}

/**
 * Which Services started or stopped dropping traffic since the target's previous succeeded scan
 * (when this scan is the target's newest), as `diffVerdicts` (libs/scans, pure) decides, and
 * the scan's verdict counts.
 */
async function writeVerdictChanges(
  db: Queryable,
  scan: ScanKeys,
  verdicts: VerdictRow[],
  newest: boolean,
  diffVerdicts: DiffVerdicts | undefined,
): Promise<void> {
  const dropping = verdicts.filter((v) => v.verdict === 'drops').length;
  const unknown = verdicts.filter((v) => v.verdict === 'unknown').length;
  let changes: { startedDropping: ServiceChange[]; stoppedDropping: ServiceChange[] } | undefined;
  if (newest && diffVerdicts) {
    const previous = await db.query<{ id: string }>(
      `SELECT id FROM scans WHERE target_id = $1 AND status = 'succeeded' AND id <> $2 AND created_at < $3
       ORDER BY created_at DESC, id DESC LIMIT 1`,
      [scan.targetId, scan.scanId, scan.createdAt],
    );
    const previousId = previous.rows[0]?.id;
    const prior = previousId
      ? (
          await db.query<{ namespace: string; name: string; verdict: VerdictKey['verdict']; dropped_traffic_seconds: number }>(
            'SELECT namespace, name, verdict::text AS verdict, dropped_traffic_seconds FROM service_verdicts WHERE scan_id = $1',
            [previousId],
          )
        ).rows.map((v) => ({ namespace: v.namespace, name: v.name, verdict: v.verdict, droppedTrafficSeconds: v.dropped_traffic_seconds }))
      : undefined;
    const { startedDropping, stoppedDropping } = diffVerdicts(prior, verdicts);
    const json = (change: ServiceChange): ServiceChange => ({
      namespace: change.namespace,
      name: change.name,
      verdict: change.verdict,
      droppedTrafficSeconds: change.droppedTrafficSeconds,
    });
    changes = { startedDropping: startedDropping.map(json), stoppedDropping: stoppedDropping.map(json) };
  }
  await db.query(
    `UPDATE scans SET services_judged = $2, services_dropping = $3, services_unknown = $4, verdict_changes = COALESCE($5::jsonb, verdict_changes)
     WHERE id = $1`,
    [scan.scanId, verdicts.length, dropping, unknown, changes ? JSON.stringify(changes) : null],
  );
}

const VERDICT_COLUMNS = ['id', 'organization_id', 'scan_id', 'seq', 'namespace', 'name', 'verdict', 'dropped_traffic_seconds', 'data', 'timeline_svg'];

/** The verdicts as COPY data, in their order (`seq`). */
function verdictsCopy(scan: ScanKeys, verdicts: VerdictRow[]): Uint8Array[] {
  const copy = new BinaryCopyRows(VERDICT_COLUMNS.length);
  const organizationId = uuidBytes(scan.organizationId);
  const scanId = uuidBytes(scan.scanId);
  verdicts.forEach((verdict, seq) =>
    copy
      .row()
      .uuid(randomUUID())
      .uuid(organizationId)
      .uuid(scanId)
      .int4(seq)
      .text(verdict.namespace)
      .text(verdict.name)
      .text(verdict.verdict)
      .float8(verdict.droppedTrafficSeconds)
      .jsonb(JSON.stringify(verdict.data))
      .text(verdict.timelineSvg),
  );
  return copy.slices();
}

function warningJson(warning: ScanWarning): ScanWarning {
  return { message: warning.message, ...(warning.location ? { location: { file: warning.location.file, line: warning.location.line } } : {}) };
}
