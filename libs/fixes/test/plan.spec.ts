// planFixes on text: the patched document keeps its comments, the others stay byte for byte,
// and what needs a human is left with its reason.
import { runAdvisor } from '#rollsafe/advisor';
import { parseManifests, type ManifestInput } from '#rollsafe/manifests';
import { planFixes } from '../src/index.js';

const SERVICE = `# the public entry point
apiVersion: v1
kind: Service
metadata: { name: web, namespace: shop }
spec:
  type: LoadBalancer
  selector: { app: web }
  ports: [{ port: 80, targetPort: 8080 }]
`;

const SETTINGS = `# untouched: no finding points here
apiVersion: v1
kind: ConfigMap
metadata: { name: settings, namespace: shop }
data: { a: "1" }
`;

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web # keep this comment
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

function scan(inputs: ManifestInput[]) {
  return runAdvisor(parseManifests(inputs).snapshot, { provider: 'alibaba' });
}

describe('planFixes', () => {
  it('patches the document a finding points at and leaves every other byte as it was', () => {
    const inputs = [
      { name: 'app.yaml', text: `${SETTINGS}---\n${DEPLOYMENT}` },
      { name: 'svc.yaml', text: SERVICE },
    ];
    const before = scan(inputs).findings;
    expect(before.map((f) => f.ruleId)).toContain('prestop-hook-missing');
    const plan = planFixes(inputs, before);
    const file = plan.files.find((f) => f.name === 'app.yaml');
    expect(file?.changed).toBe(true);
    expect(file?.text.startsWith(`${SETTINGS}---\n`)).toBe(true);
    expect(file?.text).toContain('preStop');
    expect(file?.text).toContain('name: web # keep this comment');
    expect(plan.applied.map((a) => a.finding.ruleId)).toContain('prestop-hook-missing');
    const after = scan(plan.files.map(({ name, text }) => ({ name, text }))).findings.map((f) => f.fingerprint);
    for (const applied of plan.applied) expect(after).not.toContain(applied.finding.fingerprint);
    for (const fingerprint of after) expect(before.map((f) => f.fingerprint)).toContain(fingerprint);
  });

  it('leaves a finding that needs a decision, with the reason, and a file without findings untouched', () => {
    const inputs = [
      { name: 'app.yaml', text: `${SERVICE}---\n${DEPLOYMENT}` },
      { name: 'other.yaml', text: 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: settings }\ndata: { a: "1" }\n' },
    ];
    const plan = planFixes(inputs, scan(inputs).findings);
    for (const left of plan.left) expect(left.reason).toEqual(expect.any(String));
    expect(plan.files.find((f) => f.name === 'other.yaml')).toEqual({ name: 'other.yaml', text: inputs[1]?.text, changed: false });
  });
});
