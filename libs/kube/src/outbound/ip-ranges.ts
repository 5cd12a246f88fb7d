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

/** `::ffff:10.0.0.1` is `10.0.0.1`: judge the IPv4 address it carries. */
export function unmapIpv4(address: { family: 4 | 6; bits: bigint }): { family: 4 | 6; bits: bigint } {
  return address.family === 6 && cidrContains(IPV4_MAPPED, address) ? { family: 4, bits: address.bits & 0xffffffffn } : address;
}
