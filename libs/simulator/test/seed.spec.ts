// The seed's four failure modes and its two cures, with every figure computed by hand.
//
// Shared settings (Alibaba Cloud profile, defaults of docs/simulator.md): 3 replicas on 3
// nodes (node-1..3, one old pod each); podStart 2 s; appWarmup 10 s; E = 1 + 1 = 2 s;
// L = 1 + 10 = 11 s; lbAdd = 1 + 10 + 2 x 3 = 17 s. Default strategy for 3 replicas:
// maxSurge 25% -> ceil(0.75) = 1, maxUnavailable 25% -> floor(0.75) = 0.
// With the seed's readiness probe (initialDelay 5, period 5) a pod scheduled at t runs at
// t+2, serves at t+12, is probed at t+7 and t+12: Ready (and available) at t+12.
// So the rollout goes: t=0 new-1 (node-1, ties by name); t=12 new-1 available, old-1
// deleted (node-1 holds 2 pods), new-2 created (node-1: all nodes hold 1, ties by name);
// t=24 old-2 deleted, new-3 on node-2 (now empty); t=36 old-3 deleted.
import { serviceVerdicts, type ServiceVerdict } from '../src/index.js';
import { SEED, snapshotOf } from './seed.js';

function verdictOf(yaml: string, overrides = {}): ServiceVerdict {
  const { verdicts } = serviceVerdicts(snapshotOf(yaml), { overrides });
  expect(verdicts).toHaveLength(1);
  return verdicts[0] as ServiceVerdict;
}

const lossWindows = (v: ServiceVerdict) => v.windows.filter((w) => w.cause !== 'capacity-dip');

describe('seed failure modes', () => {
  test('no readiness probe: new pods receive traffic before the app serves', () => {
    // eTP Cluster, no probe: a pod scheduled at t is Ready at t+2 (running), kube-proxy
    // sends at t+2+E = t+4, the app serves at t+12: 8 s per pod. Available at t+2, so the
    // rollout goes t=0 new-1 (node-1), t=2 old-1 deleted + new-2 (node-1), t=4 old-2 deleted
    // + new-3 (node-2), t=6 old-3 deleted. Windows [4,12), [6,14), [8,16).
    // The pool stays 3 endpoints (old-1 leaves at 2+2=4 as new-1 joins at 4; likewise at 6
    // and 8): share 1/3. dropped = 3 x 8 x 1/3 = 8.
    const v = verdictOf(SEED.noReadinessProbe);
    expect(v.verdict).toBe('drops');
    expect(v.service.path).toBe('cluster');
    expect(v.droppedTrafficSeconds).toBe(8);
    expect(lossWindows(v)).toEqual([
      { start: 4, end: 12, cause: 'not-ready-endpoint', path: 'cluster', pod: 'web-new-1', node: 'node-1', share: 0.333 },
      { start: 6, end: 14, cause: 'not-ready-endpoint', path: 'cluster', pod: 'web-new-2', node: 'node-1', share: 0.333 },
      { start: 8, end: 16, cause: 'not-ready-endpoint', path: 'cluster', pod: 'web-new-3', node: 'node-2', share: 0.333 },
    ]);
    expect(v.ruleIds).toEqual(expect.arrayContaining(['readiness-probe-missing']));
    expect(v.fixes.map((f) => f.change)).toEqual(['readinessProbe on the serving port (periodSeconds 5)']);
    expect(v.afterFixes).toEqual({ verdict: 'safe', droppedTrafficSeconds: 0 });
  });

  test('no preStop: the pod stops before the SLB lets go (ENI)', () => {
    // ENI (pod path), drain on. Deleted at d, no preStop: stops at d; the SLB sends until
    // d + L = d + 11. New pods join the SLB at Ready + 17: new-1 at 29, new-2 at 41.
    // old-1 [12,23): SLB holds old-1..3 -> 1/3 x 11 = 3.667
    // old-2 [24,35): [24,29) old-2, old-3 -> 1/2 x 5 = 2.5; [29,35) + new-1 -> 1/3 x 6 = 2
    // old-3 [36,47): [36,41) old-3, new-1 -> 1/2 x 5 = 2.5; [41,47) + new-2 -> 1/3 x 6 = 2
    // total = 11/3 + 9 = 12.667
    const v = verdictOf(SEED.noPreStop);
    expect(v.service.path).toBe('pod');
    expect(v.verdict).toBe('drops');
    expect(v.droppedTrafficSeconds).toBe(12.667);
    expect(lossWindows(v).map((w) => [w.pod, w.start, w.end, w.share, w.cause])).toEqual([
      ['web-old-1', 12, 23, 0.333, 'stopped-before-removed'],
      ['web-old-2', 24, 29, 0.5, 'stopped-before-removed'],
      ['web-old-2', 29, 35, 0.333, 'stopped-before-removed'],
      ['web-old-3', 36, 41, 0.5, 'stopped-before-removed'],
      ['web-old-3', 41, 47, 0.333, 'stopped-before-removed'],
    ]);
    // preStop must cover L + 5 = 16 s (at least 15); grace raised to 16 + 30 = 46 so
    // termination-grace-too-short stays quiet.
    expect(v.fixes.map((f) => f.change)).toEqual(['preStop sleep 16s and terminationGracePeriodSeconds 46']);
    expect(v.fixes[0]?.closes).toEqual(['stopped-before-removed']);
    expect(v.afterFixes?.verdict).toBe('safe');
  });

  test('Local with the default strategy: a node loses its last pod while the SLB still sends (Kubernetes 1.25)', () => {
    // eTP Local, preStop 30, drain on, Kubernetes 1.25 (no terminating endpoints).
    // node-2: old-2 deleted at 24, kube-proxy drops it at 24+E = 26; new-3 lands on node-2
    // but is Ready only at 36. The SLB lets go at min(24+L = 35, health check: 26 + 2x3 = 32)
    // = 32: window [26,32), nodes in the SLB: node-1..3 -> 1/3 x 6 = 2.
    // node-3: old-3 deleted at 36, dropped at 38, health check fails at 38+6 = 44 (< 36+11):
    // window [38,44); node-2 left at 32 and comes back at 36+17 = 53, so the SLB holds
    // node-1 and node-3 -> 1/2 x 6 = 3. total = 5.
    const v = verdictOf(SEED.localDefaultStrategy, { kubernetesVersion: '1.25' });
    expect(v.verdict).toBe('drops');
    expect(v.droppedTrafficSeconds).toBe(5);
    expect(lossWindows(v)).toEqual([
      { start: 26, end: 32, cause: 'node-without-endpoint', path: 'local', node: 'node-2', pod: 'web-old-2', share: 0.333 },
      { start: 38, end: 44, cause: 'node-without-endpoint', path: 'local', node: 'node-3', pod: 'web-old-3', share: 0.5 },
    ]);
    expect(v.ruleIds).toEqual(expect.arrayContaining(['local-traffic-rollout-unsafe']));
    expect(v.afterFixes?.verdict).toBe('safe');
  });

  test('the same Local Service on Kubernetes 1.30: terminating endpoints serve until the SLB lets go', () => {
    // old-2 keeps serving until 24+30 = 54; kube-proxy falls back to it from 26; the SLB
    // lets go at min(35, 54+6) = 35 < 54: no window.
    const v = verdictOf(SEED.localDefaultStrategy);
    expect(v.verdict).toBe('safe');
    expect(v.droppedTrafficSeconds).toBe(0);
  });

  test('long connections cut without draining (ENI, drain off)', () => {
    // preStop 30 keeps every old pod serving past its removal at d + 11 (23, 35, 47), but
    // with draining off the SLB resets established connections there. Just before each
    // removal the SLB holds 3 backends (old-1..3; old-2, old-3, new-1; old-3, new-1,
    // new-2): share 1/3. Instants do not add seconds: dropped 0, verdict drops.
    const v = verdictOf(SEED.connectionsCut);
    expect(v.verdict).toBe('drops');
    expect(v.droppedTrafficSeconds).toBe(0);
    expect(lossWindows(v).map((w) => [w.cause, w.pod, w.start, w.end, w.share])).toEqual([
      ['connections-cut', 'web-old-1', 23, 23, 0.333],
      ['connections-cut', 'web-old-2', 35, 35, 0.333],
      ['connections-cut', 'web-old-3', 47, 47, 0.333],
    ]);
    // Drain timeout fits in grace: 60 - 30 = 30 s.
    expect(v.fixes.map((f) => f.change)).toEqual(['connection draining on, timeout 30s']);
    expect(v.ruleIds).toEqual(expect.arrayContaining(['lb-connection-drain-off']));
  });
});

describe('seed cures', () => {
  test('Local in-place rollout (maxSurge 50%, maxUnavailable 0, node affinity) is safe', () => {
    // The required node affinity with maxUnavailable 0 and a surge on a Local Service is read as
    // the seed's in-place update (docs/simulator.md): no flag needed.
    // maxSurge 50% of 3 = 2: new-1 on node-1 and new-2 on node-2 (in place of old-1, old-2),
    // Ready at 12; then old-1 and old-2 go while their node holds a ready new pod; new-3 on
    // node-3 Ready at 24, then old-3 goes. No node ever lacks a serving endpoint.
    for (const kubernetesVersion of ['1.30', '1.25']) {
      const v = verdictOf(SEED.cureLocalInPlace, { kubernetesVersion });
      expect(v.parameters?.inPlace).toBe(true);
      expect(v.parameterSources['inPlace']).toContain('inferred');
      expect(v.verdict).toBe('safe');
      expect(v.droppedTrafficSeconds).toBe(0);
      expect(v.windows.filter((w) => w.cause !== 'capacity-dip')).toEqual([]);
      expect(v.fixes).toEqual([]);
    }
  });

  test('without the node affinity the same strategy is not in place: node-3 loses its last pod', () => {
    // maxSurge 2: new-1, new-2 on node-1, node-2 (ties by name); old-1, old-2 go at 12; new-3
    // lands on node-1 (node-1..3 each hold one live pod; ties by name); old-3 goes at 24 and
    // node-3 is empty. Kubernetes 1.25: kube-proxy drops old-3 at 26, the health check fails
    // at 32 (< 24 + 11): [26,32) while the SLB holds node-1..3: 6/3 = 2. Draining is off, so
    // the SLB also resets node-3's connections when it removes it at 32 (share 1/3).
    const yaml = SEED.cureLocalInPlace.replace(/\n {6}affinity:[\s\S]*?values: \["true"\] \}\]/, '');
    expect(yaml).not.toContain('nodeAffinity');
    const v = verdictOf(yaml, { kubernetesVersion: '1.25' });
    expect(v.parameters?.inPlace).toBe(false);
    expect(v.droppedTrafficSeconds).toBe(2);
    expect(v.windows.filter((w) => w.cause !== 'capacity-dip')).toEqual([
      { start: 26, end: 32, cause: 'node-without-endpoint', path: 'local', node: 'node-3', pod: 'web-old-3', share: 0.333 },
      { start: 32, end: 32, cause: 'connections-cut', path: 'local', node: 'node-3', share: 0.333 },
    ]);
  });

  test('ENI mode + preStop sleep 30 + grace 60 + readiness probe (drain on) is safe', () => {
    // Each old pod serves until d+30, the SLB lets go at d+11, drain 20 s <= 60 - 30.
    // Capacity dips (informational): [23,29) [35,41) [47,53) hold 2 serving backends of 3.
    const v = verdictOf(SEED.cureEni);
    expect(v.verdict).toBe('safe');
    expect(v.droppedTrafficSeconds).toBe(0);
    expect(v.windows.map((w) => [w.cause, w.start, w.end])).toEqual([
      ['capacity-dip', 23, 29],
      ['capacity-dip', 35, 41],
      ['capacity-dip', 47, 53],
    ]);
  });
});
