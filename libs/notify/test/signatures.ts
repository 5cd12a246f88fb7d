import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The platforms' signature checks, re-implemented here from their docs (not from src/), the
 * way each receiving side computes them.
 */

/** DingTalk: HmacSHA256(key=secret, msg=`${timestamp}\n${secret}`), Base64, URL-encoded in the query. */
export function dingTalkVerifies(secret: string, query: URLSearchParams, nowMs: number): boolean {
  const timestamp = query.get('timestamp');
  const sign = query.get('sign'); // URLSearchParams decodes it back to Base64
  if (!timestamp || !sign) return false;
  if (Math.abs(nowMs - Number(timestamp)) > 60 * 60 * 1000) return false;
  const mac = createHmac('sha256', secret);
  mac.update(`${timestamp}\n${secret}`);
  return mac.digest('base64') === sign;
}

/** Feishu: HmacSHA256(key=`${timestamp}\n${secret}`, msg=empty), Base64, in the body. */
export function feishuVerifies(secret: string, body: unknown, nowSeconds: number): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const { timestamp, sign } = body as { timestamp?: unknown; sign?: unknown };
  if (typeof timestamp !== 'string' || typeof sign !== 'string') return false;
  if (Math.abs(nowSeconds - Number(timestamp)) > 60 * 60) return false;
  const mac = createHmac('sha256', `${timestamp}\n${secret}`);
  mac.update('');
  return mac.digest('base64') === sign;
}

/** Generic: `sha256=` + hex HmacSHA256(secret, raw body), compared in constant time. */
export function genericVerifies(secret: string, rawBody: Buffer, header: string | string[] | undefined): boolean {
  if (typeof header !== 'string' || !header.startsWith('sha256=')) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(rawBody).digest('hex'), 'utf8');
  const given = Buffer.from(header.slice('sha256='.length), 'utf8');
  return expected.length === given.length && timingSafeEqual(expected, given);
}
