export { loadConfig, loadConfigOrExit, ConfigError, APP_CONFIG, decodeKey, configSchema, type AppConfig } from './config.js';
export { createLogger, PinoNestLogger, requestContext, REDACTED_PATHS, type RequestContext } from './logger.js';
export { createRedis, createFailFastRedis, redisOptionsFromUrl, redisAnswers, type RedisConnectionOptions } from './redis.js';
export { installShutdown } from './shutdown.js';
export { isOutage, retryThroughOutage, withDeadline, OutageError, OUTAGE_RETRY_AFTER_SECONDS } from './outage.js';
