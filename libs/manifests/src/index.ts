export { parseManifests, buildSnapshot, type ParseResult } from './parse.js';
export { parseManifestText, type ManifestInput, type ParsedText, type ParsedDocument, type ParseTextOptions } from './parse-text.js';
export { DEFAULT_LIMITS, CLI_LIMITS, type ManifestLimits } from './limits.js';
export { formatManifestError, type ManifestError, type ManifestErrorCode } from './errors.js';
export { readManifestPaths, type ReadResult } from './read-paths.js';
export { parseManifestsParallel, type ParallelOptions } from './parallel.js';
export { splitDocuments, type DocumentSpan } from './split.js';
export { looksLikeJson, type BudgetedParse } from './parse-text.js';
export { inputLength, parsePart, type PartOfInput } from './parted-input.js';
