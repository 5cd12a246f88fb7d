// /metrics without Postgres or Redis: the repositories and the queue are stand-ins whose
// answers change between scrapes, as they do when scans finish.
import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { FindingRepository, PrismaService, ScanRepository } from '#rollsafe/store';
import { JobQueue } from '#rollsafe/scans';
import { MetricsService } from './metrics.service.js';

type Totals = Array<{ status: 'succeeded' | 'failed'; count: number; sumMs: number }>;

describe('MetricsService', () => {
  let totals: Totals = [];
  let totalsReads = 0;
  let deliveries: Array<{ result: string; count: number }> = [];

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
        {
          provide: PrismaService,
          useValue: {
            client: { webhookDelivery: { groupBy: () => Promise.resolve(deliveries.map((row) => ({ result: row.result, _count: { _all: row.count } }))) } },
          },
        },
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
    expect(await service.registry.getSingleMetricAsString('rollsafe_scan_duration_seconds')).toContain(
      'rollsafe_scan_duration_seconds_sum{status="succeeded"} 6',
    );
  });

  it('follows the exposition rules: one # TYPE per family, sums and counts only in a summary or histogram, _total only on counters', async () => {
    const service = await metrics();
    totals = [{ status: 'succeeded', count: 1, sumMs: 1500 }];
    deliveries = [
      { result: 'delivered', count: 3 },
      { result: 'gave_up', count: 1 },
    ];
    const text = await service.registry.metrics();
    expect(text).toContain('# TYPE rollsafe_scan_duration_seconds summary\n');
    expect(sample(text, 'rollsafe_scan_duration_seconds_sum', 'succeeded')).toBe(1.5);
    expect(text).toContain('# TYPE rollsafe_webhook_deliveries gauge\n');
    for (const [result, count] of [
      ['delivered', 3],
      ['retrying', 0],
      ['gave_up', 1],
    ] as const) {
      expect(text).toContain(`rollsafe_webhook_deliveries{result="${result}"} ${count}\n`);
    }
    // prom-client's default Node.js gauges (active handles...) end in _total; not ours to rename
    expect(exposition(text).filter((problem) => !problem.startsWith('rollsafe_nodejs_active_'))).toEqual([]);
  });
});

/** promtool's lint of a text exposition, the rules that apply here. */
function exposition(text: string): string[] {
  const problems: string[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    const typed = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (typed) {
      if (types.has(typed[1] as string)) problems.push(`${typed[1]}: second # TYPE`);
      types.set(typed[1] as string, typed[2] as string);
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0] ?? '';
    const family = [name, name.replace(/_(sum|count|bucket)$/, ''), name.replace(/_(total|created)$/, '')].find((candidate) => types.has(candidate));
    if (!family) {
      problems.push(`${name}: no # TYPE`);
      continue;
    }
    const type = types.get(family);
    if (name !== family && /_(sum|count|bucket)$/.test(name) && type !== 'summary' && type !== 'histogram')
      problems.push(`${name}: _sum/_count outside a summary or histogram`);
    if (type === 'counter' && !name.endsWith('_total')) problems.push(`${name}: a counter without _total`);
    if (type !== 'counter' && name.endsWith('_total')) problems.push(`${name}: _total on a ${type}`);
    if (!name.startsWith('rollsafe_')) problems.push(`${name}: not under rollsafe_`);
  }
  for (const [name, type] of types) if (type !== 'counter' && /_(sum|count|bucket|total)$/.test(name)) problems.push(`${name}: a ${type} named like a sample`);
  return problems;
}
