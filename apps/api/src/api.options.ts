import type { AppConfig } from '#rollsafe/runtime';
import type { ScansConfig } from '#rollsafe/scans';

/** What the API reads from the validated configuration (libs/runtime's AppConfig). */
export type ApiOptions = Pick<
  AppConfig,
  | 'databaseUrl'
  | 'databasePoolSize'
  | 'redisUrl'
  | 'queuePrefix'
  | 'adminToken'
  | 'rateLimitPerMinute'
  | 'docsBaseUrl'
  | 'nodeEnv'
  | 'graphqlBudgetPerMinute'
  | 'orgMaxInFlight'
> &
  ScansConfig;

export const API_OPTIONS = Symbol('API_OPTIONS');
