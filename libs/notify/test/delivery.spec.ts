import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildRequest, buildTestRequest, deliver, describeWebhookUrl, type WebhookKind, type WebhookTarget } from '../src/index.js';
import { changeSet } from './fixtures.js';
import { startReceiver, type Received, type Reply } from './receiver.js';
import { dingTalkProblems, feishuProblems, genericProblems, slackProblems, teamsProblems, weComProblems } from './shapes.js';
import { dingTalkVerifies, feishuVerifies, genericVerifies } from './signatures.js';

const SECRET = 'SECd2c1e5b0a9f84e7c9d3b2a1f0e9d8c7b6a5f4e3d2c1b0a';
const HOST = 'hooks.rollsafe.test';
const resolveTarget = (host: string) =>
  host === HOST ? Promise.resolve({ address: '127.0.0.1', family: 4 as const }) : Promise.reject(new Error(`unexpected host ${host}`));

interface KindCase {
  kind: WebhookKind;
  path: string;
  secret?: string;
  ok: Reply;
  /** The platform's checks: shape, then signature. A reply when the request is refused. */
  check: (request: Received) => Reply | undefined;
}

const json = (value: unknown): string => JSON.stringify(value);
const refuse = (problems: string[]): Reply | undefined => (problems.length > 0 ? { status: 400, body: json({ problems }) } : undefined);

const KINDS: KindCase[] = [
  {
    kind: 'slack',
    path: '/services/T0000001/B0000002/XXXXXXXXXXXXXXXXXXXXXXXX',
    ok: { status: 200, headers: { 'content-type': 'text/plain' }, body: 'ok' },
    check: (r) => refuse(slackProblems(r.json)),
  },
  {
    kind: 'dingtalk',
    path: '/robot/send?access_token=0123456789abcdef0123456789abcdef',
    secret: SECRET,
    ok: { status: 200, body: json({ errcode: 0, errmsg: 'ok' }) },
    check: (r) =>
      refuse(dingTalkProblems(r.json)) ??
      (dingTalkVerifies(SECRET, r.query, Date.now()) && r.query.get('access_token') === '0123456789abcdef0123456789abcdef'
        ? undefined
        : { status: 200, body: json({ errcode: 310000, errmsg: 'sign not match' }) }),
  },
  {
    kind: 'feishu',
    path: '/open-apis/bot/v2/hook/6b2f1c3e-0d4a-4f5e-9a8b-7c6d5e4f3a2b',
    secret: SECRET,
    ok: { status: 200, body: json({ code: 0, msg: 'success', data: {} }) },
    check: (r) =>
      refuse(feishuProblems(r.json, r.body, true)) ??
      (feishuVerifies(SECRET, r.json, Math.floor(Date.now() / 1000))
        ? undefined
        : { status: 200, body: json({ code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time' }) }),
  },
  {
    kind: 'wecom',
    path: '/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa',
    ok: { status: 200, body: json({ errcode: 0, errmsg: 'ok' }) },
    check: (r) => refuse(weComProblems(r.json)),
  },
  {
    kind: 'teams',
    path: '/workflows/3f1e2d/triggers/manual/paths/invoke?api-version=1&sig=Zk9vQmFyQmF6MTIzNDU2Nzg5MA',
    ok: { status: 202 },
    check: (r) => refuse(teamsProblems(r.json)),
  },
  {
    kind: 'generic',
    path: '/hooks/rollsafe',
    secret: SECRET,
    ok: { status: 204 },
    check: (r) =>
      refuse(genericProblems(r.json)) ??
      (genericVerifies(SECRET, r.body, r.headers['x-rollsafe-signature']) ? undefined : { status: 401, body: 'bad signature' }),
  },
];

describe('delivery to a local receiver for each kind', () => {
  it.each(KINDS)('$kind: native payload, valid signature, accepted', async ({ kind, path, secret, ok, check }) => {
    const receiver = await startReceiver(ok, check);
    try {
      const target: WebhookTarget = { kind, url: `http://${HOST}:${receiver.port}${path}`, minSeverity: 'warning', ...(secret ? { secret } : {}) };
      const request = buildRequest(target, changeSet());
      expect(request).not.toBeNull();
      const attempt = await deliver(request as NonNullable<typeof request>, { resolveTarget, timeoutMs: 5000 });

      expect(receiver.requests).toHaveLength(1);
      const received = receiver.requests[0] as Received;
      expect(attempt).toEqual(expect.objectContaining({ ok: true, status: ok.status, retryable: false }));
      expect(attempt.error).toBeUndefined();
      expect(received.method).toBe('POST');
      expect(received.headers['content-type']).toBe('application/json; charset=utf-8');
      // Connected to the resolver's address, while the Host header keeps the webhook's name.
      expect(received.headers.host).toBe(`${HOST}:${receiver.port}`);
      expect(check(received)).toBeUndefined();
      if (kind === 'generic') expect(received.headers['x-rollsafe-timestamp']).toMatch(/^\d{10}$/);
      // Nothing secret in the record.
      const record = JSON.stringify(attempt);
      expect(record).not.toContain(SECRET);
      expect(record).not.toContain(path);
    } finally {
      await receiver.close();
    }
  });

  it.each(KINDS)('$kind: a signature or payload the platform refuses is a failed, non-retryable attempt', async ({ kind, path, secret, ok, check }) => {
    if (!secret) return;
    const receiver = await startReceiver(ok, check);
    try {
      const target: WebhookTarget = { kind, url: `http://127.0.0.1:${receiver.port}${path}`, secret: `${secret}-wrong`, minSeverity: 'info' };
      const attempt = await deliver(buildTestRequest(target, { id: 'org-1', name: 'Acme' }), { timeoutMs: 5000 });
      expect(attempt.ok).toBe(false);
      expect(attempt.retryable).toBe(false);
      expect(JSON.stringify(attempt)).not.toContain(secret);
    } finally {
      await receiver.close();
    }
  });
});

describe('platform answers', () => {
  const cases: Array<{ kind: WebhookKind; reply: Reply; ok: boolean; retryable: boolean; code?: number | string; retryAfterMs?: number; error?: RegExp }> = [
    {
      kind: 'dingtalk',
      reply: { status: 200, body: json({ errcode: 310000, errmsg: 'keywords not in content' }) },
      ok: false,
      retryable: false,
      code: 310000,
      error: /errcode 310000: keywords not in content/,
    },
    {
      kind: 'dingtalk',
      reply: { status: 200, body: json({ errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' }) },
      ok: false,
      retryable: true,
      code: 130101,
      retryAfterMs: 600_000,
    },
    { kind: 'feishu', reply: { status: 200, body: json({ code: 19021, msg: 'sign match fail' }) }, ok: false, retryable: false, code: 19021 },
    {
      kind: 'feishu',
      reply: { status: 200, body: json({ code: 9499, msg: 'too many request' }) },
      ok: false,
      retryable: true,
      code: 9499,
      retryAfterMs: 60_000,
    },
    { kind: 'feishu', reply: { status: 400, body: json({ code: 11232, msg: 'frequency limited' }) }, ok: false, retryable: true, code: 11232 },
    { kind: 'feishu', reply: { status: 200, body: json({ StatusCode: 0, StatusMessage: 'success' }) }, ok: true, retryable: false, code: 0 },
    { kind: 'wecom', reply: { status: 200, body: json({ errcode: 45009, errmsg: 'api freq out of limit' }) }, ok: false, retryable: true, code: 45009 },
    { kind: 'wecom', reply: { status: 200, body: json({ errcode: 93000, errmsg: 'invalid webhook url' }) }, ok: false, retryable: false, code: 93000 },
    { kind: 'slack', reply: { status: 200, body: json({ ok: false, error: 'ratelimited' }) }, ok: false, retryable: true, code: 'ratelimited' },
    {
      kind: 'slack',
      reply: { status: 400, headers: { 'content-type': 'text/plain' }, body: 'invalid_blocks' },
      ok: false,
      retryable: false,
      error: /HTTP 400: invalid_blocks/,
    },
    { kind: 'slack', reply: { status: 404, headers: { 'content-type': 'text/plain' }, body: 'no_service' }, ok: false, retryable: false },
    { kind: 'teams', reply: { status: 200, body: 'Microsoft Teams endpoint returned HTTP error 429 with ContextId ...' }, ok: false, retryable: true },
    {
      kind: 'generic',
      reply: { status: 302, headers: { location: 'http://169.254.169.254/' } },
      ok: false,
      retryable: false,
      error: /redirects are not followed/,
    },
  ];

  it.each(cases)('$kind answering $reply.status $reply.body', async ({ kind, reply, ok, retryable, code, retryAfterMs, error }) => {
    const receiver = await startReceiver(reply);
    try {
      const request = buildTestRequest({ kind, url: receiver.url('/hook?token=abcdef1234567890'), minSeverity: 'info' }, { id: 'org-1', name: 'Acme' });
      const attempt = await deliver(request, { timeoutMs: 5000 });
      expect(attempt.ok).toBe(ok);
      expect(attempt.retryable).toBe(retryable);
      if (code !== undefined) expect(attempt.code).toBe(code);
      if (retryAfterMs !== undefined) expect(attempt.retryAfterMs).toBe(retryAfterMs);
      if (error) expect(attempt.error).toMatch(error);
      expect(receiver.requests).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });
});

describe('failures before an answer', () => {
  it('a refused address is not retried, and nothing is sent', async () => {
    const receiver = await startReceiver({ status: 200 });
    try {
      const request = buildTestRequest({ kind: 'generic', url: receiver.url('/hook'), secret: SECRET, minSeverity: 'info' }, { id: 'o', name: 'Acme' });
      const attempt = await deliver(request, {
        timeoutMs: 5000,
        resolveTarget: () => Promise.reject(new Error('127.0.0.1 is a loopback address (allow it with ROLLSAFE_OUTBOUND_ALLOW)')),
      });
      expect(attempt).toEqual(expect.objectContaining({ ok: false, retryable: false }));
      expect(attempt.error).toMatch(/loopback address/);
      expect(receiver.requests).toHaveLength(0);
    } finally {
      await receiver.close();
    }
  });

  it('a transient DNS failure is retryable', async () => {
    const request = buildTestRequest(
      { kind: 'slack', url: 'https://hooks.slack.invalid/services/T1/B2/abcdefghijklmnopqrstuvwx', minSeverity: 'info' },
      { id: 'o', name: 'Acme' },
    );
    const attempt = await deliver(request, {
      timeoutMs: 5000,
      resolveTarget: () => Promise.reject(Object.assign(new Error('getaddrinfo EAI_AGAIN hooks.slack.invalid'), { code: 'EAI_AGAIN' })),
    });
    expect(attempt).toEqual(expect.objectContaining({ ok: false, retryable: true }));
  });

  it('a closed port is a retryable network error that names no URL or secret', async () => {
    const receiver = await startReceiver({ status: 200 });
    const url = receiver.url('/robot/send?access_token=0123456789abcdef0123456789abcdef');
    await receiver.close();
    const request = buildTestRequest({ kind: 'dingtalk', url, secret: SECRET, minSeverity: 'info' }, { id: 'o', name: 'Acme' });
    const attempt = await deliver(request, { timeoutMs: 5000 });
    expect(attempt).toEqual(expect.objectContaining({ ok: false, retryable: true }));
    expect(attempt.error).toMatch(/network error: .*ECONNREFUSED/);
    const record = JSON.stringify(attempt);
    for (const secret of [SECRET, '0123456789abcdef0123456789abcdef', 'access_token', new URL(request.url).searchParams.get('sign') ?? 'no-sign']) {
      expect(record).not.toContain(secret);
    }
  });

  it('a receiver that never answers times out, retryably', async () => {
    const server = http.createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const request = buildTestRequest({ kind: 'generic', url: `http://127.0.0.1:${port}/hook`, minSeverity: 'info' }, { id: 'o', name: 'Acme' });
      const attempt = await deliver(request, { timeoutMs: 150 });
      expect(attempt).toEqual(expect.objectContaining({ ok: false, retryable: true }));
      expect(attempt.error).toMatch(/ETIMEDOUT|no answer within 150 ms/);
      expect(attempt.durationMs).toBeGreaterThanOrEqual(100);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('describes a webhook URL without its credential-bearing path and query', () => {
    expect(describeWebhookUrl('https://hooks.slack.com/services/T1/B2/secret?x=1')).toBe('https://hooks.slack.com/…');
    expect(describeWebhookUrl('not a url')).toBe('(invalid URL)');
  });

  it('refuses schemes other than http and https', async () => {
    const attempt = await deliver({ kind: 'generic', url: 'file:///etc/passwd', headers: {}, body: Buffer.from('{}') }, { timeoutMs: 1000 });
    expect(attempt).toEqual(expect.objectContaining({ ok: false, retryable: false }));
  });
});
