// The model's parts, each figure computed by hand (defaults of docs/simulator.md: podStart 2,
// appWarmup 10, Alibaba profile E 2, L 11, lbAdd 17, health check 2 s x 3).
import { addObject, emptySnapshot, type Snapshot } from '#rollsafe/advisor';
import { load } from 'js-yaml';
import { PROFILES, readyTime, serviceTimelineSvg, serviceVerdicts, simulateSnapshot, type ServiceVerdict, type SimulationParams } from '../src/index.js';
import { SEED, appYaml, snapshotOf } from './seed.js';

/** What readyTime reads of the parameters. */
const base: Pick<SimulationParams, 'readinessProbe' | 'appWarmup'> = { readinessProbe: null, appWarmup: 10 };

function only(snapshot: Snapshot, overrides = {}): ServiceVerdict {
  const { verdicts } = serviceVerdicts(snapshot, { overrides });
  expect(verdicts).toHaveLength(1);
  return verdicts[0] as ServiceVerdict;
}

describe('readiness', () => {
  test('ready at running without a probe; else at the first probe at or after the app serves', () => {
    // running 2, serves 12.
    expect(readyTime(base, 2)).toEqual({ serves: 12, ready: 2 });
    // probes at 2, 12: the one at 12 succeeds.
    expect(readyTime({ ...base, readinessProbe: { initialDelaySeconds: 0, periodSeconds: 10, successThreshold: 1 } }, 2).ready).toBe(12);
    // probes at 2, 9, 16: 16 is the first at or after 12.
    expect(readyTime({ ...base, readinessProbe: { initialDelaySeconds: 0, periodSeconds: 7, successThreshold: 1 } }, 2).ready).toBe(16);
    // first probe at 2 + 20 = 22 (after the app serves); successThreshold 2 adds one period: 22 + 5 = 27.
    expect(readyTime({ ...base, readinessProbe: { initialDelaySeconds: 20, periodSeconds: 5, successThreshold: 2 } }, 2).ready).toBe(27);
  });
});

describe('termination', () => {
  test('SIGKILL before the preStop ends: killed-during-prestop, fixed by a longer grace', () => {
    // ENI, preStop 30, grace 20, --lb-removal 25: each old pod is killed at d + 20 while the
    // SLB sends until d + 25. Deletions at 12, 24, 36 (seed timing); new pods join the SLB at
    // 29, 41, 53. Windows [32,37) [44,49) [56,61), each while the SLB holds 4 backends
    // (e.g. [32,37): old-1, old-2, old-3, new-1): 3 x 5 x 1/4 = 3.75.
    const yaml = SEED.cureEni.replace('terminationGracePeriodSeconds: 60', 'terminationGracePeriodSeconds: 20');
    const v = only(snapshotOf(yaml), { L: 25 });
    expect(v.verdict).toBe('drops');
    expect(v.droppedTrafficSeconds).toBe(3.75);
    expect(v.windows.filter((w) => w.cause !== 'capacity-dip').map((w) => [w.cause, w.start, w.end, w.share])).toEqual([
      ['killed-during-prestop', 32, 37, 0.25],
      ['killed-during-prestop', 44, 49, 0.25],
      ['killed-during-prestop', 56, 61, 0.25],
    ]);
    // grace = preStop 30 + appShutdown 0 + 30.
    expect(v.fixes.map((f) => f.change)).toEqual(['terminationGracePeriodSeconds 60']);
    expect(v.afterFixes?.verdict).toBe('safe');
  });
});

describe('strategies', () => {
  test('Recreate: every old pod goes at 0, nothing serves until the new pods are ready', () => {
    // eTP Cluster, no preStop, probe 5/5: old pods stop at 0, kube-proxy drops them at 2:
    // [0,2) x 3 pods x 1/3 = 2 s. New pods at 0, ready 12, in kube-proxy at 14: from 0 to 14
    // no endpoint kube-proxy sends to serves (a capacity dip with nothing serving: drops, and
    // not counted in seconds beyond the 2 above).
    const yaml = appYaml({ readinessProbe: true, strategy: '\n  strategy: { type: Recreate }' });
    const v = only(snapshotOf(yaml));
    expect(v.verdict).toBe('drops');
    expect(v.droppedTrafficSeconds).toBe(2);
    expect(v.windows.filter((w) => w.cause === 'capacity-dip' && w.share === 1).map((w) => [w.start, w.end])).toEqual([[0, 14]]);
    // One scale-down of every old pod, one scale-up of every new one, both at 0 (old pods stop at once).
    const [run] = simulateSnapshot(snapshotOf(yaml));
    expect(run?.result?.steps).toEqual([
      { t: 0, event: 'scale-down', replicaSet: 'old', to: 0 },
      { t: 0, event: 'scale-up', replicaSet: 'new', to: 3 },
    ]);
    expect(run?.result?.pods).toHaveLength(6);
  });

  test('DaemonSet on Local, Kubernetes 1.25: each node drops from d + E until its health check fails', () => {
    // maxSurge 0, maxUnavailable 1, preStop 30, grace 60: node-1's pod deleted at 0, gone at 30,
    // replacement ready at 42; node-2's deleted at 42 (replacement ready 84), node-3's at 84.
    // kube-proxy drops at d + 2; health check fails at d + 2 + 6 < d + 11: windows [2,8),
    // [44,50), [86,92). Nodes in the SLB: 3, then 2 (node-1 back at 42 + 17 = 59 only after
    // [44,50)), then 2 (node-2 back at 84 + 17 = 101): 6/3 + 6/2 + 6/2 = 8.
    const yaml = appYaml({ readinessProbe: true, preStopSleep: 30, grace: 60, local: true, drain: true })
      .replace('kind: Deployment', 'kind: DaemonSet')
      .replace('  replicas: 3\n', '');
    const snapshot = snapshotOf(yaml);
    const v = only(snapshot, { kubernetesVersion: '1.25', nodes: 3 });
    expect(v.workload?.kind).toBe('DaemonSet');
    expect(v.droppedTrafficSeconds).toBe(8);
    expect(v.windows.filter((w) => w.cause !== 'capacity-dip').map((w) => [w.node, w.start, w.end, w.share])).toEqual([
      ['node-1', 2, 8, 0.333],
      ['node-2', 44, 50, 0.5],
      ['node-3', 86, 92, 0.5],
    ]);
  });
});

describe('StatefulSet', () => {
  test('one pod at a time, highest ordinal first, the replacement once the old pod is gone', () => {
    // eTP Cluster, no preStop, probe 5/5. web-old-3 deleted at 0 (stops at once), web-new-3
    // starts at 0 on its node, Ready 12; web-old-2 deleted at 12, web-new-2 Ready 24;
    // web-old-1 deleted at 24. Each old pod gets traffic for E = 2 s after it stopped:
    // [0,2) pool old-1..3: 2/3; [12,14) pool old-1, old-2 (new-3 joins at 14): 2/2 = 1;
    // [24,26) pool old-1, new-3 (new-2 joins at 26): 1. total 2.667.
    const yaml = appYaml({ readinessProbe: true }).replace('kind: Deployment', 'kind: StatefulSet');
    const [run] = simulateSnapshot(snapshotOf(yaml));
    const result = run?.result;
    expect(result?.droppedTrafficSeconds).toBe(2.667);
    expect(result?.windows.filter((w) => w.cause !== 'capacity-dip').map((w) => [w.pod, w.start, w.end, w.share])).toEqual([
      ['web-old-3', 0, 2, 0.333],
      ['web-old-2', 12, 14, 0.5],
      ['web-old-1', 24, 26, 0.5],
    ]);
    expect(result?.pods.filter((p) => p.revision === 'new').map((p) => [p.name, p.node, p.scheduled])).toEqual([
      ['web-new-3', 'node-3', 0],
      ['web-new-2', 'node-2', 12],
      ['web-new-1', 'node-1', 24],
    ]);
  });

  test('rollingUpdate.maxUnavailable is ignored below Kubernetes 1.35 and honoured from it', () => {
    const yaml = appYaml({ readinessProbe: true })
      .replace('kind: Deployment', 'kind: StatefulSet')
      .replace('  selector: { matchLabels', '  updateStrategy: { type: RollingUpdate, rollingUpdate: { maxUnavailable: 2 } }\n  selector: { matchLabels');
    const at = (kubernetesVersion: string) => only(snapshotOf(yaml), { kubernetesVersion });
    expect(at('1.34').parameters?.maxUnavailable).toBe(1);
    expect(at('1.35').parameters?.maxUnavailable).toBe(2);
    expect(at('1.30').parameterSources?.['maxUnavailable']).toMatch(/ignored/);
  });
});

describe('verdicts', () => {
  test('unknown names what is missing', () => {
    const snapshot = snapshotOf(appYaml({ readinessProbe: true }).replace('selector: { app: web }\n  ports', 'selector: { app: nothing }\n  ports'));
    const v = only(snapshot);
    expect(v.verdict).toBe('unknown');
    expect(v.missing[0]).toContain('selector matches none');
    const onDelete = snapshotOf(
      appYaml({ readinessProbe: true })
        .replace('kind: Deployment', 'kind: StatefulSet')
        .replace('  selector: { matchLabels', '  updateStrategy: { type: OnDelete }\n  selector: { matchLabels'),
    );
    expect(only(onDelete).missing[0]).toContain('OnDelete');
  });

  test('fixes that only work together are found together: a surge and the LB readiness gate', () => {
    // ENI, 1 replica, maxSurge 0 / maxUnavailable 1, preStop 30, drain on. The old pod goes at
    // 0 (the SLB lets go at 11), the new one is Ready at 12 and joins the SLB at 12 + 17 = 29:
    // nothing serves from 11 to 29. A surge alone: the old pod goes at 12 (SLB until 23), the new
    // joins at 29: still [23,29). The gate alone: Ready (and in the SLB) at 29, old gone at 11.
    // Both: the new pod is available at 29 (in the SLB), the old goes then (SLB until 40): safe.
    const yaml = appYaml({
      replicas: 1,
      readinessProbe: true,
      preStopSleep: 30,
      grace: 60,
      eni: true,
      drain: true,
      strategy: '\n  strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } }',
    });
    const v = only(snapshotOf(yaml));
    expect(v.verdict).toBe('drops');
    expect(v.droppedTrafficSeconds).toBe(0);
    expect(v.windows).toEqual([{ start: 11, end: 29, cause: 'capacity-dip', path: 'pod', share: 1 }]);
    expect(v.fixes.map((f) => f.change)).toEqual([
      'readiness gate of the load balancer (service.readiness.alibabacloud.com/web)',
      'strategy RollingUpdate with maxSurge 1, maxUnavailable 0',
    ]);
    expect(v.afterFixes?.verdict).toBe('safe');
  });

  test('serviceTimelineSvg draws one Service, or nothing for an unknown one', () => {
    const snapshot = snapshotOf(SEED.localDefaultStrategy);
    const svg = serviceTimelineSvg(snapshot, { namespace: 'shop', name: 'web' }, { overrides: { kubernetesVersion: '1.25' } });
    expect(svg).toContain('data-cause="node-without-endpoint"');
    expect(serviceTimelineSvg(snapshot, { namespace: 'shop', name: 'nope' })).toBeUndefined();
  });

  test('only LoadBalancer Services get a verdict unless asked; the summary counts them', () => {
    const yaml = `${SEED.cureEni}---\n${appYaml({ name: 'api', readinessProbe: true }).replace('type: LoadBalancer', 'type: ClusterIP')}`;
    const { verdicts, summary } = serviceVerdicts(snapshotOf(yaml));
    expect(summary).toEqual({ services: 1, drops: 0, safe: 1, unknown: 0 });
    expect(verdicts.map((v) => v.service.name)).toEqual(['web']);
    // ClusterIP on the internal path: no preStop, E = 2: [12,14) [24,26) [36,38) each 1/3.
    const runs = simulateSnapshot(snapshotOf(yaml), { service: { namespace: 'shop', name: 'api' } });
    expect(runs[0]?.result?.service.path).toBe('internal');
    expect(runs[0]?.result?.droppedTrafficSeconds).toBe(2);
  });

  test('a live cluster: the real pods and nodes drive placement (Local, Kubernetes 1.25)', () => {
    // Pods api-aaa (node-a), api-bbb (node-b); node-c empty. maxSurge ceil(0.5) = 1,
    // maxUnavailable floor(0.5) = 0. new-1 goes to node-c (no pod of the workload);
    // t=12 api-aaa deleted (ties by name), new-2 to node-a (now without a live pod).
    // node-a: kube-proxy drops at 14, health check fails at 20 (< 12 + 11): [14,20) while the
    // SLB holds node-a and node-b (node-c joins at 12 + 17 = 29): 6/2 = 3.
    // t=24 api-bbb deleted: kube-proxy drops at 26, health check fails at 32. node-a left at
    // 20 (back at 24 + 17 = 41), node-c joins at 29: [26,29) node-b alone: 3 x 1 = 3;
    // [29,32) node-b and node-c: 3/2 = 1.5. total 3 + 3 + 1.5 = 7.5.
    const snapshot = emptySnapshot({ source: 'cluster', kubernetesVersion: '1.25.3', detectedProvider: 'alibaba' });
    const docs = load(`
- { kind: Node, metadata: { name: node-a }, spec: { providerID: cn-hangzhou.i-a } }
- { kind: Node, metadata: { name: node-b }, spec: { providerID: cn-hangzhou.i-b } }
- { kind: Node, metadata: { name: node-c }, spec: { providerID: cn-hangzhou.i-c } }
- kind: Deployment
  metadata: { name: api, namespace: shop }
  spec:
    replicas: 2
    selector: { matchLabels: { app: api } }
    template:
      metadata: { labels: { app: api } }
      spec:
        terminationGracePeriodSeconds: 60
        containers:
          - name: app
            ports: [{ name: http, containerPort: 8080 }]
            readinessProbe: { httpGet: { path: /, port: http }, initialDelaySeconds: 5, periodSeconds: 5 }
            lifecycle: { preStop: { exec: { command: [sleep, "30"] } } }
- { kind: ReplicaSet, metadata: { name: api-6d4, namespace: shop, ownerReferences: [{ kind: Deployment, name: api, controller: true }] }, spec: { template: { metadata: { labels: { app: api } } } } }
- { kind: Pod, metadata: { name: api-bbb, namespace: shop, labels: { app: api }, ownerReferences: [{ kind: ReplicaSet, name: api-6d4, controller: true }] }, spec: { nodeName: node-b }, status: { conditions: [{ type: Ready, status: "True" }] } }
- { kind: Pod, metadata: { name: api-aaa, namespace: shop, labels: { app: api }, ownerReferences: [{ kind: ReplicaSet, name: api-6d4, controller: true }] }, spec: { nodeName: node-a }, status: { conditions: [{ type: Ready, status: "True" }] } }
- kind: Service
  metadata: { name: api, namespace: shop, annotations: { service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain: "on", service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain-timeout: "20" } }
  spec: { type: LoadBalancer, externalTrafficPolicy: Local, selector: { app: api }, ports: [{ port: 80, targetPort: http }] }
`) as unknown[];
    for (const doc of docs) addObject(snapshot, doc);
    const v = only(snapshot);
    expect(v.parameters?.nodes).toBe(3);
    expect(v.parameterSources['kubernetesVersion']).toBe('cluster');
    expect(v.droppedTrafficSeconds).toBe(7.5);
    expect(v.windows.filter((w) => w.cause !== 'capacity-dip').map((w) => [w.node, w.pod, w.start, w.end, w.share])).toEqual([
      ['node-a', 'api-aaa', 14, 20, 0.5],
      ['node-b', 'api-bbb', 26, 29, 1],
      ['node-b', 'api-bbb', 29, 32, 0.5],
    ]);
  });
});

describe('profiles', () => {
  test('every value names its source and confidence; ids are unique', () => {
    const ids = new Set(PROFILES.map((p) => p.id));
    expect(ids.size).toBe(PROFILES.length);
    for (const profile of PROFILES) {
      for (const num of [profile.endpointPropagationSeconds, profile.lbAddLatencySeconds, profile.hc.intervalSeconds, profile.drain.defaultSeconds]) {
        expect(num.source.length).toBeGreaterThan(0);
        expect(['verified', 'secondary', 'estimate']).toContain(num.confidence);
      }
    }
    expect(PROFILES.filter((p) => p.provider === 'alibaba').map((p) => p.id)).toEqual([
      'alibaba.clb.eni',
      'alibaba.clb.local',
      'alibaba.clb.cluster',
      'alibaba.nlb.eni',
    ]);
    // Every row of PROVIDERS.md section 3.
    expect(PROFILES).toHaveLength(22);
  });

  test('the same manifest differs between providers: AWS NLB ip targets drain 300 s by default', () => {
    const yaml = SEED.connectionsCut
      .replace('service.beta.kubernetes.io/alibaba-cloud-loadbalancer-spec: slb.s1.small', 'service.beta.kubernetes.io/aws-load-balancer-type: external')
      .replace('service.beta.kubernetes.io/backend-type: "eni"', 'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type: ip');
    const aws = only(snapshotOf(yaml), {});
    expect(aws.parameters?.profile).toBe('aws.lbc.nlb.ip');
    expect(aws.parameters?.drain).toBe(true);
    expect(aws.windows.some((w) => w.cause === 'connections-cut')).toBe(false);
  });

  test('AWS ip targets: the same manifest drops without the namespace gate label and not with it', () => {
    const service = SEED.connectionsCut
      .replace('service.beta.kubernetes.io/alibaba-cloud-loadbalancer-spec: slb.s1.small', 'service.beta.kubernetes.io/aws-load-balancer-type: external')
      .replace('service.beta.kubernetes.io/backend-type: "eni"', 'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type: ip');
    const namespace = (labelled: boolean) =>
      `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop${labelled ? '\n  labels: {elbv2.k8s.aws/pod-readiness-gate-inject: enabled}' : ''}\n---\n`;
    const without = only(snapshotOf(namespace(false) + service), {});
    const withLabel = only(snapshotOf(namespace(true) + service), {});
    expect(without.parameters?.profile).toBe('aws.lbc.nlb.ip');
    expect(without.parameters?.readinessGate).toBe(false);
    expect(withLabel.parameters?.readinessGate).toBe(true);
    // Without the gate the Deployment deletes old pods while the NLB still registers new ones (~90 s).
    expect(without.verdict).toBe('drops');
    expect(without.windows.some((w) => w.cause !== 'capacity-dip')).toBe(true);
    expect(withLabel.droppedTrafficSeconds).toBeLessThan(without.droppedTrafficSeconds);
  });

  test('AWS ip targets: with a preStop that outlasts deregistration, the verdict is safe with the gate label and drops without it', () => {
    const service = appYaml({ readinessProbe: true, preStopSleep: 40, grace: 90, eni: true })
      .replace('service.beta.kubernetes.io/alibaba-cloud-loadbalancer-spec: slb.s1.small', 'service.beta.kubernetes.io/aws-load-balancer-type: external')
      .replace('service.beta.kubernetes.io/backend-type: "eni"', 'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type: ip');
    const namespace = (labelled: boolean) =>
      `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop${labelled ? '\n  labels: {elbv2.k8s.aws/pod-readiness-gate-inject: enabled}' : ''}\n---\n`;
    const without = only(snapshotOf(namespace(false) + service), {});
    const withLabel = only(snapshotOf(namespace(true) + service), {});
    expect([without.parameters?.profile, withLabel.parameters?.profile]).toEqual(['aws.lbc.nlb.ip', 'aws.lbc.nlb.ip']);
    expect(without.verdict).toBe('drops');
    expect(withLabel.verdict).toBe('safe');
  });

  test('Alibaba ENI: graceful-shutdown keeps established connections (weight 0) where its absence cuts them', () => {
    const graceful = SEED.connectionsCut.replace(
      'service.beta.kubernetes.io/backend-type: "eni"',
      'service.beta.kubernetes.io/backend-type: "eni"\n    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-graceful-shutdown: "true"',
    );
    expect(graceful).not.toBe(SEED.connectionsCut);
    const off = only(snapshotOf(SEED.connectionsCut), {});
    const on = only(snapshotOf(graceful), {});
    expect(off.windows.some((w) => w.cause === 'connections-cut')).toBe(true);
    // The verdicts themselves differ (PROVIDERS.md 2.1, issue 12's done-when).
    expect(off.verdict).toBe('drops');
    expect(on.verdict).toBe('safe');
    expect(on.parameters?.drain).toBe(true);
    expect(on.windows.some((w) => w.cause === 'connections-cut')).toBe(false);
    // ignore-weight-update: "on" turns it off again (ccm#486).
    const ignored = graceful.replace(
      'graceful-shutdown: "true"',
      'graceful-shutdown: "true"\n    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-ignore-weight-update: "on"',
    );
    expect(only(snapshotOf(ignored), {}).windows.some((w) => w.cause === 'connections-cut')).toBe(true);
  });

  test('profile overrides replace an estimate (the verdict names the user value)', () => {
    const yaml = SEED.connectionsCut;
    const base = only(snapshotOf(yaml), {});
    const tuned = only(snapshotOf(yaml), {
      profileOverrides: { source: 'profile file t.yaml', values: { 'alibaba.clb.eni': { lbRemoveLatencySeconds: 40 } } },
    });
    expect(base.parameters?.L).toBe(11);
    expect(tuned.parameters?.L).toBe(41);
  });
});
