import type { AppConfig } from '#rollsafe/runtime';

/** What the API module needs from the configuration. */
export type ApiOptions = Pick<
  AppConfig,
  'databaseUrl' | 'redisUrl' | 'queuePrefix' | 'adminToken' | 'rateLimitPerMinute' | 'docsBaseUrl' | 'nodeEnv'
>;

export const API_OPTIONS = Symbol('API_OPTIONS');
