import { formatPayload } from './formatters/index.js';
import type { ChangeSet, OutgoingRequest, WebhookTarget } from './model.js';
import { selectChanges } from './select.js';
import { dingTalkSignedUrl, feishuSignature, genericSignature, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './signing.js';

export const USER_AGENT = 'Rollsafe-Notify/1';

export interface BuildOptions {
  /** The clock, for signature timestamps. Defaults to now. */
  now?: Date;
}

/**
 * The request for one webhook: selects the changes at or above its minimum severity, formats
 * the platform's native payload and signs it. Returns null when there is nothing to send.
 * Build a fresh request for every attempt: DingTalk and Feishu refuse signatures older than an
 * hour, and a retry can come later than that.
 */
export function buildRequest(target: WebhookTarget, changeSet: ChangeSet, options: BuildOptions = {}): OutgoingRequest | null {
  const changes = selectChanges(changeSet, target.minSeverity);
  if (!changes) return null;
  return signedRequest(target, changes, options.now ?? new Date());
}

/**
 * A sample message for `POST /webhooks/:id/test`: one critical finding, so that it passes any
 * minimum severity, clearly labelled as a test.
 */
export function buildTestRequest(target: WebhookTarget, organization: ChangeSet['organization'], options: BuildOptions = {}): OutgoingRequest {
  const now = options.now ?? new Date();
  const changes: ChangeSet = {
    organization,
    scan: { id: 'test', finishedAt: now.toISOString() },
    new: [
      {
        ruleId: 'rollsafe-test-message',
        severity: 'critical',
        resource: { kind: 'Webhook', namespace: '', name: 'test' },
        message: 'This is a test message from Rollsafe: the webhook is reachable and the payload is accepted.',
        docs: 'https://rollsafe.io/docs/notifications',
        fingerprint: 'test',
      },
    ],
    resolved: [],
  };
  return signedRequest(target, changes, now);
}

function signedRequest(target: WebhookTarget, changes: ChangeSet, now: Date): OutgoingRequest {
  const payload: object = formatPayload(target.kind, changes);
  const headers: Record<string, string> = { 'Content-Type': 'application/json; charset=utf-8', 'User-Agent': USER_AGENT };
  let url = target.url;
  let json: object = payload;
  if (target.secret) {
    if (target.kind === 'dingtalk') url = dingTalkSignedUrl(target.url, target.secret, now.getTime());
    if (target.kind === 'feishu') json = { ...feishuSignature(target.secret, Math.floor(now.getTime() / 1000)), ...payload };
  }
  const body = Buffer.from(JSON.stringify(json), 'utf8');
  if (target.kind === 'generic') {
    headers[TIMESTAMP_HEADER] = String(Math.floor(now.getTime() / 1000));
    if (target.secret) headers[SIGNATURE_HEADER] = genericSignature(target.secret, body);
  }
  headers['Content-Length'] = String(body.length);
  return { kind: target.kind, url, headers, body };
}
