import { Injectable, Logger } from '@nestjs/common';
import { Gauge, Histogram, Registry, Summary, collectDefaultMetrics, type Metric } from 'prom-client';
import { FindingRepository, PrismaService, ScanRepository } from '#rollsafe/store';
import { JobQueue } from '#rollsafe/scans';

/**
 * Prometheus metrics. Request durations are observed here; scans, durations, queue depth,
 * open findings and webhook deliveries are read from Postgres and Redis at scrape time, so
 * they cover every worker and API instance (the worker delivers, the API reports). Names
 * follow Prometheus' rules: gauges of rows by state (`rollsafe_scans`,
 * `rollsafe_webhook_deliveries`), no `_total`, `_sum` or `_count` outside a counter, summary
 * or histogram (scan durations are one summary family).
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly logger = new Logger('MetricsService');
  private readonly requestDuration: Histogram<'method' | 'route' | 'status'>;

  constructor(scans: ScanRepository, findings: FindingRepository, jobs: JobQueue, prisma: PrismaService) {
    collectDefaultMetrics({ register: this.registry, prefix: 'rollsafe_' });
    this.requestDuration = new Histogram({
      name: 'rollsafe_http_request_duration_seconds',
      help: 'HTTP request durations',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    const safely = async (what: string, collect: () => Promise<void>) => {
      try {
        await collect();
      } catch (error) {
        this.logger.warn({ msg: `could not collect ${what}`, error: error instanceof Error ? error.message : String(error) });
      }
    };
    new Gauge({
      name: 'rollsafe_scans',
      help: 'Scans by status',
      labelNames: ['status'],
      registers: [this.registry],
      async collect() {
        await safely('scans', async () => {
          this.reset();
          for (const status of ['queued', 'running', 'succeeded', 'failed', 'skipped']) this.set({ status }, 0);
          for (const row of await scans.countByStatus()) this.set({ status: row.status }, row.count);
        });
      },
    });
    // Scan run times as one summary family (its _sum and _count, no quantiles), both from
    // one read of the totals per scrape, so they always describe the same moment.
    this.registry.registerMetric(
      summaryFromTotals('rollsafe_scan_duration_seconds', 'Run time of finished scans, by status', async () => {
        let rows: Awaited<ReturnType<ScanRepository['durationTotals']>> = [];
        await safely('scan durations', async () => {
          rows = await scans.durationTotals();
        });
        // finished statuses at 0 until a scan finishes, like the other families' labels
        const byStatus = new Map<string, { count: number; sum: number }>([
          ['succeeded', { count: 0, sum: 0 }],
          ['failed', { count: 0, sum: 0 }],
        ]);
        for (const row of rows) byStatus.set(row.status, { count: row.count, sum: row.sumMs / 1000 });
        return [...byStatus].map(([status, totals]) => ({ labels: { status }, ...totals }));
      }),
    );
    new Gauge({
      name: 'rollsafe_webhook_deliveries',
      help: 'Webhook delivery attempts in the delivery log, by result (gave_up: a notification given up on; tests included)',
      labelNames: ['result'],
      registers: [this.registry],
      async collect() {
        await safely('webhook deliveries', async () => {
          const groups = await prisma.client.webhookDelivery.groupBy({ by: ['result'], _count: { _all: true } });
          this.reset();
          for (const result of ['delivered', 'retrying', 'gave_up']) this.set({ result }, 0);
          for (const group of groups) this.set({ result: group.result }, group._count._all);
        });
      },
    });
    new Gauge({
      name: 'rollsafe_queue_jobs',
      help: 'Jobs in the queues, by state',
      labelNames: ['queue', 'state'],
      registers: [this.registry],
      async collect() {
        await safely('queue depth', async () => {
          this.reset();
          for (const row of await jobs.depth()) this.set({ queue: row.queue, state: row.state }, row.count);
        });
      },
    });
    new Gauge({
      name: 'rollsafe_findings_open',
      help: 'Open findings (latest state per target), by severity',
      labelNames: ['severity'],
      registers: [this.registry],
      async collect() {
        await safely('open findings', async () => {
          this.reset();
          for (const severity of ['critical', 'warning', 'info']) this.set({ severity }, 0);
          for (const row of await findings.openStatesBySeverity()) this.set({ severity: row.severity }, row.count);
        });
      },
    });
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.requestDuration.observe({ method, route, status: String(status) }, seconds);
  }
}

/** A summary family (`# TYPE name summary`: name_sum and name_count per status) whose totals are read at scrape time. */
class SummaryOfTotals extends Summary<'status'> {
  constructor(
    name: string,
    help: string,
    private readonly totals: () => Promise<Array<{ labels: { status: string }; count: number; sum: number }>>,
  ) {
    super({ name, help, labelNames: ['status'], registers: [] });
  }

  override async get(): ReturnType<Summary<'status'>['get']> {
    const base = await super.get();
    const rows = await this.totals();
    return {
      ...base,
      values: rows.flatMap((row) => [
        { metricName: `${base.name}_sum`, labels: row.labels, value: row.sum },
        { metricName: `${base.name}_count`, labels: row.labels, value: row.count },
      ]),
    };
  }
}

function summaryFromTotals(name: string, help: string, read: () => Promise<Array<{ labels: { status: string }; count: number; sum: number }>>): Metric {
  return new SummaryOfTotals(name, help, read);
}
