import { createHmac } from 'node:crypto';

/**
 * DingTalk custom robot, "加签" (sign) security setting: the string to sign is
 * `${timestamp}\n${secret}`, HMAC-SHA256 keyed with the secret, Base64, then URL-encoded;
 * `timestamp` is in milliseconds and must be within an hour of DingTalk's clock. Both go into
 * the webhook URL as the `timestamp` and `sign` query parameters.
 * Source: DingTalk open platform, custom robot security settings
 * (https://open.dingtalk.com/document/robots/customize-robot-security-settings; Java and
 * Python examples: hmac.new(secret, f"{timestamp}\n{secret}", sha256), quote_plus(b64)).
 */
export function dingTalkSignature(secret: string, timestampMs: number): { timestamp: string; sign: string } {
  const timestamp = String(timestampMs);
  const digest = createHmac('sha256', Buffer.from(secret, 'utf8'))
    .update(Buffer.from(`${timestamp}\n${secret}`, 'utf8'))
    .digest('base64');
  return { timestamp, sign: encodeURIComponent(digest) };
}

/** The webhook URL with DingTalk's `timestamp` and `sign` query parameters added. */
export function dingTalkSignedUrl(url: string, secret: string, timestampMs: number): string {
  const { timestamp, sign } = dingTalkSignature(secret, timestampMs);
  const parsed = new URL(url);
  parsed.searchParams.delete('timestamp');
  parsed.searchParams.delete('sign');
  const base = parsed.toString();
  // `sign` is already URL-encoded (as DingTalk's examples do); append it as is.
  return `${base}${parsed.search ? '&' : '?'}timestamp=${timestamp}&sign=${sign}`;
}

/**
 * Feishu / Lark custom bot, "签名校验" (signature verification): the string
 * `${timestamp}\n${secret}` is the HMAC-SHA256 KEY, the message is empty, and the result is
 * Base64-encoded; `timestamp` is in seconds and must be within an hour of Feishu's clock. Both
 * go into the JSON body as `timestamp` and `sign`.
 * Source: Feishu open platform, custom bot guide
 * (https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot, "签名校验"; Python example:
 * hmac.new(f"{timestamp}\n{secret}".encode(), b"", sha256), base64).
 */
export function feishuSignature(secret: string, timestampSeconds: number): { timestamp: string; sign: string } {
  const timestamp = String(timestampSeconds);
  const sign = createHmac('sha256', Buffer.from(`${timestamp}\n${secret}`, 'utf8'))
    .update(Buffer.alloc(0))
    .digest('base64');
  return { timestamp, sign };
}

export const SIGNATURE_HEADER = 'X-Rollsafe-Signature';
export const TIMESTAMP_HEADER = 'X-Rollsafe-Timestamp';

/**
 * Rollsafe's generic webhook signature: `sha256=` + hex HMAC-SHA256 keyed with the secret over
 * the raw request body, byte for byte as sent. The timestamp header is NOT part of the signed
 * content (the body alone is signed, as GitHub-style receivers expect); a receiver that wants
 * replay protection can rely on the signed `scan.id` and `scan.finishedAt` in the body.
 */
export function genericSignature(secret: string, rawBody: Buffer): string {
  return `sha256=${createHmac('sha256', Buffer.from(secret, 'utf8')).update(rawBody).digest('hex')}`;
}
