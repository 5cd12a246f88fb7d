// The port through which the webhook use cases send a message. libs/scans may not import
// libs/notify (notify sits above it), so the apps bind this to libs/notify's builders and
// `deliver` under the outbound policy.
import { KubeError, OutboundPolicy } from '#rollsafe/kube';

export type WebhookKindName = 'slack' | 'dingtalk' | 'feishu' | 'wecom' | 'teams' | 'generic';
export type SeverityName = 'critical' | 'warning' | 'info';

/** What a delivery needs: opened from the sealed row just before sending. Never log it. */
export interface OpenWebhook {
  kind: WebhookKindName;
  url: string;
  secret?: string;
  minSeverity: SeverityName;
}

/** What one attempt did (libs/notify's DeliveryAttempt): no URL, no secret. */
export interface AttemptRecord {
  ok: boolean;
  status?: number;
  code?: number | string;
  error?: string;
  durationMs: number;
  retryable: boolean;
  retryAfterMs?: number;
}

export abstract class WebhookTransport {
  /** Sends the sample message of `POST /webhooks/:id/test` once (no retry). */
  abstract sendTest(webhook: OpenWebhook, organization: { id: string; name: string }): Promise<AttemptRecord>;
}

/**
 * The outbound policy as libs/notify's `resolveTarget`: every address the host resolves to is
 * checked, and the one returned is the one connected to. Refusals and lookup failures come
 * back as plain errors with the policy's message (e.g. "10.0.0.5 is a private address (allow
 * it with ROLLSAFE_OUTBOUND_ALLOW)" or "cannot resolve hooks.example.com: ENOTFOUND"), without
 * the cluster-oriented code libs/kube gives them.
 */
export function webhookAddressResolver(outboundAllow: readonly string[]): (host: string) => Promise<{ address: string; family: 4 | 6 }> {
  const policy = new OutboundPolicy(outboundAllow);
  return async (host) => {
    try {
      return await policy.resolve(host);
    } catch (error) {
      if (error instanceof KubeError) throw new Error(error.message);
      throw error;
    }
  };
}
