import { randomBytes } from 'node:crypto';
import { displayUrl } from './webhook-url.js';
import { CredentialCipher, CredentialsError } from '../clusters/credential-cipher.js';

describe('displayUrl', () => {
  it('keeps only scheme and host of chat platform URLs (their path or query is the credential)', () => {
    const cases: Array<[string, string]> = [
      ['slack', 'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX'],
      ['dingtalk', 'https://oapi.dingtalk.com/robot/send?access_token=abc'],
      ['feishu', 'https://open.feishu.cn/open-apis/bot/v2/hook/xxxxxxxx'],
      ['wecom', 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k'],
      ['teams', 'https://prod-00.westus.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?sig=s'],
    ];
    for (const [kind, url] of cases) {
      const shown = displayUrl(kind, new URL(url));
      expect(shown).toBe(`${new URL(url).protocol}//${new URL(url).host}/…`);
    }
  });

  it('keeps a generic URL whole unless it looks like it carries a token', () => {
    expect(displayUrl('generic', new URL('https://ops.example.com/hooks/rollsafe'))).toBe('https://ops.example.com/hooks/rollsafe');
    expect(displayUrl('generic', new URL('https://ops.example.com/hooks?token=x'))).toBe('https://ops.example.com/…');
    expect(displayUrl('generic', new URL('https://user:pw@ops.example.com/hooks'))).toBe('https://ops.example.com/…');
    expect(displayUrl('generic', new URL('https://ops.example.com/hooks/a1b2c3d4e5'))).toBe('https://ops.example.com/…');
    expect(displayUrl('generic', new URL('https://ops.example.com/hooks/0123456789abcdefghijklmnop'))).toBe('https://ops.example.com/…');
  });
});

describe('sealing webhook secrets', () => {
  it('binds the purpose and the row: a webhook ciphertext does not open as another row or as cluster credentials', () => {
    const cipher = new CredentialCipher(randomBytes(32));
    const sealed = cipher.sealJson({ url: 'https://hooks.slack.com/services/T/B/secret', secret: 's' }, 'webhook', 'w1');
    expect(Buffer.from(sealed.ciphertext).toString('utf8')).not.toContain('secret');
    expect(cipher.openJson(sealed, 'webhook', 'w1')).toEqual({ value: { url: 'https://hooks.slack.com/services/T/B/secret', secret: 's' }, stale: false });
    expect(() => cipher.openJson(sealed, 'webhook', 'w2')).toThrow(CredentialsError);
    expect(() => cipher.openJson(sealed, 'cluster-credentials', 'w1')).toThrow(/webhook|credentials/);
  });
});
