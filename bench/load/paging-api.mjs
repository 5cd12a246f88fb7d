// How the load benches start an API process to page: node's flags as the product gives them, and
// the environment in which only paging is measured.
import fs from 'node:fs';
import path from 'node:path';

/**
 * Node's flags of the product's API process, read from the Dockerfile's CMD (the same as
 * Compose's, deploy/'s and npm start's: apps/api's deploy-files test checks them).
 */
export function apiNodeFlags(root) {
  const cmd = fs
    .readFileSync(path.join(root, 'Dockerfile'), 'utf8')
    .split('\n')
    .find((line) => line.startsWith('CMD '));
  const command = cmd ? JSON.parse(cmd.slice(4)) : [];
  if (command[0] !== 'node' || command.at(-1) !== 'dist/apps/api/src/main.js') throw new Error(`the Dockerfile's CMD is not the API's node command: ${cmd}`);
  return command.slice(1, -1);
}

/** The API's environment: production on `port`; the rate limit and the GraphQL budget refuse nothing (what is measured is paging). */
export function pagingApiEnv({ databaseUrl, redisUrl, port, adminToken, encryptionKey, queuePrefix }) {
  return {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    PORT: String(port),
    ROLLSAFE_ADMIN_TOKEN: adminToken,
    ROLLSAFE_ENCRYPTION_KEY: encryptionKey,
    ROLLSAFE_QUEUE_PREFIX: queuePrefix,
    ROLLSAFE_RATE_LIMIT_PER_MINUTE: '1000000',
    ROLLSAFE_GRAPHQL_BUDGET_PER_MINUTE: '100000000',
    ROLLSAFE_DATABASE_POOL_SIZE: '10',
    ROLLSAFE_LOG_LEVEL: 'warn',
  };
}
