// /metrics without Postgres or Redis: the repositories and the queue are stand-ins whose
// answers change between scrapes, as they do when scans finish.
import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { FindingRepository, ScanRepository } from '#rollsafe/store';
import { JobQueue } from '#rollsafe/scans';
import { MetricsService } from './metrics.service.js';

type Totals = Array<{ status: 'succeeded' | 'failed'; count: number; sumMs: number }>;

describe('MetricsService', () => {
  let totals: Totals = [];
  let totalsReads = 0;

  async function metrics(): Promise<MetricsService> {
    const moduleRef = await Test.createTestingModule({
      providers: [
        MetricsService,
        {
          provide: ScanRepository,
          useValue: {
            countByStatus: () => Promise.resolve([]),
            durationTotals: async () => {
              totalsReads += 1;
              // An answer that takes a while, as a database query does.
              await new Promise((resolve) => setImmediate(resolve));
              return totals.map((row) => ({ ...row }));
            },
          },
        },
        { provide: FindingRepository, useValue: { openStatesBySeverity: () => Promise.resolve([]) } },
        { provide: JobQueue, useValue: { depth: () => Promise.resolve([]) } },
      ],
    }).compile();
    return moduleRef.get(MetricsService);
  }

  function sample(text: string, name: string, status: string): number | undefined {
    const line = text.split('\n').find((l) => l.startsWith(`${name}{status="${status}"} `));
    return line === undefined ? undefined : Number(line.split(' ').pop());
  }

  it('serves the scan-duration sum and count of the same moment, in every scrape (the sum does not lag a scrape behind)', async () => {
    const service = await metrics();
    totals = [{ status: 'succeeded', count: 1, sumMs: 2000 }];
    const first = await service.registry.metrics();
    expect(sample(first, 'rollsafe_scan_duration_seconds_count', 'succeeded')).toBe(1);
    expect(sample(first, 'rollsafe_scan_duration_seconds_sum', 'succeeded')).toBe(2);

    totals = [
      { status: 'succeeded', count: 2, sumMs: 5000 },
      { status: 'failed', count: 1, sumMs: 250 },
    ];
    const second = await service.registry.metrics();
    expect(sample(second, 'rollsafe_scan_duration_seconds_count', 'succeeded')).toBe(2);
    expect(sample(second, 'rollsafe_scan_duration_seconds_sum', 'succeeded')).toBe(5);
    expect(sample(second, 'rollsafe_scan_duration_seconds_count', 'failed')).toBe(1);
    expect(sample(second, 'rollsafe_scan_duration_seconds_sum', 'failed')).toBe(0.25);
    // One read of the totals per scrape: sum and count come from the same answer.
    expect(totalsReads).toBe(2);

    // The single-metric endpoint of the registry is fresh too.
    totals = [{ status: 'succeeded', count: 3, sumMs: 6000 }];
    expect(await service.registry.getSingleMetricAsString('rollsafe_scan_duration_seconds_sum')).toContain(
      'rollsafe_scan_duration_seconds_sum{status="succeeded"} 6',
    );
  });
});
