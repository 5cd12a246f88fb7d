// The fixed upload over REST and GraphQL: every fix that needs no human decision applied to
// the uploaded text (comments and untouched documents kept), one YAML or a zip, tenancy.
import 'reflect-metadata';
import { strFromU8, unzipSync } from 'fflate';
import { ApiHarness } from '../test/api-harness.js';

const SERVICE = `apiVersion: v1
kind: Service
metadata: { name: web, namespace: shop }
spec:
  type: LoadBalancer
  selector: { app: web }
  ports: [{ port: 80, targetPort: 8080 }]
`;

const DEPLOYMENT = `# the shop's front end
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web # owned by team storefront
  namespace: shop
spec:
  replicas: 3
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: app
          image: nginx:1.27
          ports:
            - containerPort: 8080
          readinessProbe:
            httpGet: { path: /ready, port: 8080 }
`;

describe('fixed manifests (e2e)', () => {
  const harness = new ApiHarness();
  const { start, call, graphql, createOrg, waitForScan } = harness;
  let base: string;
  let key: string;

  beforeAll(async () => {
    await harness.setUp();
    const started = await start();
    base = started.base;
    harness.startScanWorker(started.app);
    key = await createOrg('acme');
  });

  afterAll(() => harness.tearDown());

  async function uploadFiles(files: Record<string, string>): Promise<string> {
    const form = new FormData();
    for (const [name, text] of Object.entries(files)) form.append('files', new Blob([text], { type: 'application/yaml' }), name);
    const created = await call('POST', '/api/v1/scans', { key, body: form });
    expect(created.status).toBe(202);
    const id = created.body['id'] as string;
    expect((await waitForScan(key, id))['status']).toBe('succeeded');
    return id;
  }

  it('gives one uploaded file back as YAML with the fixes applied, its comments kept, and counts what it left', async () => {
    const created = await call('POST', '/api/v1/scans', { key, json: { manifests: `${SERVICE}---\n${DEPLOYMENT}`, provider: 'alibaba' } });
    const id = created.body['id'] as string;
    await waitForScan(key, id);
    const response = await fetch(`${base}/api/v1/scans/${id}/fixed-manifests`, { headers: { authorization: `Bearer ${key}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/yaml/);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="upload.yaml"');
    const text = await response.text();
    expect(text).toContain("# the shop's front end");
    expect(text).toContain('name: web # owned by team storefront');
    expect(text).toContain('preStop');
    expect(Number(response.headers.get('x-rollsafe-fixes-applied'))).toBeGreaterThan(0);
    expect(Number(response.headers.get('x-rollsafe-fixes-left'))).toBeGreaterThanOrEqual(0);

    // Scanned again, the fixed text has none of the applied findings and nothing new.
    const plan = await call('GET', `/api/v1/scans/${id}/fixed-manifests`, { key, headers: { accept: 'application/json' } });
    const rescan = await call('POST', '/api/v1/scans', { key, json: { manifests: text, provider: 'alibaba', target: 'fixed' } });
    await waitForScan(key, rescan.body['id'] as string);
    const before = await call('GET', `/api/v1/scans/${id}/findings?limit=200`, { key });
    const after = await call('GET', `/api/v1/scans/${rescan.body['id'] as string}/findings?limit=200`, { key });
    const fingerprints = (page: { body: Record<string, unknown> }) => (page.body['items'] as Array<{ fingerprint: string }>).map((f) => f.fingerprint);
    const applied = (plan.body['applied'] as Array<{ fingerprint: string }>).map((f) => f.fingerprint);
    expect(applied.length).toBe(Number(response.headers.get('x-rollsafe-fixes-applied')));
    for (const fingerprint of applied) expect(fingerprints(after)).not.toContain(fingerprint);
    for (const fingerprint of fingerprints(after)) expect(fingerprints(before)).toContain(fingerprint);
  });

  it('zips several files, the untouched one byte for byte', async () => {
    const untouched = 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: settings, namespace: shop } # as it was\ndata: { a: "1" }\n';
    const id = await uploadFiles({ 'svc.yaml': SERVICE, 'deploy.yaml': DEPLOYMENT, 'settings.yaml': untouched });
    const response = await fetch(`${base}/api/v1/scans/${id}/fixed-manifests`, { headers: { authorization: `Bearer ${key}` } });
    expect(response.headers.get('content-type')).toBe('application/zip');
    const files = unzipSync(new Uint8Array(await response.arrayBuffer()));
    expect(Object.keys(files).sort()).toEqual(['deploy.yaml', 'settings.yaml', 'svc.yaml']);
    expect(strFromU8(files['settings.yaml'] ?? new Uint8Array())).toBe(untouched);
    expect(strFromU8(files['deploy.yaml'] ?? new Uint8Array())).toContain('preStop');
  });

  it('serves the same plan over GraphQL, and the patch of each finding', async () => {
    const id = await uploadFiles({ 'deploy.yaml': DEPLOYMENT, 'svc.yaml': SERVICE });
    const { body } = await graphql(
      key,
      `
        query ($id: ID!) {
          scan(id: $id) {
            fixedManifests {
              files {
                name
                changed
                text
              }
              applied {
                ruleId
                file
              }
              left {
                ruleId
                reason
              }
            }
            findings(first: 50) {
              nodes {
                ruleId
                remediation {
                  patchType
                  needsDecision
                  patch
                  target {
                    kind
                    name
                  }
                }
              }
            }
          }
        }
      `,
      { id },
    );
    const scan = (
      body['data'] as {
        scan: {
          fixedManifests: { files: Array<{ name: string; changed: boolean; text: string }>; applied: unknown[] };
          findings: { nodes: Array<{ remediation: { patch: unknown; needsDecision: string | null } }> };
        };
      }
    ).scan;
    expect(scan.fixedManifests.files.find((f) => f.name === 'deploy.yaml')).toMatchObject({ changed: true, text: expect.stringContaining('preStop') });
    expect(scan.fixedManifests.applied.length).toBeGreaterThan(0);
    for (const node of scan.findings.nodes) expect(node.remediation.patch === null).toBe(node.remediation.needsDecision !== null);
  });

  it('answers 404 for another organization and for a scan that does not exist', async () => {
    const created = await call('POST', '/api/v1/scans', { key, json: { manifests: DEPLOYMENT } });
    const id = created.body['id'] as string;
    await waitForScan(key, id);
    const other = await createOrg('other');
    expect((await call('GET', `/api/v1/scans/${id}/fixed-manifests`, { key: other })).status).toBe(404);
    expect((await call('GET', '/api/v1/scans/00000000-0000-4000-8000-000000000000/fixed-manifests', { key })).status).toBe(404);
  });
});
