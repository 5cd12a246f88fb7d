export { createTestDatabase, testServerUrl, migrationStatements, type TestDatabase } from './database.js';
export { createTestRedis, testRedisUrl, type TestRedis } from './redis.js';
export { until } from './wait.js';
export { UNSAFE_DEPLOYMENT, BROKEN_YAML, aliasBomb } from './manifests.js';
export * from './kube/index.js';
export { testConfig } from './config.js';
