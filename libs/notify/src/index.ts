export * from './model.js';
export { atOrAbove, compareFindings, selectChanges, severityRank } from './select.js';
export { buildDigest, fitDigest, groupByResource, LIMIT_LEVELS, type Digest, type DigestLimits, type DigestSection, type ResourceGroup } from './digest.js';
export * from './formatters/index.js';
export { dingTalkSignature, dingTalkSignedUrl, feishuSignature, genericSignature, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './signing.js';
export { buildRequest, buildTestRequest, USER_AGENT, type BuildOptions } from './request.js';
export { deliver, describeWebhookUrl, type DeliverOptions, type ResolvedAddress } from './deliver.js';
export { interpretResponse, parseRetryAfter } from './response.js';
export { DeliveryFailedError, nextRetry, notificationBackoff, type RetryDecision, type RetryPolicy } from './retry.js';
