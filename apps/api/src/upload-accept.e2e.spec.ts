// Issue 13: accepting a 10 MB upload leaves the API's event loop free. The text is measured,
// parsed and encoded on the parse thread and reaches Postgres by COPY in slices, so a small
// request sent meanwhile is answered promptly and the loop is never held for long. The bounds
// are generous for a busy two-core machine.
import 'reflect-metadata';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { PrismaService } from '#rollsafe/store';
import { ApiHarness } from '../test/api-harness.js';

/** About 9.5 MB of valid manifests: 4,600 Deployments with their Services (9,200 documents of the 10,000 allowed). */
function largeUpload(): string {
  const notes = 'Serves the shop front end; owned by the payments team; pages the on-call engineer. '.repeat(13);
  const parts: string[] = [];
  for (let i = 0; i < 4600; i++) {
    parts.push(`apiVersion: apps/v1
kind: Deployment
metadata: { name: web-${i}, namespace: shop, labels: { app: web-${i}, team: payments, tier: frontend }, annotations: { notes: "${notes}" } }
spec:
  replicas: 3
  selector: { matchLabels: { app: web-${i} } }
  template:
    metadata: { labels: { app: web-${i} } }
    spec:
      containers:
        - name: app
          image: registry.example.com/shop/web:1.27.${i}
          ports: [{ containerPort: 8080 }]
          resources: { requests: { cpu: 100m, memory: 128Mi }, limits: { cpu: 500m, memory: 256Mi } }
          env: [{ name: LOG_LEVEL, value: info }, { name: FEATURE_FLAGS, value: "checkout,search,recommendations,reviews" }]
---
apiVersion: v1
kind: Service
metadata: { name: web-${i}, namespace: shop, annotations: { service.beta.kubernetes.io/aws-load-balancer-type: nlb } }
spec:
  type: LoadBalancer
  selector: { app: web-${i} }
  ports: [{ port: 80, targetPort: 8080 }]
`);
  }
  return parts.join('---\n');
}

describe('accepting a 10 MB upload (e2e)', () => {
  const harness = new ApiHarness();
  const { start, call, createOrg } = harness;
  let key: string;
  let prisma: PrismaService;

  beforeAll(async () => {
    await harness.setUp();
    const { app } = await start();
    prisma = app.get(PrismaService);
    key = await createOrg('upload-accept');
    // The parse thread starts on first use: not part of what is measured.
    await call('POST', '/api/v1/scans', {
      key,
      body: largeUpload()
        .slice(0, 300_000)
        .replace(/---\n[^-]*$/, ''),
      headers: { 'content-type': 'application/yaml' },
    });
  }, 60_000);

  afterAll(async () => {
    await harness.tearDown();
  }, 30_000);

  it('answers GET /healthz within 2 s and keeps the loop turning while it accepts the upload', async () => {
    const body = largeUpload();
    expect(Buffer.byteLength(body)).toBeGreaterThan(9_000_000);
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    let accepted = false;
    const posting = call('POST', '/api/v1/scans', { key, body, headers: { 'content-type': 'application/yaml' } }).finally(() => (accepted = true));
    const probes: number[] = [];
    while (!accepted) {
      const sent = performance.now();
      expect((await call('GET', '/healthz')).status).toBe(200);
      probes.push(performance.now() - sent);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const upload = await posting;
    loop.disable();

    expect(upload).toMatchObject({ status: 202, body: { status: 'queued' } });
    const input = await prisma.bulk.query<{ size_bytes: number; same: boolean }>(
      `SELECT size_bytes, files = jsonb_build_array(jsonb_build_object('name', 'upload', 'text', $2::text)) AS same FROM scan_inputs WHERE scan_id = $1`,
      [upload.body['id'], body],
    );
    expect(input.rows[0]).toEqual({ size_bytes: Buffer.byteLength(body), same: true });
    expect(probes.length).toBeGreaterThan(3);
    expect(Math.max(...probes)).toBeLessThan(2000);
    // The longest turn of the loop (this process runs the client too) while the upload was read,
    // parsed and written: 74-395 ms at load 6-10 on two cores alone, 688 ms beside other suites;
    // 545-587 ms alone in 4 of 5 runs before. A guard against the gross block only: the
    // bench (bench/upload-scan) measures the API's loop as it runs in production.
    expect(loop.max / 1e6).toBeLessThan(1500);
  }, 120_000);
});
