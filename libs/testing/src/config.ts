// The configuration tests run with: the validated defaults of libs/runtime (the one place they
// are stated), with the values a test sets over them.
import { loadConfig, type AppConfig } from '#rollsafe/runtime';

/** Placeholders for what the environment must set; tests override the connections. */
const REQUIRED = {
  DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/postgres',
  REDIS_URL: 'redis://127.0.0.1:6379',
  ROLLSAFE_ADMIN_TOKEN: 'test-admin-token-0123456789abcdef0123456789',
};

export function testConfig(overrides: Partial<AppConfig> = {}): AppConfig {
  return { ...loadConfig({ ...REQUIRED, NODE_ENV: 'test' }), ...overrides };
}
