import { buildRequest, dingTalkSignature, feishuSignature, genericSignature } from '../src/index.js';
import { changeSet } from './fixtures.js';
import { dingTalkVerifies, feishuVerifies, genericVerifies } from './signatures.js';

describe('signatures', () => {
  // Known answers from running the platforms' documented Python examples with a fixed
  // timestamp (DingTalk: hmac.new(secret, f"{ts}\n{secret}", sha256) + quote_plus(b64encode);
  // Feishu: hmac.new(f"{ts}\n{secret}", b"", sha256) + b64encode).
  it('matches DingTalk’s documented algorithm', () => {
    expect(dingTalkSignature('this is secret', 1700000000000)).toEqual({
      timestamp: '1700000000000',
      sign: 'sSFWELbV2YwjdDQhWZwTcWlX5BWUx5J6TPpsZmuPii0%3D',
    });
  });

  it('matches Feishu’s documented algorithm', () => {
    expect(feishuSignature('demo-secret', 1599360473)).toEqual({ timestamp: '1599360473', sign: '3/MaVZ8JLIy4TUG+7KSFJqvUkTKd+HWY8g+56DZWq8s=' });
  });

  it('signs the generic body over its exact bytes, and the timestamp header is not signed content', () => {
    const now = new Date('2025-01-02T03:04:05Z');
    const request = buildRequest({ kind: 'generic', url: 'https://example.invalid/hook', secret: 's3cret', minSeverity: 'info' }, changeSet(), { now });
    expect(request).not.toBeNull();
    const { body, headers } = request as NonNullable<typeof request>;
    expect(headers['X-Rollsafe-Timestamp']).toBe('1735787045');
    expect(headers['X-Rollsafe-Signature']).toBe(genericSignature('s3cret', body));
    expect(genericVerifies('s3cret', body, headers['X-Rollsafe-Signature'])).toBe(true);
    expect(genericVerifies('s3cret', Buffer.concat([body, Buffer.from(' ')]), headers['X-Rollsafe-Signature'])).toBe(false);
    expect(genericVerifies('other', body, headers['X-Rollsafe-Signature'])).toBe(false);
  });

  it('puts DingTalk’s timestamp and sign in the query, keeping the access token', () => {
    const now = new Date(1700000000000);
    const request = buildRequest(
      { kind: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=abc123', secret: 'this is secret', minSeverity: 'info' },
      changeSet(),
      { now },
    );
    const url = new URL((request as NonNullable<typeof request>).url);
    expect(url.searchParams.get('access_token')).toBe('abc123');
    expect(url.search).toContain('sign=sSFWELbV2YwjdDQhWZwTcWlX5BWUx5J6TPpsZmuPii0%3D');
    expect(dingTalkVerifies('this is secret', url.searchParams, now.getTime())).toBe(true);
  });

  it('puts Feishu’s timestamp and sign in the body', () => {
    const now = new Date(1599360473 * 1000);
    const request = buildRequest(
      { kind: 'feishu', url: 'https://open.feishu.cn/open-apis/bot/v2/hook/x', secret: 'demo-secret', minSeverity: 'info' },
      changeSet(),
      { now },
    );
    const body = JSON.parse((request as NonNullable<typeof request>).body.toString('utf8')) as { timestamp: string; sign: string; msg_type: string };
    expect(body.timestamp).toBe('1599360473');
    expect(body.sign).toBe('3/MaVZ8JLIy4TUG+7KSFJqvUkTKd+HWY8g+56DZWq8s=');
    expect(feishuVerifies('demo-secret', body, 1599360473)).toBe(true);
  });

  it('sends no signature fields without a secret', () => {
    const dingtalk = buildRequest({ kind: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=abc', minSeverity: 'info' }, changeSet());
    expect(new URL((dingtalk as NonNullable<typeof dingtalk>).url).searchParams.has('sign')).toBe(false);
    const generic = buildRequest({ kind: 'generic', url: 'https://example.invalid/hook', minSeverity: 'info' }, changeSet());
    expect((generic as NonNullable<typeof generic>).headers['X-Rollsafe-Signature']).toBeUndefined();
  });
});
