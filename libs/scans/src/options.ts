import type { RetryPolicy } from '#rollsafe/notify';

export interface ScansOptions {
  /** Base of the rule pages linked from findings. */
  docsBaseUrl?: string;
  /** ROLLSAFE_ENCRYPTION_KEY: seals cluster credentials. Without it clusters cannot be registered. */
  encryptionKey?: Uint8Array;
  /** ROLLSAFE_ENCRYPTION_OLD_KEYS: rotated-out keys, to open what they sealed. */
  oldEncryptionKeys?: Uint8Array[];
  /** ROLLSAFE_OUTBOUND_ALLOW: which private, loopback or listed ranges API servers may be in. */
  outboundAllow?: string[];
  /** ROLLSAFE_ALLOW_INSECURE_KUBECONFIG: accept `insecure-skip-tls-verify: true`. */
  allowInsecureKubeconfig?: boolean;
  /** Per request to an API server; default 30 s. */
  kubeRequestTimeoutMs?: number;
  /** The first wait before retrying an API server request during a scan (each further one doubles); default 250 ms. */
  kubeRetryBaseDelayMs?: number;
  /** ROLLSAFE_MIN_SCHEDULE_SECONDS: the shortest schedule period; default 300. */
  minScheduleSeconds?: number;
  /** Webhook deliveries: attempts in all and the backoff (ROLLSAFE_NOTIFY_*); default libs/notify's DEFAULT_RETRY_POLICY. */
  notifyRetry?: RetryPolicy;
  /** ROLLSAFE_NOTIFY_TIMEOUT_MS: one webhook request (the test message too); default 10 s. */
  notifyTimeoutMs?: number;
}

export const SCANS_OPTIONS = Symbol('SCANS_OPTIONS');

/** The settings both apps read from their configuration and hand to ScansModule as they are. */
export interface ScansSettings {
  docsBaseUrl?: string | undefined;
  encryptionKey?: Uint8Array | undefined;
  oldEncryptionKeys?: Uint8Array[] | undefined;
  outboundAllow?: string[] | undefined;
  allowInsecureKubeconfig?: boolean | undefined;
  minScheduleSeconds?: number | undefined;
}

/** ScansOptions from an app's settings: what is unset stays out (or empty, or false). */
export function scansOptionsFrom(settings: ScansSettings): ScansOptions {
  return {
    ...(settings.docsBaseUrl ? { docsBaseUrl: settings.docsBaseUrl } : {}),
    ...(settings.encryptionKey ? { encryptionKey: settings.encryptionKey } : {}),
    oldEncryptionKeys: settings.oldEncryptionKeys ?? [],
    outboundAllow: settings.outboundAllow ?? [],
    allowInsecureKubeconfig: settings.allowInsecureKubeconfig === true,
    ...(settings.minScheduleSeconds !== undefined ? { minScheduleSeconds: settings.minScheduleSeconds } : {}),
  };
}
