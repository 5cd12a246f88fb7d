// Issue 12: an organization's provider profile values (PUT /api/v1/settings/provider-profile)
// apply to its later scans, against the real Postgres and Redis: the same Alibaba ENI
// Deployment is quiet with the built-in CLB removal estimate (~10 s) and gets
// prestop-sleep-too-short once the organization measured 40 s; another organization is unaffected.
import 'reflect-metadata';
import { ApiHarness, type Json } from '../test/api-harness.js';

const ENI_APP = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 3
  minReadySeconds: 20
  selector: {matchLabels: {app: web}}
  strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 80
      readinessGates: [{conditionType: service.readiness.alibabacloud.com/web}]
      containers:
        - name: app
          image: registry.example.com/web:1
          ports: [{name: http, containerPort: 8080}]
          readinessProbe: {tcpSocket: {port: http}}
          lifecycle: {preStop: {sleep: {seconds: 20}}}
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
  annotations:
    service.beta.kubernetes.io/backend-type: eni
    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-graceful-shutdown: "true"
spec: {type: LoadBalancer, selector: {app: web}, ports: [{port: 80, targetPort: http}]}
`;

describe('provider profile settings (e2e)', () => {
  const harness = new ApiHarness();
  const { start, call, createOrg, waitForScan } = harness;
  let keyA: string;
  let keyB: string;

  beforeAll(async () => {
    await harness.setUp();
    const { app } = await start();
    harness.startScanWorker(app);
    keyA = await createOrg('org-a');
    keyB = await createOrg('org-b');
  }, 60_000);

  afterAll(async () => {
    await harness.tearDown();
  });

  async function prestopFindings(key: string): Promise<Json[]> {
    const queued = await call('POST', '/api/v1/scans', { key, json: { manifests: ENI_APP } });
    expect(queued.status).toBe(202);
    const id = queued.body['id'] as string;
    await waitForScan(key, id);
    const findings = await call('GET', `/api/v1/scans/${id}/findings`, { key });
    return (findings.body['items'] as Json[]).filter((f) => f['ruleId'] === 'prestop-sleep-too-short');
  }

  it('starts empty, refuses unknown rows and fields, and stores what it is given', async () => {
    expect((await call('GET', '/api/v1/settings/provider-profile', { key: keyA })).body).toMatchObject({ overrides: {}, updatedAt: null });
    const unknownRow = await call('PUT', '/api/v1/settings/provider-profile', {
      key: keyA,
      json: { overrides: { 'aws.nlb.magic': { lbRemoveLatencySeconds: 5 } } },
    });
    expect(unknownRow).toMatchObject({ status: 400, body: { error: { code: 'BAD_INPUT' } } });
    const badValue = await call('PUT', '/api/v1/settings/provider-profile', { key: keyA, json: { overrides: { aws: { lbRemoveLatencySeconds: -1 } } } });
    expect(badValue.status).toBe(400);
    const put = await call('PUT', '/api/v1/settings/provider-profile', {
      key: keyA,
      json: { overrides: { 'alibaba.clb.eni': { lbRemoveLatencySeconds: 40 } } },
    });
    expect(put).toMatchObject({ status: 200, body: { overrides: { 'alibaba.clb.eni': { lbRemoveLatencySeconds: 40 } } } });
    expect((await call('GET', '/api/v1/settings/provider-profile', { key: keyB })).body).toMatchObject({ overrides: {} });
  });

  it("applies the organization's values to its scans only", async () => {
    const withOverride = await prestopFindings(keyA);
    expect(withOverride).toHaveLength(1);
    expect(withOverride[0]?.['message']).toMatch(/less than the 46 s/);
    expect(await prestopFindings(keyB)).toEqual([]);
  }, 60_000);

  it('DELETE returns to the built-in rows', async () => {
    expect((await call('DELETE', '/api/v1/settings/provider-profile', { key: keyA })).status).toBe(204);
    expect((await call('GET', '/api/v1/settings/provider-profile', { key: keyA })).body).toMatchObject({ overrides: {} });
    expect(await prestopFindings(keyA)).toEqual([]);
  }, 60_000);
});
