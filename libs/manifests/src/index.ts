export { parseManifests, type ManifestInput, type ParseResult } from './parse.js';
export { DEFAULT_LIMITS, CLI_LIMITS, type ManifestLimits } from './limits.js';
export { formatManifestError, type ManifestError, type ManifestErrorCode } from './errors.js';
export { readManifestPaths, type ReadResult } from './read-paths.js';
