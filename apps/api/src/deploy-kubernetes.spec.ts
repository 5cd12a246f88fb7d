// deploy/kubernetes runs Rollsafe the way Rollsafe tells others to run theirs: its own rules
// find nothing, and the API's shutdown fits its preStop advice (readiness turns 503, a preStop
// sleep lets endpoints drop the pod, and the grace period covers the sleep plus the drain).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAdvisor } from '#rollsafe/advisor';
import { parseManifests } from '#rollsafe/manifests';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const file = path.join(root, 'deploy', 'kubernetes', 'rollsafe.yaml');

interface Container {
  name: string;
  env?: Array<{ name: string; value?: string }>;
  readinessProbe?: { httpGet?: { path?: string } };
  lifecycle?: { preStop?: { exec?: { command?: string[] }; sleep?: { seconds?: number } } };
}

describe('deploy/kubernetes', () => {
  const text = fs.readFileSync(file, 'utf8');
  const parsed = parseManifests([{ name: 'deploy/kubernetes/rollsafe.yaml', text }]);

  it("passes Rollsafe's own rules", () => {
    expect(parsed.errors).toEqual([]);
    const result = runAdvisor(parsed.snapshot, { suppressions: [] });
    expect(result.findings.map((finding) => `${finding.ruleId} ${finding.resource.kind}/${finding.resource.name}`)).toEqual([]);
    expect(result.suppressed).toEqual([]);
  });

  it('gives the API and the worker a grace period that covers the preStop sleep and the shutdown timeout', () => {
    const deployments = parsed.snapshot.deployments;
    expect(deployments.map((d) => d.metadata?.name).sort()).toEqual(['rollsafe-api', 'rollsafe-worker']);
    for (const deployment of deployments) {
      const pod = deployment.spec?.template?.spec;
      const container = pod?.containers?.[0] as Container;
      const shutdownMs = Number(container.env?.find((variable) => variable.name === 'ROLLSAFE_SHUTDOWN_TIMEOUT_MS')?.value);
      const preStop = container.lifecycle?.preStop;
      const sleepSeconds = preStop?.sleep?.seconds ?? (preStop?.exec?.command?.[0] === 'sleep' ? Number(preStop.exec.command[1]) : 0);
      expect(shutdownMs).toBeGreaterThan(0);
      expect(pod?.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(sleepSeconds + shutdownMs / 1000 + 5);
      if (deployment.metadata?.name === 'rollsafe-api') {
        expect(sleepSeconds).toBeGreaterThanOrEqual(5);
        expect(container.readinessProbe?.httpGet?.path).toBe('/readyz');
      }
    }
  });
});
