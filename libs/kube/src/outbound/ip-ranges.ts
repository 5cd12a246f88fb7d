import net from 'node:net';

/** An address range: an IPv4 or IPv6 network and its prefix length. */
export interface Cidr {
  family: 4 | 6;
  bits: bigint;
  prefix: number;
}

function ipv4ToBigInt(address: string): bigint {
  return address.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

function ipv6ToBigInt(address: string): bigint {
  let text = address;
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hextets.
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = ipv4ToBigInt(tail);
    text = `${text.slice(0, lastColon + 1)}${((v4 >> 16n) & 0xffffn).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const headParts = head ? head.split(':') : [];
  const restParts = rest ? rest.split(':') : [];
  const missing = 8 - headParts.length - restParts.length;
  const parts = rest === undefined ? headParts : [...headParts, ...Array(missing).fill('0'), ...restParts];
  return parts.reduce((acc, part) => (acc << 16n) | BigInt(parseInt(part || '0', 16)), 0n);
}

export function parseAddress(address: string): { family: 4 | 6; bits: bigint } | undefined {
  const family = net.isIP(address);
  if (family === 4) return { family: 4, bits: ipv4ToBigInt(address) };
  if (family === 6) return { family: 6, bits: ipv6ToBigInt(address) };
  return undefined;
}

/** "10.0.0.0/8", "fd00::/8", or a bare address (a /32 or /128). */
export function parseCidr(text: string): Cidr | undefined {
  const [address, prefixText] = text.trim().split('/');
  const parsed = parseAddress(address ?? '');
  if (!parsed) return undefined;
  const max = parsed.family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) return undefined;
  return { ...parsed, prefix };
}

export function cidrContains(cidr: Cidr, address: { family: 4 | 6; bits: bigint }): boolean {
  if (cidr.family !== address.family) return false;
  const width = BigInt(cidr.family === 4 ? 32 : 128);
  const shift = width - BigInt(cidr.prefix);
  return cidr.bits >> shift === address.bits >> shift;
}

function cidrs(list: string[]): Cidr[] {
  return list.map((text) => {
    const cidr = parseCidr(text);
    if (!cidr) throw new Error(`invalid built-in range ${text}`);
    return cidr;
  });
}

/** Cloud instance metadata endpoints: never a legitimate API server or webhook. */
export const METADATA = cidrs(['169.254.169.254/32', '100.100.100.200/32', 'fd00:ec2::254/128', '168.63.129.16/32', '169.254.170.2/32']);
export const LOOPBACK = cidrs(['127.0.0.0/8', '::1/128']);
export const LINK_LOCAL = cidrs(['169.254.0.0/16', 'fe80::/10']);
export const PRIVATE = cidrs(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7']);
/** Addresses that are never a remote host: "this network", multicast, broadcast, reserved. */
export const NOT_A_HOST = cidrs(['0.0.0.0/8', '224.0.0.0/4', '240.0.0.0/4', '::/128', 'ff00::/8']);
const IPV4_MAPPED = parseCidr('::ffff:0:0/96') as Cidr;
/** NAT64, the well-known prefix (RFC 6052): `64:ff9b::a9fe:a9fe` reaches 169.254.169.254. */
const NAT64 = parseCidr('64:ff9b::/96') as Cidr;
/** NAT64, local-use prefix (RFC 8215): the IPv4 address sits in the low 32 bits with a /96. */
const NAT64_LOCAL = parseCidr('64:ff9b:1::/48') as Cidr;
/** 6to4 (RFC 3056): `2002:a9fe:a9fe::` carries 169.254.169.254 in bits 16-47. */
const SIX_TO_FOUR = parseCidr('2002::/16') as Cidr;
/** IPv4-compatible IPv6 (deprecated, `::a9fe:a9fe`): some stacks still route it to the IPv4 address. */
const IPV4_COMPATIBLE = parseCidr('::/96') as Cidr;
/** Teredo (RFC 4380): the server's IPv4 address in bits 32-63, the client's obfuscated in the low 32. */
const TEREDO = parseCidr('2001::/32') as Cidr;

/**
 * The IPv4 address an IPv6 address carries, when it is one of the forms that reach an IPv4
 * host: IPv4-mapped (`::ffff:10.0.0.1`), NAT64 (`64:ff9b::a9fe:a9fe`), 6to4 (`2002:a9fe:a9fe::`),
 * IPv4-compatible (`::a9fe:a9fe`). Judge that IPv4 address, not the IPv6 wrapper.
 */
export function unmapIpv4(address: { family: 4 | 6; bits: bigint }): { family: 4 | 6; bits: bigint } {
  if (address.family !== 6) return address;
  if (cidrContains(IPV4_MAPPED, address) || cidrContains(NAT64, address) || cidrContains(NAT64_LOCAL, address)) {
    return { family: 4, bits: address.bits & 0xffffffffn };
  }
  if (cidrContains(SIX_TO_FOUR, address)) return { family: 4, bits: (address.bits >> 80n) & 0xffffffffn };
  // `::` and `::1` are IPv6's own unspecified and loopback addresses, not IPv4-compatible ones.
  if (cidrContains(IPV4_COMPATIBLE, address) && address.bits > 1n) return { family: 4, bits: address.bits & 0xffffffffn };
  return address;
}

/** Teredo carries two IPv4 addresses (server and client): both are judged (embeddedIpv4s). */
export function embeddedIpv4s(address: { family: 4 | 6; bits: bigint }): Array<{ family: 4; bits: bigint }> {
  if (address.family !== 6 || !cidrContains(TEREDO, address)) return [];
  return [
    { family: 4, bits: (address.bits >> 64n) & 0xffffffffn },
    { family: 4, bits: ~address.bits & 0xffffffffn },
  ];
}
