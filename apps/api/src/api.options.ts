import type { AppConfig } from '#rollsafe/runtime';

/** What the API module needs from the configuration. */
export type ApiOptions = Pick<AppConfig, 'databaseUrl' | 'redisUrl' | 'queuePrefix' | 'adminToken' | 'rateLimitPerMinute' | 'docsBaseUrl' | 'nodeEnv'> &
  /** Cluster registration: sealing credentials, which API server addresses may be reached, insecure TLS. */
  Partial<Pick<AppConfig, 'encryptionKey' | 'oldEncryptionKeys' | 'outboundAllow' | 'allowInsecureKubeconfig'>> &
  /** Schedules' floor; the webhook test message's timeout. */
  Partial<Pick<AppConfig, 'minScheduleSeconds' | 'notifyTimeoutMs'>>;

export const API_OPTIONS = Symbol('API_OPTIONS');
