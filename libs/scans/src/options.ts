import type { RetryPolicy } from '#rollsafe/notify';
import type { AppConfig } from '#rollsafe/runtime';

/**
 * What the scan use cases read from the validated configuration (libs/runtime's AppConfig,
 * where every default is stated), plus two tuning knobs of libs/kube for tests (absent: the
 * library's own defaults).
 */
export type ScansConfig = Pick<
  AppConfig,
  | 'docsBaseUrl'
  | 'encryptionKey'
  | 'oldEncryptionKeys'
  | 'outboundAllow'
  | 'allowInsecureKubeconfig'
  | 'minScheduleSeconds'
  | 'notifyMaxAttempts'
  | 'notifyBackoffMs'
  | 'notifyMaxBackoffMs'
  | 'notifyMaxRetryAfterMs'
  | 'notifyTimeoutMs'
  | 'reconcileIntervalMs'
  | 'uploadRetentionDays'
  | 'scanTimeoutMs'
  | 'scanMemoryMb'
> & {
  /** Per request to an API server (libs/kube's default otherwise). */
  kubeRequestTimeoutMs?: number;
  /** The first wait before retrying an API server request during a scan (libs/kube's default otherwise). */
  kubeRetryBaseDelayMs?: number;
};

export const SCANS_CONFIG = Symbol('SCANS_CONFIG');

/** Webhook deliveries' retry policy: the one place the attempt limit comes from. */
export function retryPolicyOf(config: ScansConfig): RetryPolicy {
  return {
    maxAttempts: config.notifyMaxAttempts,
    baseDelayMs: config.notifyBackoffMs,
    maxDelayMs: config.notifyMaxBackoffMs,
    maxRetryAfterMs: config.notifyMaxRetryAfterMs,
  };
}
