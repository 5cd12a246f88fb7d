import type { DeliveryAttempt, WebhookKind } from './model.js';

/**
 * How each platform says yes or no. Several answer HTTP 200 with an error in the body, so the
 * status alone is not enough:
 * - DingTalk: `{"errcode": 0, "errmsg": "ok"}`; 130101 "send too fast" (more than 20 messages a
 *   minute; the robot is then limited for 10 minutes). DingTalk custom robot docs, "消息发送频率限制".
 * - Feishu: `{"code": 0, "msg": "success"}` (older bots: `StatusCode`); 9499 and 11232 are rate
 *   limits (100 a minute, 5 a second); 19021 is a bad signature. Feishu custom bot guide, "常见问题".
 * - WeCom: `{"errcode": 0, "errmsg": "ok"}`; 45009 "api freq out of limit" (20 messages a minute).
 * - Slack: incoming webhooks answer `ok` (text) or a 4xx with the error as text; Web API style
 *   endpoints answer 200 with `{"ok": false, "error": "..."}` ("ratelimited" is a rate limit).
 * - Teams: Workflows answer 202; legacy connectors may answer 200 with
 *   "Microsoft Teams endpoint returned HTTP error 429" in the body instead of a 429
 *   (msteams-docs, connectors-using.md, "Rate limiting for connectors").
 */

/** Body codes that mean "slow down": retryable, after this long when the platform says. */
const RATE_LIMIT_CODES: Partial<Record<WebhookKind, Map<number | string, number>>> = {
  dingtalk: new Map([[130101, 10 * 60_000]]),
  feishu: new Map([
    [9499, 60_000],
    [11232, 60_000],
  ]),
  wecom: new Map([[45009, 60_000]]),
  slack: new Map([['ratelimited', 60_000]]),
};

export type ResponseVerdict = Omit<DeliveryAttempt, 'durationMs'>;

export function interpretResponse(kind: WebhookKind, status: number, retryAfterHeader: string | undefined, body: string, nowMs: number): ResponseVerdict {
  const retryAfterMs = parseRetryAfter(retryAfterHeader, nowMs);
  const platform = platformResult(kind, body);
  const base = { status, ...(platform?.code !== undefined ? { code: platform.code } : {}) };

  if (platform && platform.failed) {
    const cooldown = RATE_LIMIT_CODES[kind]?.get(platform.code);
    const rateLimited = cooldown !== undefined || status === 429;
    const wait = retryAfterMs ?? cooldown;
    return {
      ...base,
      ok: false,
      error: `${kind} ${platform.field} ${platform.code}${platform.message ? `: ${platform.message}` : ''}${rateLimited ? ' (rate limited)' : ''}`,
      retryable: rateLimited || status >= 500,
      ...(rateLimited && wait !== undefined ? { retryAfterMs: wait } : {}),
    };
  }
  if (status >= 200 && status < 300) {
    if (kind === 'teams' && /HTTP error 429/i.test(body)) {
      return {
        ...base,
        ok: false,
        error: 'teams endpoint returned HTTP error 429 in the body (rate limited)',
        retryable: true,
        retryAfterMs: retryAfterMs ?? 1000,
      };
    }
    return { ...base, ok: true, retryable: false };
  }
  const detail = statusDetail(body);
  if (status === 429) return { ...base, ok: false, error: `HTTP 429${detail}`, retryable: true, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  if (status >= 500) return { ...base, ok: false, error: `HTTP ${status}${detail}`, retryable: true, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  if (status >= 300 && status < 400) return { ...base, ok: false, error: `HTTP ${status} (redirects are not followed)`, retryable: false };
  return { ...base, ok: false, error: `HTTP ${status}${detail}`, retryable: false };
}

/**
 * Retry-After as delta-seconds or an HTTP date (RFC 9110, section 10.2.3), in milliseconds
 * from now; undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

interface PlatformResult {
  failed: boolean;
  field: string;
  code: number | string;
  message?: string;
}

function platformResult(kind: WebhookKind, body: string): PlatformResult | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const json = parsed as Record<string, unknown>;
  const message = (value: unknown) => (typeof value === 'string' && value ? value.slice(0, 200) : undefined);
  const numeric = (field: string, msgField: string): PlatformResult | undefined => {
    const code = json[field];
    if (typeof code !== 'number') return undefined;
    const text = message(json[msgField]);
    return { failed: code !== 0, field, code, ...(text ? { message: text } : {}) };
  };
  switch (kind) {
    case 'dingtalk':
    case 'wecom':
      return numeric('errcode', 'errmsg');
    case 'feishu':
      return numeric('code', 'msg') ?? numeric('StatusCode', 'StatusMessage');
    case 'slack':
      if (json['ok'] === false) {
        const error = message(json['error']) ?? 'unknown_error';
        return { failed: true, field: 'error', code: error };
      }
      return undefined;
    default:
      return undefined;
  }
}

/** A short, single-line excerpt of a non-JSON error body (Slack's webhooks answer e.g. "invalid_blocks"). */
function statusDetail(body: string): string {
  const text = body.replace(/\s+/g, ' ').trim().slice(0, 120);
  return text ? `: ${text}` : '';
}
