// The port through which the webhook use cases send a message. libs/scans may not import
// libs/notify (notify sits above it), so the apps bind this to libs/notify's builders and
// `deliver` under the outbound policy.

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
