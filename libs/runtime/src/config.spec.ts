import { ConfigError, loadConfig } from './config.js';

const valid = {
  DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/rollsafe',
  REDIS_URL: 'redis://127.0.0.1:6379',
  ROLLSAFE_ADMIN_TOKEN: 'a'.repeat(40),
};

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('accepts a minimal environment and fills in defaults', () => {
    const config = loadConfig(valid);
    expect(config.port).toBe(3000);
    expect(config.rateLimitPerMinute).toBe(600);
    expect(config.outboundAllow).toEqual([]);
    expect(config.encryptionKey).toBeUndefined();
    expect(config.oldEncryptionKeys).toEqual([]);
    expect(config.allowInsecureKubeconfig).toBe(false);
    expect(config.minScheduleSeconds).toBe(300);
    expect(config).toMatchObject({ notifyMaxAttempts: 6, notifyBackoffMs: 5000, notifyMaxBackoffMs: 600_000, notifyTimeoutMs: 10_000 });
  });

  it('reads the schedule floor and the webhook retry settings, refusing bad ones by name', () => {
    const config = loadConfig({ ...valid, ROLLSAFE_MIN_SCHEDULE_SECONDS: '2', ROLLSAFE_NOTIFY_MAX_ATTEMPTS: '3', ROLLSAFE_NOTIFY_BACKOFF_MS: '50' });
    expect(config).toMatchObject({ minScheduleSeconds: 2, notifyMaxAttempts: 3, notifyBackoffMs: 50 });
    const text = problems({ ...valid, ROLLSAFE_MIN_SCHEDULE_SECONDS: '0', ROLLSAFE_NOTIFY_MAX_ATTEMPTS: 'many', ROLLSAFE_NOTIFY_TIMEOUT_MS: '5' }).join('\n');
    expect(text).toContain('ROLLSAFE_MIN_SCHEDULE_SECONDS');
    expect(text).toContain('ROLLSAFE_NOTIFY_MAX_ATTEMPTS');
    expect(text).toContain('ROLLSAFE_NOTIFY_TIMEOUT_MS');
  });

  it('reads rotated-out keys and the insecure-kubeconfig switch', () => {
    const old = Buffer.alloc(32, 9).toString('base64');
    const config = loadConfig({ ...valid, ROLLSAFE_ENCRYPTION_OLD_KEYS: `${'cd'.repeat(32)}, ${old}`, ROLLSAFE_ALLOW_INSECURE_KUBECONFIG: 'true' });
    expect(config.oldEncryptionKeys.map((key) => key.toString('hex'))).toEqual(['cd'.repeat(32), '09'.repeat(32)]);
    expect(config.allowInsecureKubeconfig).toBe(true);
    const text = problems({ ...valid, ROLLSAFE_ENCRYPTION_OLD_KEYS: 'old-secret-key', ROLLSAFE_ALLOW_INSECURE_KUBECONFIG: 'yes' }).join('\n');
    expect(text).toContain('ROLLSAFE_ENCRYPTION_OLD_KEYS');
    expect(text).toContain('ROLLSAFE_ALLOW_INSECURE_KUBECONFIG');
    expect(text).not.toContain('old-secret-key');
  });

  it('names every bad variable in one message, without echoing secrets', () => {
    const found = problems({
      DATABASE_URL: 'mysql://secret-password@db/x',
      REDIS_URL: 'nope',
      PORT: '70000',
      ROLLSAFE_ADMIN_TOKEN: 'short-secret',
      ROLLSAFE_ENCRYPTION_KEY: 'not-a-key',
      ROLLSAFE_OUTBOUND_ALLOW: '10.0.0.0/8,bogus',
    });
    const text = found.join('\n');
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'PORT', 'ROLLSAFE_ADMIN_TOKEN', 'ROLLSAFE_ENCRYPTION_KEY', 'ROLLSAFE_OUTBOUND_ALLOW']) {
      expect(text).toContain(name);
    }
    expect(text).toContain('got "70000"');
    expect(text).not.toContain('secret-password');
    expect(text).not.toContain('short-secret');
    expect(text).toContain('bogus');
  });

  it('says which required variables are missing', () => {
    const text = problems({}).join('\n');
    expect(text).toMatch(/DATABASE_URL .*not set/);
    expect(text).toMatch(/REDIS_URL .*not set/);
    expect(text).toMatch(/ROLLSAFE_ADMIN_TOKEN .*not set/);
  });

  it('requires an encryption key in production and decodes hex or base64 keys', () => {
    expect(problems({ ...valid, NODE_ENV: 'production' }).join('\n')).toContain('ROLLSAFE_ENCRYPTION_KEY');
    expect(loadConfig({ ...valid, ROLLSAFE_ENCRYPTION_KEY: 'ab'.repeat(32) }).encryptionKey).toHaveLength(32);
    expect(loadConfig({ ...valid, ROLLSAFE_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') }).encryptionKey).toHaveLength(32);
  });
});
