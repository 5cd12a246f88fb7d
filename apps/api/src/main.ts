// The API: REST under /api/v1, GraphQL at /graphql, OpenAPI at /api/docs.
import 'reflect-metadata';
import { createLogger, installShutdown, loadConfigOrExit } from '#rollsafe/runtime';
import { createApiApp } from './app.factory.js';
import { Lifecycle } from './ops/lifecycle.js';
import { drainHttp, trackConnections } from './ops/drain.js';
import { configureHeapGrowth } from './ops/heap-growth.js';
import type { Server } from 'node:http';

async function main(): Promise<void> {
  configureHeapGrowth();
  const config = loadConfigOrExit('api');
  const logger = createLogger({ level: config.logLevel, app: 'api' });
  const app = await createApiApp(config, logger);
  await app.listen(config.port, config.host);
  const connections = trackConnections(app.getHttpServer() as Server);
  const lifecycle = app.get(Lifecycle);
  installShutdown(app, logger, config.shutdownTimeoutMs, {
    // Readiness answers 503 first, so that load balancers stop sending new requests.
    beforeClose: () => {
      lifecycle.shuttingDown = true;
    },
    // Then the HTTP server stops accepting and finishes its in-flight requests (idle
    // keep-alive connections are closed; busy ones end after their response), all while
    // Postgres and Redis are still open; app.close() closes them afterwards.
    drain: (deadline) => drainHttp(app.getHttpServer() as Server, connections, deadline),
  });
  logger.info({ url: `http://${config.host}:${config.port}`, docs: '/api/docs', graphql: '/graphql' }, 'api listening');
}

main().catch((error: unknown) => {
  process.stderr.write(`rollsafe api: could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
