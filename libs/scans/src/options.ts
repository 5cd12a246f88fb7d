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
}

export const SCANS_OPTIONS = Symbol('SCANS_OPTIONS');
