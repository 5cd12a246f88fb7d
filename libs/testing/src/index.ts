export { createTestDatabase, testServerUrl, migrationStatements, type TestDatabase } from './database.js';
export { createTestRedis, testRedisUrl, type TestRedis } from './redis.js';
export { until } from './wait.js';
export { UNSAFE_DEPLOYMENT, BROKEN_YAML, aliasBomb } from './manifests.js';
// The fake kube-apiserver and its scenarios live in libs/fake-cluster (the CLI's demo runs it too).
export * from '#rollsafe/fake-cluster';
export { testConfig } from './config.js';
export { TcpProxy } from './tcp-proxy.js';
