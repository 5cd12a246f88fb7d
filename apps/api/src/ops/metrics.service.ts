import { Injectable, Logger } from '@nestjs/common';
import { Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { FindingRepository, ScanRepository } from '#rollsafe/store';
import { JobQueue } from '#rollsafe/scans';

/**
 * Prometheus metrics. Request durations are observed here; scans, durations, queue depth
 * and open findings are read from Postgres and Redis at scrape time, so they cover every
 * worker and API instance.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly logger = new Logger('MetricsService');
  private readonly requestDuration: Histogram<'method' | 'route' | 'status'>;

  constructor(scans: ScanRepository, findings: FindingRepository, jobs: JobQueue) {
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
    // The sum and the count of scan durations come from one read per scrape: prom-client
    // collects every metric of a scrape at once, so whichever gauge it asks first starts the
    // read and the other waits for the same answer (neither serves the previous scrape's).
    let durations: Promise<void> | undefined;
    const collectDurations = (): Promise<void> =>
      (durations ??= safely('scan durations', async () => {
        const rows = await scans.durationTotals();
        durationSum.reset();
        durationCount.reset();
        for (const row of rows) {
          durationCount.set({ status: row.status }, row.count);
          durationSum.set({ status: row.status }, row.sumMs / 1000);
        }
      }).finally(() => {
        durations = undefined;
      }));
    const durationSum: Gauge<'status'> = new Gauge({
      name: 'rollsafe_scan_duration_seconds_sum',
      help: 'Total run time of finished scans, by status',
      labelNames: ['status'],
      registers: [this.registry],
      collect: collectDurations,
    });
    const durationCount: Gauge<'status'> = new Gauge({
      name: 'rollsafe_scan_duration_seconds_count',
      help: 'Number of finished scans with a run time, by status',
      labelNames: ['status'],
      registers: [this.registry],
      collect: collectDurations,
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
