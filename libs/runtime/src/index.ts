export { loadConfig, loadConfigOrExit, ConfigError, APP_CONFIG, decodeKey, configSchema, type AppConfig } from './config.js';
export { createLogger, PinoNestLogger, requestContext, REDACTED_PATHS, type RequestContext } from './logger.js';
export { createRedis, redisOptionsFromUrl, redisAnswers, type RedisConnectionOptions } from './redis.js';
export { installShutdown } from './shutdown.js';
