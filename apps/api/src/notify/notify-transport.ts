// libs/scans' webhook port bound to libs/notify: the test message of `POST /webhooks/:id/test`,
// sent once under the outbound policy (the connection goes to the address that was checked).
import { buildTestRequest, deliver } from '#rollsafe/notify';
import { WebhookTransport, webhookAddressResolver, type AttemptRecord, type OpenWebhook, type ScansOptions } from '#rollsafe/scans';

export class NotifyTransport extends WebhookTransport {
  private readonly resolveTarget: (host: string) => Promise<{ address: string; family: 4 | 6 }>;
  private readonly timeoutMs: number;

  constructor(options: ScansOptions) {
    super();
    this.resolveTarget = webhookAddressResolver(options.outboundAllow ?? []);
    this.timeoutMs = options.notifyTimeoutMs ?? 10_000;
  }

  sendTest(webhook: OpenWebhook, organization: { id: string; name: string }): Promise<AttemptRecord> {
    return deliver(buildTestRequest(webhook, organization), { resolveTarget: this.resolveTarget, timeoutMs: this.timeoutMs });
  }
}
