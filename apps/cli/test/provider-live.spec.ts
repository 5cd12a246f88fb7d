import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeKubeApiServer, kubeScenarios, type KubeScenario } from '#rollsafe/testing';
import { runCli } from './run-cli.js';

// Issue 12: `rollsafe scan --kubeconfig` against the fake API server's EKS, GKE and AKS
// clusters: the provider and the Kubernetes version come from the cluster, and the provider
// rules fire on the objects built to trip them (and only there).

interface Report {
  findings: Array<{ ruleId: string; severity: string; resource: { kind: string; namespace: string; name: string } }>;
  provider: { name: string | null; source: string };
  kubernetesVersion: { version: string; source: string };
  verdicts: Array<{ service: { namespace: string; name: string }; verdict: string; parameters?: { profile?: string; readinessGate?: boolean } }>;
}

async function scanScenario(scenario: KubeScenario): Promise<Report> {
  const server = await FakeKubeApiServer.start({ scenario });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollsafe-provider-'));
  try {
    const kubeconfig = path.join(dir, 'config');
    fs.writeFileSync(kubeconfig, server.kubeconfig({ auth: 'token', contextName: 'fake' }));
    const { stdout, stderr } = await runCli(['scan', '--kubeconfig', kubeconfig, '--format', 'json', '--fail-on', 'none']);
    expect(stderr).toBe('');
    return JSON.parse(stdout) as Report;
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const lines = (report: Report, rules: string[]): string[] =>
  report.findings
    .filter((f) => rules.includes(f.ruleId))
    .map((f) => `${f.ruleId} ${f.severity} ${f.resource.kind}/${f.resource.namespace ? `${f.resource.namespace}/` : ''}${f.resource.name}`)
    .sort();

const PROVIDER_RULES = [
  'lb-readiness-gate-missing',
  'aws-readiness-gate-label-missing',
  'aws-readiness-webhook-fail-open',
  'gke-neg-gate-without-health-check',
  'lb-drain-exceeds-grace',
  'lb-registration-outpaces-rollout',
  'local-health-check-not-node-aware',
  'azure-cluster-probe-not-shared',
  'lb-backend-quota',
  'lb-connection-drain-off',
];

describe('provider clusters, scanned live', () => {
  it('EKS with the AWS Load Balancer Controller: gate label, pods without the gate, fail-open webhook, TCP health check on Local', async () => {
    const report = await scanScenario(kubeScenarios.eksLoadBalancerController());
    expect(report.provider).toMatchObject({ name: 'aws', source: 'nodes' });
    expect(report.kubernetesVersion).toEqual({ version: '1.31', source: 'cluster' });
    expect(lines(report, PROVIDER_RULES)).toEqual([
      'aws-readiness-gate-label-missing critical Namespace/legacy',
      'aws-readiness-webhook-fail-open info MutatingWebhookConfiguration/aws-load-balancer-webhook',
      'lb-drain-exceeds-grace info Deployment/legacy/api',
      'lb-drain-exceeds-grace info Deployment/shop/web',
      'lb-readiness-gate-missing warning Deployment/shop/web',
      'lb-registration-outpaces-rollout warning Deployment/legacy/api',
      'local-health-check-not-node-aware critical Service/edge/gateway',
    ]);
    // The simulator reads the same rows: the labelled namespace's pods are gated, the other's are not.
    const verdict = (ns: string, name: string) => report.verdicts.find((v) => v.service.namespace === ns && v.service.name === name);
    expect(verdict('shop', 'web')?.parameters).toMatchObject({ profile: 'aws.lbc.nlb.ip', readinessGate: true });
    expect(verdict('legacy', 'api')?.parameters).toMatchObject({ profile: 'aws.lbc.nlb.ip', readinessGate: false });
  });

  it("EKS without the controller's pod webhook: no new pod gets the gate, the rollout leaves the NLB without a target, so lb-readiness-gate-missing is critical (PROVIDERS.md 5, 7)", async () => {
    const report = await scanScenario(kubeScenarios.eksLoadBalancerController({ podWebhook: false }));
    const gate = report.findings.find((f) => f.ruleId === 'lb-readiness-gate-missing');
    expect(`${gate?.severity} ${gate?.resource.namespace}/${gate?.resource.name}`).toBe('critical shop/web');
    // 3 replicas, one at a time, Ready 12 s: the last old pod leaves the NLB at 3 x 12 + 31 = 67 s, the first new one is served at 12 + 121 = 133 s.
    expect((gate as { evidence?: Record<string, unknown> } | undefined)?.evidence).toMatchObject({
      newPodsGated: false,
      noHealthyBackendPredicted: true,
      prediction: { lastOldRemovedAt: 67, firstNewServedAt: 133 },
    });
    // The simulator agrees: without the webhook nothing injects the gate, and the rollout drops.
    const web = report.verdicts.find((v) => v.service.namespace === 'shop' && v.service.name === 'web');
    expect(web?.parameters).toMatchObject({ profile: 'aws.lbc.nlb.ip', readinessGate: false });
    expect(web?.verdict).toBe('drops');
    // With the webhook installed (the test above) the same pods are a warning: new pods get the gate.
    expect(report.findings.some((f) => f.ruleId === 'aws-readiness-webhook-fail-open')).toBe(false);
  });

  it('GKE with NEG readiness gates: the gate passed without a health check fires on its workload only', async () => {
    const report = await scanScenario(kubeScenarios.gkeNegGates());
    expect(report.provider).toMatchObject({ name: 'gcp', source: 'nodes' });
    expect(lines(report, PROVIDER_RULES)).toEqual([
      'gke-neg-gate-without-health-check warning Deployment/default/web',
      'lb-connection-drain-off warning Service/default/store',
      'lb-connection-drain-off warning Service/default/web',
    ]);
  });

  it('AKS: a Local Service without a probe rule is critical; no drain finding (Azure has no drain setting)', async () => {
    const report = await scanScenario(kubeScenarios.aksStandardLoadBalancer());
    expect(report.provider).toMatchObject({ name: 'azure', source: 'nodes' });
    expect(report.kubernetesVersion).toEqual({ version: '1.31', source: 'cluster' });
    expect(lines(report, PROVIDER_RULES)).toEqual(['local-health-check-not-node-aware critical Service/default/web']);
  });
});
