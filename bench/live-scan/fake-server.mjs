#!/usr/bin/env node
// The benchmark's API server, in its own process so that it does not share the measured
// process's CPU or heap: the libs/testing fake kube-apiserver serving
// kubeScenarios.large({ nodes, pods, services }). Writes a reader kubeconfig to the given
// file, prints one JSON line { url, buildSeconds } when it listens, and stops on SIGTERM.
//
//   node bench/live-scan/fake-server.mjs KUBECONFIG_OUT [--nodes 5000] [--pods 150000] [--services 3000]
import fs from 'node:fs';

const root = new URL('../../', import.meta.url);
const { FakeKubeApiServer, kubeScenarios } = await import(new URL('dist/libs/testing/src/index.js', root).href);

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const started = Date.now();
const scenario = kubeScenarios.large({ nodes: option('nodes', 5000), pods: option('pods', 150000), services: option('services', 3000), seed: 42 });
const server = await FakeKubeApiServer.start({ scenario });
fs.writeFileSync(args[0], server.kubeconfig({ auth: 'token' }));
process.stdout.write(`${JSON.stringify({ url: server.url, buildSeconds: (Date.now() - started) / 1000 })}\n`);

const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
