// Configuration from the environment, validated once at start-up. A bad variable stops the
// process with one line per problem that names the variable (never echoing a secret).
import { z } from 'zod';

const SECRET_VARIABLES = new Set(['ROLLSAFE_ADMIN_TOKEN', 'ROLLSAFE_ENCRYPTION_KEY', 'ROLLSAFE_ENCRYPTION_OLD_KEYS', 'DATABASE_URL', 'REDIS_URL']);

function urlWithProtocols(protocols: string[], example: string) {
  return z.string({ error: `is required (e.g. ${example})` }).refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')} (e.g. ${example})` },
  );
}

function integer(name: string, min: number, max: number, fallback: number) {
  return z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return fallback;
      const parsed = /^\d+$/.test(value) ? Number(value) : NaN;
      if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
        ctx.addIssue({ code: 'custom', message: `must be an integer from ${min} to ${max}` });
        return z.NEVER;
      }
      return parsed;
    })
    .describe(name);
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
export const OUTBOUND_KEYWORDS = ['loopback', 'private'] as const;

function isCidr(entry: string): boolean {
  const match = CIDR.exec(entry);
  if (!match) return /^[0-9a-f:]+\/\d{1,3}$/i.test(entry) && Number(entry.split('/')[1]) <= 128;
  const parts = match.slice(1, 5).map(Number);
  return parts.every((part) => part <= 255) && Number(match[5]) <= 32;
}

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: urlWithProtocols(['postgresql:', 'postgres:'], 'postgresql://postgres@127.0.0.1:5432/rollsafe'),
  REDIS_URL: urlWithProtocols(['redis:', 'rediss:'], 'redis://127.0.0.1:6379'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: integer('PORT', 1, 65535, 3000),
  ROLLSAFE_ADMIN_TOKEN: z
    .string({ error: 'is required: a random string of at least 32 characters (e.g. `openssl rand -hex 32`)' })
    .min(32, { message: 'must be at least 32 characters (e.g. `openssl rand -hex 32`)' }),
  ROLLSAFE_ENCRYPTION_KEY: z
    .string()
    .optional()
    .refine((value) => value === undefined || value === '' || decodeKey(value) !== undefined, {
      message: 'must be 32 bytes, as 64 hex characters or base64 (e.g. `openssl rand -base64 32`)',
    }),
  ROLLSAFE_ENCRYPTION_OLD_KEYS: z
    .string()
    .optional()
    .refine((value) => splitList(value).every((key) => decodeKey(key) !== undefined), {
      message: 'must be a comma-separated list of 32-byte keys (64 hex characters or base64), the keys rotated out',
    }),
  ROLLSAFE_ALLOW_INSECURE_KUBECONFIG: z
    .enum(['true', 'false', '1', '0', ''], { message: 'must be true or false' })
    .optional()
    .transform((value) => value === 'true' || value === '1'),
  ROLLSAFE_OUTBOUND_ALLOW: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const entries = (value ?? '')
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean);
      const bad = entries.filter((entry) => !(OUTBOUND_KEYWORDS as readonly string[]).includes(entry) && !isCidr(entry));
      if (bad.length > 0) {
        ctx.addIssue({ code: 'custom', message: `must be a comma-separated list of CIDRs, "loopback" or "private"; not: ${bad.join(', ')}` });
        return z.NEVER;
      }
      return entries;
    }),
  ROLLSAFE_RATE_LIMIT_PER_MINUTE: integer('ROLLSAFE_RATE_LIMIT_PER_MINUTE', 1, 1_000_000, 600),
  ROLLSAFE_WORKER_CONCURRENCY: integer('ROLLSAFE_WORKER_CONCURRENCY', 1, 64, 2),
  ROLLSAFE_WORKER_LOCK_MS: integer('ROLLSAFE_WORKER_LOCK_MS', 100, 600_000, 15_000),
  ROLLSAFE_WORKER_STALLED_INTERVAL_MS: integer('ROLLSAFE_WORKER_STALLED_INTERVAL_MS', 100, 600_000, 10_000),
  ROLLSAFE_RECONCILE_INTERVAL_MS: integer('ROLLSAFE_RECONCILE_INTERVAL_MS', 100, 3_600_000, 30_000),
  ROLLSAFE_SCAN_TIMEOUT_MS: integer('ROLLSAFE_SCAN_TIMEOUT_MS', 100, 3_600_000, 300_000),
  ROLLSAFE_SCAN_MEMORY_MB: integer('ROLLSAFE_SCAN_MEMORY_MB', 64, 65_536, 1024),
  ROLLSAFE_UPLOAD_RETENTION_DAYS: integer('ROLLSAFE_UPLOAD_RETENTION_DAYS', 0, 36_500, 30),
  ROLLSAFE_GRAPHQL_BUDGET_PER_MINUTE: integer('ROLLSAFE_GRAPHQL_BUDGET_PER_MINUTE', 1, 100_000_000, 200_000),
  ROLLSAFE_ORG_MAX_IN_FLIGHT: integer('ROLLSAFE_ORG_MAX_IN_FLIGHT', 1, 10_000, 16),
  ROLLSAFE_DATABASE_POOL_SIZE: integer('ROLLSAFE_DATABASE_POOL_SIZE', 1, 200, 10),
  ROLLSAFE_SHUTDOWN_TIMEOUT_MS: integer('ROLLSAFE_SHUTDOWN_TIMEOUT_MS', 0, 600_000, 25_000),
  ROLLSAFE_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, { message: 'must be 1-64 letters, digits, "_" or "-"' })
    .default('rollsafe'),
  ROLLSAFE_MIN_SCHEDULE_SECONDS: integer('ROLLSAFE_MIN_SCHEDULE_SECONDS', 1, 86_400, 300),
  ROLLSAFE_NOTIFY_MAX_ATTEMPTS: integer('ROLLSAFE_NOTIFY_MAX_ATTEMPTS', 1, 20, 6),
  ROLLSAFE_NOTIFY_BACKOFF_MS: integer('ROLLSAFE_NOTIFY_BACKOFF_MS', 1, 3_600_000, 5_000),
  ROLLSAFE_NOTIFY_MAX_BACKOFF_MS: integer('ROLLSAFE_NOTIFY_MAX_BACKOFF_MS', 1, 86_400_000, 600_000),
  ROLLSAFE_NOTIFY_MAX_RETRY_AFTER_MS: integer('ROLLSAFE_NOTIFY_MAX_RETRY_AFTER_MS', 0, 86_400_000, 3_600_000),
  ROLLSAFE_NOTIFY_TIMEOUT_MS: integer('ROLLSAFE_NOTIFY_TIMEOUT_MS', 100, 120_000, 10_000),
  ROLLSAFE_DOCS_BASE_URL: z.url({ message: 'must be an http(s) URL' }).optional(),
  ROLLSAFE_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type RawConfig = z.output<typeof configSchema>;

export interface AppConfig {
  nodeEnv: RawConfig['NODE_ENV'];
  databaseUrl: string;
  redisUrl: string;
  host: string;
  port: number;
  adminToken: string;
  encryptionKey: Buffer | undefined;
  /** Keys rotated out: still decrypt what they encrypted (re-encrypted with encryptionKey on use). */
  oldEncryptionKeys: Buffer[];
  /** Operator setting: accept kubeconfigs with `insecure-skip-tls-verify: true`. */
  allowInsecureKubeconfig: boolean;
  outboundAllow: string[];
  rateLimitPerMinute: number;
  workerConcurrency: number;
  /** How long a worker's job lock lives without renewal: a dead worker's job reruns after about this. */
  workerLockDurationMs: number;
  workerStalledIntervalMs: number;
  /** How often a worker compares unfinished scans (and promised notifications) with the queue. */
  reconcileIntervalMs: number;
  /** Per-scan budget: the advisor step's deadline and its heap, past which the scan fails. */
  scanTimeoutMs: number;
  scanMemoryMb: number;
  /** Days an uploaded manifest is kept after its scan finished (0: deleted when it finishes). */
  uploadRetentionDays: number;
  /** GraphQL complexity an organization may spend per minute (across every API process). */
  graphqlBudgetPerMinute: number;
  /** Requests of one organization one API process serves at once (then 429 at once). */
  orgMaxInFlight: number;
  /** Postgres connections per API process (a worker uses concurrency x 2 + 4). */
  databasePoolSize: number;
  shutdownTimeoutMs: number;
  queuePrefix: string;
  docsBaseUrl: string | undefined;
  /** The shortest `everySeconds` (and cron period) a schedule may have. */
  minScheduleSeconds: number;
  /** Webhook delivery: attempts in all, the first retry's delay, the longest delay, per-attempt timeout. */
  notifyMaxAttempts: number;
  notifyBackoffMs: number;
  notifyMaxBackoffMs: number;
  /** A receiver asking to wait longer than this (Retry-After) is given up on. */
  notifyMaxRetryAfterMs: number;
  notifyTimeoutMs: number;
  logLevel: RawConfig['ROLLSAFE_LOG_LEVEL'];
}

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}

export function decodeKey(value: string): Buffer | undefined {
  if (/^[0-9a-f]{64}$/i.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/]{43}=?$/.test(value)) {
    const bytes = Buffer.from(value, 'base64');
    return bytes.length === 32 ? bytes : undefined;
  }
  return undefined;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the environment; throws ConfigError listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '(environment)');
      const raw = env[name];
      const shown = raw === undefined ? 'not set' : SECRET_VARIABLES.has(name) ? 'value hidden' : `got ${JSON.stringify(raw)}`;
      return `${name} ${issue.message} (${shown})`;
    });
    throw new ConfigError(problems);
  }
  const raw = result.data;
  const problems: string[] = [];
  const encryptionKey = raw.ROLLSAFE_ENCRYPTION_KEY ? decodeKey(raw.ROLLSAFE_ENCRYPTION_KEY) : undefined;
  if (raw.NODE_ENV === 'production' && !encryptionKey) {
    problems.push('ROLLSAFE_ENCRYPTION_KEY is required when NODE_ENV=production (e.g. `openssl rand -base64 32`) (not set)');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    nodeEnv: raw.NODE_ENV,
    databaseUrl: raw.DATABASE_URL,
    redisUrl: raw.REDIS_URL,
    host: raw.HOST,
    port: raw.PORT,
    adminToken: raw.ROLLSAFE_ADMIN_TOKEN,
    encryptionKey,
    oldEncryptionKeys: splitList(raw.ROLLSAFE_ENCRYPTION_OLD_KEYS).flatMap((key) => decodeKey(key) ?? []),
    allowInsecureKubeconfig: raw.ROLLSAFE_ALLOW_INSECURE_KUBECONFIG,
    outboundAllow: raw.ROLLSAFE_OUTBOUND_ALLOW,
    rateLimitPerMinute: raw.ROLLSAFE_RATE_LIMIT_PER_MINUTE,
    workerConcurrency: raw.ROLLSAFE_WORKER_CONCURRENCY,
    workerLockDurationMs: raw.ROLLSAFE_WORKER_LOCK_MS,
    workerStalledIntervalMs: raw.ROLLSAFE_WORKER_STALLED_INTERVAL_MS,
    reconcileIntervalMs: raw.ROLLSAFE_RECONCILE_INTERVAL_MS,
    scanTimeoutMs: raw.ROLLSAFE_SCAN_TIMEOUT_MS,
    scanMemoryMb: raw.ROLLSAFE_SCAN_MEMORY_MB,
    uploadRetentionDays: raw.ROLLSAFE_UPLOAD_RETENTION_DAYS,
    graphqlBudgetPerMinute: raw.ROLLSAFE_GRAPHQL_BUDGET_PER_MINUTE,
    orgMaxInFlight: raw.ROLLSAFE_ORG_MAX_IN_FLIGHT,
    databasePoolSize: raw.ROLLSAFE_DATABASE_POOL_SIZE,
    shutdownTimeoutMs: raw.ROLLSAFE_SHUTDOWN_TIMEOUT_MS,
    queuePrefix: raw.ROLLSAFE_QUEUE_PREFIX,
    docsBaseUrl: raw.ROLLSAFE_DOCS_BASE_URL,
    minScheduleSeconds: raw.ROLLSAFE_MIN_SCHEDULE_SECONDS,
    notifyMaxAttempts: raw.ROLLSAFE_NOTIFY_MAX_ATTEMPTS,
    notifyBackoffMs: raw.ROLLSAFE_NOTIFY_BACKOFF_MS,
    notifyMaxBackoffMs: raw.ROLLSAFE_NOTIFY_MAX_BACKOFF_MS,
    notifyMaxRetryAfterMs: raw.ROLLSAFE_NOTIFY_MAX_RETRY_AFTER_MS,
    notifyTimeoutMs: raw.ROLLSAFE_NOTIFY_TIMEOUT_MS,
    logLevel: raw.ROLLSAFE_LOG_LEVEL,
  };
}

/** Nest injection token for AppConfig. */
export const APP_CONFIG = Symbol('APP_CONFIG');

/** For an app's entry point: the validated config, or the bad variables on stderr and exit 2. */
export function loadConfigOrExit(app: string, env: NodeJS.ProcessEnv = process.env): AppConfig {
  try {
    return loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`rollsafe ${app}: ${error.message}\n`);
    process.exit(2);
  }
}
