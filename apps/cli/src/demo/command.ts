// `rollsafe demo`: a fake ACK cluster on 127.0.0.1 (libs/fake-cluster's kube-apiserver, serving
// the seed's stories) and a kubeconfig for it, so the live features can be tried without a cluster.
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { demoCluster, FakeKubeApiServer, kubeScenarios } from '#rollsafe/fake-cluster';
import { flagError } from '../flags.js';
import type { CliIo } from '../main.js';

export const DEMO_USAGE = `Usage: rollsafe demo [--port N] [--kubeconfig-out FILE]

Starts a fake Kubernetes API server on 127.0.0.1 serving a small Alibaba Cloud (ACK) cluster
on Terway: Local and Cluster LoadBalancer Services, nodes near the SLB quota, a Deployment
without a preStop hook, a restart loop, a node whose only pod backs a Local Service. Writes a
read-only kubeconfig for it and prints the commands that scan it. Runs until Ctrl-C.

Options:
  --port N                     the port to listen on (default: any free port)
  --kubeconfig-out FILE        where to write the kubeconfig (default: rollsafe-demo.kubeconfig)
  -h, --help                   show this help
`;

const DEMO_TOKEN = 'rollsafe-demo-reader';

export interface RunningDemo {
  url: string;
  kubeconfig: string;
  server: FakeKubeApiServer;
  stop(): Promise<void>;
}

/** Starts the demo's API server and writes its kubeconfig (mode 0600). */
export async function startDemo(options: { port?: number; kubeconfigOut: string }): Promise<RunningDemo> {
  const server = await FakeKubeApiServer.start({
    scenario: demoCluster(),
    tokens: { [DEMO_TOKEN]: kubeScenarios.readOnlyUser },
    ...(options.port !== undefined ? { port: options.port } : {}),
  });
  try {
    await fs.writeFile(options.kubeconfigOut, server.kubeconfig({ auth: 'token', contextName: 'rollsafe-demo' }), { mode: 0o600 });
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { url: server.url, kubeconfig: options.kubeconfigOut, server, stop: () => server.stop() };
}

/** How to quote a path for a POSIX shell, only when it needs it. */
function shellQuote(value: string): string {
  return /^[\w./:@%+=-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

export function demoInstructions(demo: Pick<RunningDemo, 'url' | 'kubeconfig'>, self: string, shown: string): string {
  const file = shellQuote(shown);
  return [
    `rollsafe demo: a fake ACK cluster (Kubernetes v1.30, Terway, 5 nodes) at ${demo.url}`,
    `kubeconfig (read-only token): ${demo.kubeconfig}`,
    '',
    'Scan it with the CLI (in another terminal):',
    '',
    `  ${self} scan --kubeconfig ${file}`,
    '',
    'Register it with the service (API and KEY as in the README; the service must be started',
    'with ROLLSAFE_OUTBOUND_ALLOW=loopback, as its outbound policy refuses 127.0.0.1 otherwise):',
    '',
    `  node -e 'process.stdout.write(JSON.stringify({ name: "demo", kubeconfig: require("fs").readFileSync(process.argv[1], "utf8") }))' ${file} |`,
    `    curl -s -X POST $API/api/v1/clusters -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' -d @-`,
    '',
    'Ctrl-C stops the demo.',
    '',
  ].join('\n');
}

export async function demoCommand(argv: string[], io: CliIo): Promise<number> {
  const options = { port: { type: 'string' }, 'kubeconfig-out': { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;
  let values;
  try {
    values = parseArgs({ args: argv, allowPositionals: false, options }).values;
  } catch (error) {
    io.stderr(`rollsafe: ${flagError(error, options, 'demo')}\n\n${DEMO_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout(DEMO_USAGE);
    return 0;
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!/^\d+$/.test(values.port ?? '') || port > 65535)) {
    io.stderr(`rollsafe: --port must be a whole number from 0 to 65535 (got "${values.port}")\n\n${DEMO_USAGE}`);
    return 2;
  }
  const shown = values['kubeconfig-out'] ?? 'rollsafe-demo.kubeconfig';
  let demo: RunningDemo;
  try {
    demo = await startDemo({ ...(port !== undefined ? { port } : {}), kubeconfigOut: path.resolve(io.cwd, shown) });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    io.stderr(`rollsafe: error: cannot start the demo: ${code === 'EADDRINUSE' ? `port ${port} is in use` : (error as Error).message}\n`);
    return 2;
  }
  io.stdout(demoInstructions(demo, io.self ?? 'rollsafe', shown));
  await (io.waitForStop ?? waitForSignal)();
  await demo.stop();
  io.stderr('rollsafe demo: stopped\n');
  return 0;
}

/** Resolves on the first SIGINT or SIGTERM. */
function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
