// libs/scans' webhook port bound to libs/notify: the test message of `POST /webhooks/:id/test`,
// sent once under the outbound policy (the connection goes to the address that was checked).
import { OutboundPolicy } from '#rollsafe/kube';
import { buildTestRequest, deliver } from '#rollsafe/notify';
import { WebhookTransport, type AttemptRecord, type OpenWebhook, type ScansOptions } from '#rollsafe/scans';

export class NotifyTransport extends WebhookTransport {
  private readonly outbound: OutboundPolicy;
  private readonly timeoutMs: number;

  constructor(options: ScansOptions) {
    super();
    this.outbound = new OutboundPolicy(options.outboundAllow ?? []);
    this.timeoutMs = options.notifyTimeoutMs ?? 10_000;
  }

  sendTest(webhook: OpenWebhook, organization: { id: string; name: string }): Promise<AttemptRecord> {
    return deliver(buildTestRequest(webhook, organization), { resolveTarget: (host) => this.outbound.resolve(host), timeoutMs: this.timeoutMs });
  }
}
