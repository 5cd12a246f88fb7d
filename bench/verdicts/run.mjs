#!/usr/bin/env node
// What the per-Service verdicts (libs/simulator serviceVerdicts) add to a scan, as a ratio
// against the same scan without them. Goal (issue 10): at most +20 %, cost linear in pods.
//
//   node bench/verdicts/run.mjs [--apps 20000] [--nodes 5000 --pods 150000 --services 3000] [--repeat 3] [--only manifest|live]
//
// Manifest: the 20,000-app corpus of bench/manifest-scan/generate.mjs; the scan without
// verdicts is what `rollsafe scan FILE --format json` does in process (read, parallel parse,
// one SnapshotIndex, advisor, JSON); verdicts are serviceVerdicts(snapshot, { findings, index })
// plus their JSON, sharing the index as the CLI does.
// Live: the 5,000-node / 150,000-pod cluster of libs/testing kubeScenarios.large (the
// bench/live-scan server's data), built in process from the objects' JSON (as the collector
// decodes pages) instead of over HTTPS; the scan without verdicts is decode + addObject +
// runAdvisor, so the ratio leaves out the network and paging that dominate a real live scan
// (bench/live-scan: about 25 s): a stricter figure than the goal's.
// Linearity: the live verdicts are also timed at a tenth of the pods (same nodes per pod ratio).
// Runs alternate with and without verdicts; medians are reported. Always exits 0.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : fallback;
};
const apps = Number(option('apps', 20000));
const nodes = Number(option('nodes', 5000));
const pods = Number(option('pods', 150000));
const services = Number(option('services', 3000));
const repeat = Number(option('repeat', 3));
const only = option('only', '');
const log = (text) => process.stderr.write(`${text}\n`);

execFileSync(process.execPath, [path.join(root, 'tools', 'build.mjs'), '--if-stale'], { stdio: 'inherit' });
const dist = (p) => import(path.join(root, 'dist', p));
const advisor = await dist('libs/advisor/src/index.js');
const simulator = await dist('libs/simulator/src/index.js');
const manifests = await dist('libs/manifests/src/index.js');
const { formatJson } = await dist('apps/cli/src/formatters/json.js');

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (fn) => {
  const started = performance.now();
  const value = fn();
  return [performance.now() - started, value];
};
const gc = () => globalThis.gc?.();
const results = {};

if (only !== 'live') {
  const outDir = path.join(here, 'out');
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `apps-${apps}.yaml`);
  if (!fs.existsSync(file)) {
    log(`generating ${apps} apps -> ${path.relative(root, file)}`);
    execFileSync(process.execPath, [path.join(root, 'bench', 'manifest-scan', 'generate.mjs'), '--apps', String(apps), '--out', file], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  const scans = [];
  const verdictTimes = [];
  let counts;
  for (let i = 0; i < repeat; i++) {
    gc();
    const started = performance.now();
    const read = await manifests.readManifestPaths([file], async () => '');
    const parsed = await manifests.parseManifestsParallel(read.inputs, manifests.CLI_LIMITS, { threads: Math.min(os.availableParallelism(), 4) });
    const index = new advisor.SnapshotIndex(parsed.snapshot);
    const result = advisor.runAdvisor(parsed.snapshot, {}, advisor.RULES, index);
    const report = { result, inputErrors: [], warnings: parsed.snapshot.warnings, fileCount: 1, resourceCount: parsed.snapshot.locations.size };
    let bytes = 0;
    for (const chunk of formatJson(report, false)) bytes += chunk.length;
    scans.push(performance.now() - started);
    const [t, verdicts] = ms(() => {
      const v = simulator.serviceVerdicts(parsed.snapshot, { findings: result.findings, index });
      return { v, json: JSON.stringify(v.verdicts).length };
    });
    verdictTimes.push(t);
    counts = { documents: parsed.documentCount, findings: result.findings.length, jsonBytes: bytes, verdictJsonBytes: verdicts.json, ...verdicts.v.summary };
    log(`manifest run ${i + 1}: scan ${(scans.at(-1) / 1000).toFixed(2)} s, verdicts ${(t / 1000).toFixed(2)} s`);
  }
  const scan = median(scans);
  const verdicts = median(verdictTimes);
  results.manifest = { apps, ...counts, scanSeconds: scan / 1000, verdictSeconds: verdicts / 1000, ratio: (scan + verdicts) / scan };
}

if (only !== 'manifest') {
  const testing = await dist('libs/testing/src/index.js');
  const buildSnapshot = (scenario) => {
    const snapshot = advisor.emptySnapshot({ source: 'cluster', kubernetesVersion: '1.30.2', detectedProvider: 'alibaba' });
    const kinds = {
      nodes: 'Node',
      pods: 'Pod',
      services: 'Service',
      endpointslices: 'EndpointSlice',
      deployments: 'Deployment',
      replicasets: 'ReplicaSet',
      statefulsets: 'StatefulSet',
      daemonsets: 'DaemonSet',
      poddisruptionbudgets: 'PodDisruptionBudget',
      horizontalpodautoscalers: 'HorizontalPodAutoscaler',
    };
    for (const [resource, kind] of Object.entries(kinds)) {
      const store = scenario.store(resource);
      for (let i = 0; i < store.size; i++) {
        const object = JSON.parse(store.json(i));
        object.kind = kind;
        advisor.addObject(snapshot, object);
      }
    }
    return snapshot;
  };
  const live = (podCount, nodeCount, serviceCount, rounds) => {
    log(`building the ${nodeCount}-node / ${podCount}-pod scenario`);
    const scenario = testing.kubeScenarios.large({ nodes: nodeCount, pods: podCount, services: serviceCount, seed: 42 });
    const scans = [];
    const verdictTimes = [];
    const allTimes = [];
    let counts;
    let allCounts;
    for (let i = 0; i < rounds; i++) {
      gc();
      const [tBuild, snapshot] = ms(() => buildSnapshot(scenario));
      const [tAdvisor, [result, index]] = ms(() => {
        const shared = new advisor.SnapshotIndex(snapshot);
        return [advisor.runAdvisor(snapshot, {}, advisor.RULES, shared), shared];
      });
      scans.push(tBuild + tAdvisor);
      const [t, v] = ms(() => simulator.serviceVerdicts(snapshot, { findings: result.findings, index }));
      verdictTimes.push(t);
      // Every Service (ClusterIP and NodePort too): the verdicts' cost over all the cluster's pods.
      const [tAll, vAll] = ms(() => simulator.serviceVerdicts(snapshot, { findings: result.findings, index, allServices: true }));
      allTimes.push(tAll);
      allCounts = vAll.summary;
      const simulatedPods = v.verdicts.reduce((n, x) => n + (x.parameters ? x.parameters.replicas : 0), 0);
      counts = { pods: snapshot.pods.length, nodes: snapshot.nodes.length, findings: result.findings.length, simulatedReplicas: simulatedPods, ...v.summary };
      log(
        `live ${podCount} run ${i + 1}: decode+addObject ${(tBuild / 1000).toFixed(2)} s, advisor ${(tAdvisor / 1000).toFixed(2)} s, verdicts ${(t / 1000).toFixed(2)} s, every Service ${(tAll / 1000).toFixed(2)} s`,
      );
    }
    const scan = median(scans);
    const verdicts = median(verdictTimes);
    const all = median(allTimes);
    return {
      ...counts,
      scanSeconds: scan / 1000,
      verdictSeconds: verdicts / 1000,
      ratio: (scan + verdicts) / scan,
      everyService: { ...allCounts, verdictSeconds: all / 1000, ratio: (scan + all) / scan },
    };
  };
  results.live = live(pods, nodes, services, repeat);
  results.liveTenth = live(Math.round(pods / 10), Math.round(nodes / 10), Math.round(services / 10), repeat);
  results.linearity = results.live.everyService.verdictSeconds / results.liveTenth.everyService.verdictSeconds;
}

const pct = (r) => `+${((r - 1) * 100).toFixed(1)} %`;
const lines = ['| corpus | scan without verdicts | verdicts | ratio | Services (drops / safe / unknown) |', '| --- | ---: | ---: | ---: | --- |'];
if (results.manifest) {
  const m = results.manifest;
  lines.push(
    `| manifests, ${m.apps} apps | ${m.scanSeconds.toFixed(2)} s | ${m.verdictSeconds.toFixed(2)} s | ${m.ratio.toFixed(3)} (${pct(m.ratio)}) | ${m.services} (${m.drops} / ${m.safe} / ${m.unknown}) |`,
  );
}
for (const [key, label] of [
  ['live', 'live'],
  ['liveTenth', 'live, a tenth'],
]) {
  const l = results[key];
  if (!l) continue;
  lines.push(
    `| ${label}: ${l.nodes} nodes, ${l.pods} pods | ${l.scanSeconds.toFixed(2)} s | ${l.verdictSeconds.toFixed(2)} s | ${l.ratio.toFixed(3)} (${pct(l.ratio)}) | ${l.services} (${l.drops} / ${l.safe} / ${l.unknown}) |`,
  );
  const e = l.everyService;
  lines.push(
    `| ${label}, every Service | ${l.scanSeconds.toFixed(2)} s | ${e.verdictSeconds.toFixed(2)} s | ${e.ratio.toFixed(3)} (${pct(e.ratio)}) | ${e.services} (${e.drops} / ${e.safe} / ${e.unknown}) |`,
  );
}
process.stdout.write(`${lines.join('\n')}\n`);
if (results.linearity)
  process.stdout.write(`linearity: verdicts of every Service at 10x the pods took ${results.linearity.toFixed(1)}x the time (linear: about 10x)\n`);
const goal = Object.values(results)
  .filter((r) => typeof r === 'object' && r.ratio)
  .every((r) => r.ratio <= 1.2);
process.stdout.write(`goal (ratio <= 1.20): ${goal ? 'met' : 'NOT met'}\n`);
fs.mkdirSync(path.join(here, 'out'), { recursive: true });
fs.writeFileSync(path.join(here, 'out', 'results.json'), JSON.stringify(results, null, 2));
