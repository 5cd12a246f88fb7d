// Issue 13: accepting a 10 MB upload leaves the API's event loop free. The body is read as
// bytes, handed to the parse thread, decoded, measured, parsed and encoded there, and reaches
// Postgres by COPY in slices, so a small request sent meanwhile is answered promptly and the
// loop is never held for long. The bounds are generous for a busy two-core machine.
import 'reflect-metadata';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
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

/** The first whole documents of largeUpload(), about `bytes` of them. */
function uploadOf(bytes: number): string {
  const text = largeUpload();
  return text.slice(0, text.lastIndexOf('---\n', bytes));
}

describe('accepting a 10 MB upload (e2e)', () => {
  const harness = new ApiHarness();
  const { start, call, createOrg } = harness;
  let key: string;
  let prisma: PrismaService;
  let base: string;

  beforeAll(async () => {
    await harness.setUp();
    const { app, base: started } = await start();
    base = started;
    prisma = app.get(PrismaService);
    key = await createOrg('upload-accept');
    // The parse thread starts on first use: not part of what is measured.
    await call('POST', '/api/v1/scans', {
      key,
      body: uploadOf(300_000),
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

  describe('the body as bytes', () => {
    const yaml = { 'content-type': 'application/yaml' };
    const stored = async (scanId: unknown) =>
      (await prisma.bulk.query<{ files: unknown; size_bytes: number }>('SELECT files, size_bytes FROM scan_inputs WHERE scan_id = $1', [scanId])).rows[0];

    it('keeps the line and column of an error after non-ASCII text, small or large (parsed in place or on the thread)', async () => {
      // The "]" is the 15th character of its line (and its 20th byte in UTF-8).
      const broken = 'kind: "ünï ✓" ]\n';
      for (const before of ['', `${uploadOf(400_000)}---\n`]) {
        const answer = await call('POST', '/api/v1/scans', { key, body: `${before}${broken}`, headers: yaml });
        expect(answer).toMatchObject({ status: 422, body: { error: { code: 'INVALID_MANIFESTS' } } });
        const [error] = (answer.body['error'] as { details: { errors: Array<Record<string, unknown>> } }).details.errors;
        expect(error).toMatchObject({ file: 'upload', line: before.split('\n').length, column: 15 });
      }
    }, 60_000);

    it('decodes the charset the body says, inflates a gzip body, and refuses an unknown charset or encoding with 415', async () => {
      const text = 'apiVersion: v1\nkind: Service\nmetadata: { name: caf\u00e9, namespace: a }\nspec: { selector: { app: a }, ports: [{ port: 80 }] }\n';
      const latin1 = await call('POST', '/api/v1/scans', {
        key,
        body: Buffer.from(text, 'latin1'),
        headers: { 'content-type': 'application/yaml; charset=ISO-8859-1' },
      });
      expect(latin1.status).toBe(202);
      expect(await stored(latin1.body['id'])).toEqual({ files: [{ name: 'upload', text }], size_bytes: Buffer.byteLength(text) });
      const gzipped = await call('POST', '/api/v1/scans', { key, body: gzipSync(text), headers: { ...yaml, 'content-encoding': 'gzip' } });
      expect(gzipped.status).toBe(202);
      expect(await stored(gzipped.body['id'])).toEqual({ files: [{ name: 'upload', text }], size_bytes: Buffer.byteLength(text) });
      const charset = await call('POST', '/api/v1/scans', { key, body: text, headers: { 'content-type': 'application/yaml; charset=klingon' } });
      expect(charset).toMatchObject({ status: 415, body: { error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'unsupported charset "KLINGON"' } } });
      const jsonCharset = await call('POST', '/api/v1/scans', { key, body: '{}', headers: { 'content-type': 'application/json; charset=latin1' } });
      expect(jsonCharset).toMatchObject({ status: 415, body: { error: { message: 'unsupported charset "LATIN1"' } } });
      const encoding = await call('POST', '/api/v1/scans', { key, body: text, headers: { ...yaml, 'content-encoding': 'compress' } });
      expect(encoding).toMatchObject({ status: 415, body: { error: { message: 'unsupported content encoding "compress"' } } });
    });

    it('parses a JSON body on the parse thread: bad JSON is 400 naming it, small or large; a large one is accepted as its manifests', async () => {
      const manifests = uploadOf(600_000);
      const json = { 'content-type': 'application/json' };
      for (const body of ['{not json', `{"manifests": ${JSON.stringify(manifests)}`, '"just a string"', ' ']) {
        const answer = await call('POST', '/api/v1/scans', { key, body, headers: json });
        expect(answer).toMatchObject({ status: 400, body: { error: { code: 'BAD_INPUT', message: 'request body is not valid JSON' } } });
      }
      const accepted = await call('POST', '/api/v1/scans', { key, json: { manifests, target: 'json-body' } });
      expect(accepted).toMatchObject({ status: 202, body: { status: 'queued' } });
      expect(await stored(accepted.body['id'])).toEqual({ files: [{ name: 'upload', text: manifests }], size_bytes: Buffer.byteLength(manifests) });
      const big = await call('POST', '/api/v1/scans', { key, json: [manifests] });
      expect(big).toMatchObject({
        status: 400,
        body: { error: { code: 'BAD_INPUT', message: 'the body must be a JSON object { "manifests": "<yaml or json>" }' } },
      });
      const provider = await call('POST', '/api/v1/scans', { key, json: { manifests, provider: { name: 'aws' } } });
      expect(provider).toMatchObject({ status: 400, body: { error: { message: 'provider must be a string', details: { field: 'provider' } } } });
      expect((await call('POST', '/api/v1/scans', { key, body: '', headers: json })).body).toMatchObject({
        error: { code: 'BAD_INPUT', details: { field: 'manifests' } },
      });
    }, 60_000);

    it('refuses a body over 10 MiB with 413: a declared length before reading it, a chunked body when it passes the limit', async () => {
      const over = `# ${'x'.repeat(10 * 1024 * 1024)}\n`;
      const declared = await call('POST', '/api/v1/scans', { key, body: over, headers: yaml });
      expect(declared).toMatchObject({
        status: 413,
        body: { error: { code: 'PAYLOAD_TOO_LARGE', message: 'request body is too large: the limit is 10 MiB' } },
      });
      const encoder = new TextEncoder();
      const chunked = await fetch(`${base}/api/v1/scans`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, ...yaml },
        body: new ReadableStream<Uint8Array>({
          start(controller) {
            for (let at = 0; at < over.length; at += 1024 * 1024) controller.enqueue(encoder.encode(over.slice(at, at + 1024 * 1024)));
            controller.close();
          },
        }),
        duplex: 'half',
      } as RequestInit);
      expect(chunked.status).toBe(413);
      expect(((await chunked.json()) as { error: unknown }).error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
      expect((await call('GET', '/healthz')).status).toBe(200);
    }, 60_000);
  });
});
