// The API: REST under /api/v1, GraphQL at /graphql, OpenAPI at /api/docs.
import 'reflect-metadata';
import { ConfigError, createLogger, installShutdown, loadConfig } from '#rollsafe/runtime';
import { createApiApp } from './app.factory.js';
import { Lifecycle } from './ops/lifecycle.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`rollsafe api: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel, app: 'api' });
  const app = await createApiApp(config, logger);
  await app.listen(config.port, config.host);
  const lifecycle = app.get(Lifecycle);
  installShutdown(app, logger, config.shutdownTimeoutMs, () => {
    lifecycle.shuttingDown = true;
  });
  logger.info({ url: `http://${config.host}:${config.port}`, docs: '/api/docs', graphql: '/graphql' }, 'api listening');
}

main().catch((error: unknown) => {
  process.stderr.write(`rollsafe api: could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
