import { Inject, Injectable, Logger } from '@nestjs/common';
import { getNextMillis } from 'bullmq';
import { ClusterRepository, ScanRepository, ScheduleRepository, type ScheduleRow, type ScheduleSpec } from '#rollsafe/store';
import { DomainError, notFound } from '../errors.js';
import { UUID } from '../cursor.js';
import { JobQueue, type RepeatSpec } from '../jobs/job-queue.js';
import { SCANS_CONFIG, type ScansConfig } from '../options.js';
import { toScheduleView } from '../views.js';
import type { ScheduleView } from '../contracts/index.js';

export interface ScheduleInput {
  cron?: unknown;
  timezone?: unknown;
  everySeconds?: unknown;
}

const MAX_EVERY_SECONDS = 31 * 24 * 3600;

/**
 * Use case: scheduled scans of registered clusters. The `schedules` row is the source of
 * truth; each has a BullMQ job scheduler keyed by its cluster id (upserted, so a restart or a
 * repeated PUT never makes two), which the worker reconciles with the rows at start-up. A run
 * queues a scan with trigger `schedule`, or records a `skipped` one when a scan of the cluster
 * is still queued or running.
 */
@Injectable()
export class ScheduleService {
  private readonly logger = new Logger(ScheduleService.name);

  constructor(
    private readonly schedules: ScheduleRepository,
    private readonly clusters: ClusterRepository,
    private readonly scans: ScanRepository,
    private readonly jobs: JobQueue,
    @Inject(SCANS_CONFIG) private readonly options: ScansConfig,
  ) {}

  get minSeconds(): number {
    return this.options.minScheduleSeconds;
  }

  /** Sets (creates or replaces) the cluster's schedule. */
  async set(organizationId: string, clusterId: string, input: ScheduleInput): Promise<ScheduleView> {
    if (!UUID.test(clusterId) || !(await this.clusters.findForOrganization(organizationId, clusterId))) throw notFound('cluster', clusterId);
    const spec = this.validate(input);
    const row = await this.schedules.upsert(organizationId, clusterId, spec);
    if (!row) throw notFound('cluster', clusterId);
    try {
      await this.jobs.upsertSchedule(clusterId, repeatOf(row));
    } catch (error) {
      // The row stands; the worker installs its scheduler when it next starts.
      this.logger.error({ msg: 'job scheduler not updated', clusterId, error: String(error) });
      throw new DomainError('UNAVAILABLE', 'the schedule is saved but the queue is unavailable: it takes effect when the worker next starts');
    }
    return toScheduleView(row, await this.nextRun(clusterId));
  }

  async get(organizationId: string, clusterId: string): Promise<ScheduleView> {
    const row = await this.row(organizationId, clusterId);
    return toScheduleView(row, await this.nextRun(clusterId));
  }

  /** The cluster's schedule, or undefined (GraphQL's nullable `Cluster.schedule`). */
  async find(organizationId: string, clusterId: string): Promise<ScheduleView | undefined> {
    const row = UUID.test(clusterId) ? await this.schedules.findForCluster(organizationId, clusterId) : undefined;
    return row ? toScheduleView(row, await this.nextRun(clusterId)) : undefined;
  }

  /** Stops the cluster's scheduled scans. */
  async delete(organizationId: string, clusterId: string): Promise<void> {
    await this.row(organizationId, clusterId);
    await this.schedules.delete(organizationId, clusterId);
    try {
      await this.jobs.removeSchedule(clusterId);
    } catch (error) {
      // Its runs find no row and remove it; the worker's start-up reconciliation does too.
      this.logger.warn({ msg: 'job scheduler not removed', clusterId, error: String(error) });
    }
  }

  /**
   * Worker side: one run of a cluster's scheduler. `runId` (the scheduler's job id) makes a
   * rerun of the same job return the scan recorded the first time instead of queueing another.
   */
  async runScheduled(clusterId: string, runId: string): Promise<'queued' | 'skipped' | 'duplicate' | 'no-schedule'> {
    const schedule = await this.schedules.findByClusterId(clusterId);
    const cluster = schedule ? await this.clusters.findForOrganization(schedule.organizationId, clusterId) : undefined;
    if (!schedule || !cluster) {
      this.logger.warn({ msg: 'scheduler without a schedule row: removing it', clusterId });
      await this.jobs.removeSchedule(clusterId);
      return 'no-schedule';
    }
    const created = await this.scans.createScheduled(
      {
        organizationId: schedule.organizationId,
        targetId: cluster.targetId,
        trigger: 'schedule',
        ...(cluster.provider ? { provider: cluster.provider } : {}),
        scheduledRun: runId,
      },
      new Date(),
    );
    if (!created) return 'no-schedule';
    const { scan, outcome } = created;
    // A duplicate whose scan is still queued may have crashed before its job was queued:
    // queueing again is harmless (the job id is the scan id).
    if (outcome === 'queued' || (outcome === 'duplicate' && scan.status === 'queued')) {
      await this.jobs.enqueue('cluster.scan', { scanId: scan.id, clusterId }, scan.id);
    }
    this.logger.log({
      msg: outcome === 'skipped' ? 'scheduled scan skipped: a scan of the cluster is in progress' : 'scheduled scan',
      clusterId,
      scanId: scan.id,
      outcome,
    });
    return outcome;
  }

  /**
   * Worker start-up: every schedule row gets its job scheduler (upserted: no duplicates), and
   * schedulers whose row is gone are removed.
   */
  async reconcile(): Promise<{ installed: number; removed: number }> {
    const wanted = new Set<string>();
    let after: string | undefined;
    for (;;) {
      const page = await this.schedules.page(500, after);
      for (const row of page) {
        wanted.add(row.clusterId);
        try {
          await this.jobs.upsertSchedule(row.clusterId, repeatOf(row));
        } catch (error) {
          this.logger.error({ msg: 'could not install a job scheduler', clusterId: row.clusterId, error: String(error) });
        }
      }
      if (page.length < 500) break;
      after = page[page.length - 1]?.clusterId;
    }
    let removed = 0;
    for (const id of await this.jobs.scheduledClusterIds()) {
      if (wanted.has(id)) continue;
      await this.jobs.removeSchedule(id);
      removed += 1;
    }
    return { installed: wanted.size, removed };
  }

  private async nextRun(clusterId: string): Promise<Date | undefined> {
    try {
      return await this.jobs.nextScheduledRun(clusterId);
    } catch {
      return undefined;
    }
  }

  private async row(organizationId: string, clusterId: string): Promise<ScheduleRow> {
    if (!UUID.test(clusterId) || !(await this.clusters.findForOrganization(organizationId, clusterId))) throw notFound('cluster', clusterId);
    const row = await this.schedules.findForCluster(organizationId, clusterId);
    if (!row) throw new DomainError('NOT_FOUND', `cluster ${clusterId} has no schedule`);
    return row;
  }

  /** Exactly one of cron and everySeconds; a cron that parses, in a known time zone, no more often than the floor. */
  validate(input: ScheduleInput): ScheduleSpec {
    const cron = input.cron ?? undefined;
    const timezone = input.timezone ?? undefined;
    const every = input.everySeconds ?? undefined;
    const floor = this.minSeconds;
    if ((cron === undefined) === (every === undefined)) {
      throw invalid(cron === undefined ? 'everySeconds' : 'cron', 'give exactly one of cron (with an optional timezone) and everySeconds');
    }
    if (every !== undefined) {
      if (timezone !== undefined) throw invalid('timezone', 'timezone applies to cron schedules only');
      if (typeof every !== 'number' || !Number.isInteger(every) || every < floor || every > MAX_EVERY_SECONDS) {
        throw invalid('everySeconds', `everySeconds must be an integer from ${floor} (ROLLSAFE_MIN_SCHEDULE_SECONDS) to ${MAX_EVERY_SECONDS}`);
      }
      return { cron: null, timezone: null, everySeconds: every };
    }
    if (typeof cron !== 'string' || cron.trim() === '' || cron.length > 200) throw invalid('cron', 'cron must be a cron expression such as "0 3 * * *"');
    if (timezone !== undefined && (typeof timezone !== 'string' || !knownTimeZone(timezone))) {
      throw invalid('timezone', 'timezone must be an IANA time zone such as "Asia/Shanghai" or "UTC"');
    }
    const pattern = cron.trim().replace(/\s+/g, ' ');
    const gap = shortestGapSeconds(pattern, timezone as string | undefined);
    if (gap === undefined)
      throw invalid('cron', `cron "${pattern}" is not a valid cron expression (5 or 6 fields: [second] minute hour day-of-month month day-of-week)`);
    if (gap < floor) throw invalid('cron', `cron "${pattern}" runs every ${gap} s; the shortest period allowed is ${floor} s (ROLLSAFE_MIN_SCHEDULE_SECONDS)`);
    return { cron: pattern, timezone: (timezone as string | undefined) ?? null, everySeconds: null };
  }
}

function repeatOf(row: ScheduleRow): RepeatSpec {
  if (row.everySeconds !== null) return { everySeconds: row.everySeconds };
  return { cron: row.cron ?? '', ...(row.timezone ? { timezone: row.timezone } : {}) };
}

function invalid(field: string, message: string): DomainError {
  return new DomainError('SCHEDULE_INVALID', message, { field });
}

function knownTimeZone(zone: string): boolean {
  if (zone.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The shortest time between runs over the next few dozen runs; undefined when the pattern does not parse. */
function shortestGapSeconds(pattern: string, timezone: string | undefined): number | undefined {
  const fields = pattern.split(' ').length;
  if (fields < 5 || fields > 6) return undefined;
  try {
    let previous = getNextMillis(Date.now(), { pattern, ...(timezone ? { tz: timezone } : {}) });
    if (previous === undefined) return undefined;
    let shortest = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 60; i += 1) {
      const next = getNextMillis(previous, { pattern, ...(timezone ? { tz: timezone } : {}) });
      if (next === undefined) break;
      shortest = Math.min(shortest, next - previous);
      previous = next;
    }
    return Number.isFinite(shortest) ? Math.round(shortest / 1000) : MAX_EVERY_SECONDS;
  } catch {
    return undefined;
  }
}
