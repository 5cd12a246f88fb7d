import { OutboundPolicy, type LookupAll } from '../src/index.js';

describe('OutboundPolicy', () => {
  const strict = new OutboundPolicy();

  it.each([
    ['169.254.169.254', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['::ffff:169.254.169.254', 'metadata'],
    // NAT64 (well-known and local-use prefixes), 6to4 and IPv4-compatible forms of the same
    ['64:ff9b::a9fe:a9fe', 'metadata'],
    ['64:ff9b::169.254.169.254', 'metadata'],
    ['64:ff9b:1::a9fe:a9fe', 'metadata'],
    ['2002:a9fe:a9fe::', 'metadata'],
    ['2002:a9fe:a9fe:1::1', 'metadata'],
    ['::a9fe:a9fe', 'metadata'],
    ['64:ff9b::6464:64c8', 'metadata'],
    ['2002:6464:64c8::1', 'metadata'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['2002:7f00:1::', 'loopback'],
    ['64:ff9b::a00:1', 'private'],
    ['2002:c0a8:101::1', 'private'],
    ['64:ff9b::a9fe:101', 'link-local'],
    ['2001:0:a9fe:a9fe::', 'metadata'],
    ['169.254.10.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['127.0.0.1', 'loopback'],
    ['127.8.8.8', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.20.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['fd12:3456::1', 'private'],
    ['0.0.0.0', 'not a host'],
    ['224.0.0.1', 'not a host'],
  ])('refuses %s (%s) by default', (address, kind) => {
    expect(strict.refusal(address)).toContain(kind);
  });

  it.each(['8.8.8.8', '47.96.1.1', '2001:4860:4860::8888', '172.32.0.1', '64:ff9b::808:808', '2002:808:808::1'])('allows public %s', (address) => {
    expect(strict.refusal(address)).toBeUndefined();
  });

  it('allows loopback, private ranges and listed CIDRs only when the operator lists them', () => {
    const policy = OutboundPolicy.fromEnvironment('loopback, 10.0.0.0/8');
    expect(policy.refusal('127.0.0.1')).toBeUndefined();
    expect(policy.refusal('10.9.9.9')).toBeUndefined();
    expect(policy.refusal('192.168.0.1')).toContain('private');
    expect(OutboundPolicy.fromEnvironment('private').refusal('192.168.0.1')).toBeUndefined();
  });

  it('never allows a metadata address, even inside an allowed range', () => {
    const policy = OutboundPolicy.fromEnvironment('169.254.0.0/16,100.64.0.0/10');
    expect(policy.refusal('169.254.169.254')).toContain('metadata');
    expect(policy.refusal('100.100.100.200')).toContain('metadata');
    expect(policy.refusal('169.254.1.1')).toBeUndefined();
  });

  it('checks every address a name resolves to and returns the checked one to connect to', async () => {
    const lookup: LookupAll = () =>
      Promise.resolve([
        { address: '93.184.216.34', family: 4 },
        { address: '169.254.169.254', family: 4 },
      ]);
    await expect(strict.resolve('rebind.example', lookup)).rejects.toMatchObject({ code: 'TARGET_FORBIDDEN' });

    const publicOnly: LookupAll = () => Promise.resolve([{ address: '93.184.216.34', family: 4 }]);
    await expect(strict.resolve('api.example', publicOnly)).resolves.toEqual({ address: '93.184.216.34', family: 4 });
  });

  it('checks literal addresses without DNS, brackets included', async () => {
    await expect(strict.resolve('[::1]')).rejects.toMatchObject({ code: 'TARGET_FORBIDDEN' });
    await expect(new OutboundPolicy(['loopback']).resolve('127.0.0.1')).resolves.toEqual({ address: '127.0.0.1', family: 4 });
  });

  it('resolves localhost through the system resolver and refuses it by default', async () => {
    await expect(strict.resolve('localhost')).rejects.toMatchObject({ code: 'TARGET_FORBIDDEN' });
  });
});
