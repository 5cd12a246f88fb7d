// The CLI runs a scan's simulations on a worker thread while it runs the rules: every verdict
// must be the one serviceVerdicts gives in the calling thread, names, windows and fixes included.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SnapshotIndex, runAdvisor, type Snapshot } from '#rollsafe/advisor';
import { citeFindings, prepareVerdicts, serviceVerdicts, simulateVerdicts, SimulationThread } from '../src/index.js';
import { appYaml, IN_PLACE_STRATEGY, snapshotOf, type AppOptions } from './seed.js';

// The worker runs the compiled module (`npm test` builds before it tests): jest's sources are TypeScript.
const workspace = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const workerUrl = new URL(`file://${path.join(workspace, 'dist/libs/simulator/src/simulation-worker.js')}`);

/** Apps across the causes and cures: drops with one fix or several, safe ones, equal parameters under other names. */
function mixedApps(): string {
  const apps: string[] = [];
  const shapes: AppOptions[] = [];
  for (const replicas of [1, 2, 5])
    for (const readinessProbe of [false, true])
      for (const preStopSleep of [undefined, 3, 30])
        for (const path of ['eni', 'local', 'node'] as const)
          shapes.push({
            replicas,
            readinessProbe,
            ...(preStopSleep === undefined ? {} : { preStopSleep }),
            grace: preStopSleep === 30 ? 60 : 30,
            eni: path === 'eni',
            local: path === 'local',
            drain: replicas !== 2,
            ...(replicas === 5 ? { strategy: IN_PLACE_STRATEGY, nodeAffinity: path === 'local' } : {}),
            readinessGate: replicas === 1 && path === 'eni',
          });
  shapes.forEach((shape, i) => {
    apps.push(appYaml({ ...shape, name: `app-${i}` }));
    if (i % 4 === 0) apps.push(appYaml({ ...shape, name: `twin-${i}` })); // equal parameters, another name
  });
  // A Service that selects nothing: its verdict is unknown.
  apps.push(
    'apiVersion: v1\nkind: Service\nmetadata: { name: orphan, namespace: shop }\nspec:\n  type: LoadBalancer\n  selector: { app: nobody }\n  ports: [{ port: 80 }]\n',
  );
  return apps.join('---\n');
}

function verdictsInOneThread(snapshot: Snapshot): unknown {
  const index = new SnapshotIndex(snapshot);
  const findings = runAdvisor(snapshot, {}, undefined, index).findings;
  return serviceVerdicts(snapshot, { findings, index });
}

describe('verdicts with the simulations on a worker thread', () => {
  const snapshot = snapshotOf(mixedApps());
  const expected = verdictsInOneThread(snapshot) as ReturnType<typeof serviceVerdicts>;

  it('covers drops with fixes, safe Services, twins and an unknown one', () => {
    expect(expected.summary.drops).toBeGreaterThan(10);
    expect(expected.summary.safe).toBeGreaterThan(0);
    expect(expected.summary.unknown).toBe(1);
    expect(expected.verdicts.some((v) => v.fixes.length > 1)).toBe(true);
  });

  it('gives the verdicts of the calling thread', async () => {
    const index = new SnapshotIndex(snapshot);
    const prepared = prepareVerdicts(snapshot, { index });
    const thread = new SimulationThread(workerUrl);
    try {
      const simulated = thread.simulate({ prepared, fixes: true });
      const findings = runAdvisor(snapshot, {}, undefined, index).findings;
      expect(citeFindings(await simulated, findings)).toEqual(expected);
    } finally {
      thread.close();
    }
  });

  it('crosses threads as plain data: a structured clone of the prepared Services gives the same verdicts', () => {
    const index = new SnapshotIndex(snapshot);
    const prepared = structuredClone(prepareVerdicts(snapshot, { index }));
    const findings = runAdvisor(snapshot, {}, undefined, index).findings;
    expect(citeFindings(structuredClone(simulateVerdicts(prepared, true)), findings)).toEqual(expected);
  });

  it('simulates in the calling thread when the worker fails', async () => {
    const index = new SnapshotIndex(snapshot);
    const prepared = prepareVerdicts(snapshot, { index });
    const thread = new SimulationThread(new URL(`file://${path.join(workspace, 'dist/no-such-worker.js')}`));
    try {
      const verdicts = await thread.simulate({ prepared, fixes: true });
      const findings = runAdvisor(snapshot, {}, undefined, index).findings;
      expect(citeFindings(verdicts, findings)).toEqual(expected);
    } finally {
      thread.close();
    }
  });
});
