// The per-scan budget: a snapshot big enough to leave the event loop runs the advisor on a
// thread of its own, capped in heap and time; over either, the scan fails with a message that
// says which budget, and the process (its job locks, the other scans) goes on. The thread
// script is the build's (run `node tools/build.mjs` first, as `npm test` does).
import { parseManifests } from '#rollsafe/manifests';
import { runAdvisor, type Snapshot } from '#rollsafe/advisor';
import { testConfig } from '#rollsafe/testing';
import { INLINE_OBJECTS, ScanBudgetError, ScanEngine, objectCount, runBudgeted } from '../scan-engine.js';
import { advise } from './advise.js';
import { EncodedSnapshot, encodeSnapshot } from './snapshot-codec.js';

function manyDeployments(count: number): Snapshot {
  const documents: string[] = [];
  for (let i = 0; i < count; i += 1) {
    documents.push(
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web-${i}, namespace: shop}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: web-${i}}}\n  template:\n    metadata: {labels: {app: web-${i}}}\n    spec:\n      containers:\n        - {name: web, image: nginx}\n`,
    );
  }
  const parsed = parseManifests([{ name: 'many.yaml', text: documents.join('---\n') }], { maxDocuments: count + 10 });
  return parsed.snapshot;
}

describe('per-scan budget (ScanEngine)', () => {
  const big = manyDeployments(INLINE_OBJECTS + 500);
  // Over a 20 ms budget on any machine: a warm thread judges `big` in under 20 ms on a fast one.
  const slow = manyDeployments(20_000);
  const options = { suppressions: [] };

  it('runs a big snapshot on a thread with the same result as in place', async () => {
    expect(objectCount(big)).toBeGreaterThanOrEqual(INLINE_OBJECTS);
    const engine = new ScanEngine(testConfig());
    const threaded = await engine.run(big, options);
    const inline = runAdvisor(big, options);
    expect(threaded.findings.length).toBe(inline.findings.length);
    expect(threaded.findings.map((f) => f.fingerprint)).toEqual(inline.findings.map((f) => f.fingerprint));
  }, 60_000);

  it('decodes a kept snapshot on the thread and judges the Services there, as in place', async () => {
    const withServices = parseManifests(
      [
        {
          name: 'lb.yaml',
          text: `apiVersion: v1\nkind: Service\nmetadata: {name: web-0, namespace: shop}\nspec: {type: LoadBalancer, selector: {app: web-0}, ports: [{port: 80}]}\n`,
        },
      ],
      {},
    ).snapshot;
    const snapshot = { ...big, services: withServices.services, locations: new Map([...big.locations, ...withServices.locations]) };
    const settings = { provider: 'alibaba' };
    const threaded = await new ScanEngine(testConfig()).run(new EncodedSnapshot(encodeSnapshot(snapshot), INLINE_OBJECTS + 501), options, settings);
    const inline = advise(snapshot, options, settings);
    expect(threaded.findings.map((f) => f.fingerprint)).toEqual(inline.findings.map((f) => f.fingerprint));
    expect(threaded.findings.map((f) => f.location)).toEqual(inline.findings.map((f) => f.location));
    expect(threaded.verdicts).toEqual(inline.verdicts);
    expect(threaded.verdicts && 'verdicts' in threaded.verdicts && threaded.verdicts.verdicts.map((v) => v.service.name)).toEqual(['web-0']);
  }, 60_000);

  it('fails a scan over its time budget with a message naming the budget, and keeps the event loop free', async () => {
    let ticks = 0;
    const ticker = setInterval(() => (ticks += 1), 5);
    const started = Date.now();
    const outcome = await runBudgeted(slow, options, 20, 1024).catch((error: unknown) => error);
    clearInterval(ticker);
    expect(outcome).toBeInstanceOf(ScanBudgetError);
    expect((outcome as Error).message).toMatch(/time budget: the rules ran for more than 20 ms \(ROLLSAFE_SCAN_TIMEOUT_MS\)/);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(ticks).toBeGreaterThan(0);
  }, 30_000);

  it('keeps its thread for the next scan, and gives a scan after one over its time budget a fresh thread', async () => {
    const first = await runBudgeted(big, options, 60_000, 1024);
    const second = await runBudgeted(big, options, 60_000, 1024);
    expect(second.findings.map((f) => f.fingerprint)).toEqual(first.findings.map((f) => f.fingerprint));
    const late = await runBudgeted(slow, options, 20, 1024).catch((error: unknown) => error);
    expect(late).toBeInstanceOf(ScanBudgetError);
    const after = await runBudgeted(big, options, 60_000, 1024);
    expect(after.findings.map((f) => f.fingerprint)).toEqual(first.findings.map((f) => f.fingerprint));
  }, 120_000);

  it('fails a scan over its memory budget with a message naming the budget', async () => {
    const outcome = await runBudgeted(slow, options, 120_000, 8).catch((error: unknown) => error);
    expect(outcome).toBeInstanceOf(ScanBudgetError);
    expect((outcome as Error).message).toBe('the scan went over its memory budget of 8 MiB (ROLLSAFE_SCAN_MEMORY_MB)');
  }, 120_000);
});
