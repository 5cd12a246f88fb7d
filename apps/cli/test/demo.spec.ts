// `rollsafe demo`: the fake ACK cluster it serves, scanned with the CLI as a newcomer would.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main, type CliIo } from '../src/main.js';

interface Finding {
  ruleId: string;
  severity: string;
  resource: { kind: string; namespace?: string; name: string };
}

function io(cwd: string, waitForStop?: () => Promise<void>): CliIo & { out: () => string; err: () => string } {
  let stdout = '';
  let stderr = '';
  return {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    readStdin: () => Promise.resolve(''),
    isTty: false,
    env: {},
    cwd,
    self: 'npx rollsafe',
    ...(waitForStop ? { waitForStop } : {}),
    out: () => stdout,
    err: () => stderr,
  };
}

describe('rollsafe demo', () => {
  let dir: string;
  let stop: () => void;
  let demo: Promise<number>;
  let demoIo: ReturnType<typeof io>;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollsafe-demo-'));
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    demoIo = io(dir, () => stopped);
    demo = main(['demo', '--port', '0', '--kubeconfig-out', 'demo.kubeconfig'], demoIo);
    for (let i = 0; i < 200 && !demoIo.out().includes('Ctrl-C'); i++) await new Promise((resolve) => setTimeout(resolve, 25));
  });
  afterAll(async () => {
    stop();
    await demo;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes a read-only kubeconfig and prints the two commands that scan it', () => {
    const out = demoIo.out();
    const kubeconfig = path.join(dir, 'demo.kubeconfig');
    expect(fs.statSync(kubeconfig).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(kubeconfig, 'utf8')).toMatch(/server: "?https:\/\/127\.0\.0\.1:\d+/);
    expect(out).toContain('  npx rollsafe scan --kubeconfig demo.kubeconfig\n');
    expect(out).toContain('ROLLSAFE_OUTBOUND_ALLOW=loopback');
    expect(out).toMatch(/curl -s -X POST \$API\/api\/v1\/clusters -H "Authorization: Bearer \$KEY"/);
    expect(out).toContain(`readFileSync(process.argv[1], "utf8") }))' demo.kubeconfig |`);
  });

  it("serves the seed's stories: the scan finds them and the verdicts say which rollouts drop traffic", async () => {
    const scan = io(dir);
    const code = await main(['scan', '--kubeconfig', 'demo.kubeconfig', '--format', 'json'], scan);
    expect(scan.err()).toBe('');
    expect(code).toBe(1);
    const report = JSON.parse(scan.out()) as {
      findings: Finding[];
      provider: { name: string };
      verdicts: Array<{ service: { namespace: string; name: string }; verdict: string }>;
    };
    expect(report.provider.name).toBe('alibaba');
    const has = (ruleId: string, namespace: string, name: string, severity?: string): void => {
      const found = report.findings.find((f) => f.ruleId === ruleId && f.resource.namespace === namespace && f.resource.name === name);
      expect({ ruleId, namespace, name, severity: found ? (severity ?? found.severity) : 'absent' }).toEqual({
        ruleId,
        namespace,
        name,
        severity: found?.severity,
      });
      if (severity) expect(found?.severity).toBe(severity);
    };
    has('prestop-hook-missing', 'shop', 'orders', 'critical'); // a Deployment without preStop
    has('container-restart-loop', 'shop', 'payments'); // a restart loop
    has('local-traffic-node-single-pod', 'kube-system', 'nginx-ingress-lb'); // a node whose only pod backs a Local Service
    has('eni-backend-recommended', 'shop', 'api-gateway'); // Terway: ENI mode would skip the nodes
    expect(report.findings.filter((f) => f.ruleId === 'slb-quota-per-node').length).toBeGreaterThanOrEqual(3); // nodes near the SLB quota
    const verdict = (namespace: string, name: string): string | undefined =>
      report.verdicts.find((v) => v.service.namespace === namespace && v.service.name === name)?.verdict;
    expect(verdict('shop', 'orders')).toBe('drops');
    expect(verdict('kube-system', 'nginx-ingress-lb')).toBeDefined(); // the Local LoadBalancer
    expect(verdict('shop', 'api-gateway')).toBeDefined(); // a Cluster LoadBalancer
  });

  it('refuses a bad port and a port in use with exit 2', async () => {
    const bad = io(dir);
    expect(await main(['demo', '--port', 'http'], bad)).toBe(2);
    expect(bad.err()).toMatch(/^rollsafe: --port must be a whole number from 0 to 65535 \(got "http"\)/);
    const port = /127\.0\.0\.1:(\d+)/.exec(demoIo.out())?.[1] as string;
    const busy = io(dir);
    expect(await main(['demo', '--port', port, '--kubeconfig-out', 'other.kubeconfig'], busy)).toBe(2);
    expect(busy.err()).toBe(`rollsafe: error: cannot start the demo: port ${port} is in use\n`);
  });
});
