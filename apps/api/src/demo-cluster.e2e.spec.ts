// `rollsafe demo`'s cluster registered with the service, as the README's "Try it without a
// cluster" does: the kubeconfig the demo writes (its fake API server on loopback, a read-only
// token), a service allowing loopback API servers, a scan, and the seed's findings.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { FakeKubeApiServer, kubeScenarios } from '#rollsafe/testing';
import { ApiHarness } from '../test/api-harness.js';

describe('the demo cluster in the service (e2e)', () => {
  const harness = new ApiHarness({ scanPolls: 300, options: () => ({ encryptionKey: randomBytes(32), outboundAllow: ['loopback'] }) });
  const { start, call, waitForScan, createOrg } = harness;
  let fake: FakeKubeApiServer;
  let key: string;

  beforeAll(async () => {
    await harness.setUp();
    // as apps/cli/src/demo/command.ts starts it
    fake = await FakeKubeApiServer.start({ scenario: kubeScenarios.demoCluster(), tokens: { 'rollsafe-demo-reader': kubeScenarios.readOnlyUser } });
    harness.startScanWorker((await start()).app);
    key = await createOrg('demo');
  }, 60_000);

  afterAll(async () => {
    await harness.tearDown();
    await fake?.stop();
  });

  it('registers from the kubeconfig the demo writes, and its first scan finds the stories', async () => {
    const registered = await call('POST', '/api/v1/clusters', {
      key,
      json: { name: 'demo', kubeconfig: fake.kubeconfig({ auth: 'token', contextName: 'rollsafe-demo' }) },
    });
    expect(registered.status).toBe(201);
    expect(registered.body).toMatchObject({ name: 'demo', server: fake.url, contextName: 'rollsafe-demo', warnings: [], notEvaluated: [] });
    const cluster = registered.body['id'] as string;
    const queued = await call('POST', `/api/v1/clusters/${cluster}/scans`, { key });
    expect(queued.status).toBe(202);
    const scan = await waitForScan(key, queued.body['id'] as string);
    expect(scan['status']).toBe('succeeded');
    const findings = await call('GET', `/api/v1/clusters/${cluster}/findings?status=open&limit=100`, { key });
    expect(findings.status).toBe(200);
    const items = findings.body['items'] as Array<{ ruleId: string; severity: string; resource: { namespace?: string; name: string } }>;
    const has = (ruleId: string, name: string): boolean => items.some((f) => f.ruleId === ruleId && f.resource.name === name);
    expect([
      has('prestop-hook-missing', 'orders'),
      has('container-restart-loop', 'payments'),
      has('local-traffic-node-single-pod', 'nginx-ingress-lb'),
      items.some((f) => f.ruleId === 'slb-quota-per-node'),
    ]).toEqual([true, true, true, true]);
  });
});
