import dns from 'node:dns/promises';
import net from 'node:net';
import { KubeError } from '../errors.js';
import {
  cidrContains,
  embeddedIpv4s,
  LINK_LOCAL,
  LOOPBACK,
  METADATA,
  NOT_A_HOST,
  parseAddress,
  parseCidr,
  PRIVATE,
  unmapIpv4,
  type Cidr,
} from './ip-ranges.js';

export type AddressClass = 'metadata' | 'not-a-host' | 'link-local' | 'loopback' | 'private' | 'public';

/**
 * Which addresses outbound calls (API servers, webhooks) may reach. Metadata endpoints and
 * non-host addresses never; link-local, loopback and private ranges only where the operator
 * lists them in ROLLSAFE_OUTBOUND_ALLOW (CIDRs, or the keywords `loopback` and `private`).
 */
/** The one form of `dns.lookup` the policy calls: every address of a name. */
export type LookupAll = (host: string, options: { all: true; verbatim: true }) => Promise<Array<{ address: string; family: number }>>;

export class OutboundPolicy {
  private readonly allowed: Cidr[];
  private readonly allowLoopback: boolean;
  private readonly allowPrivate: boolean;

  constructor(allow: readonly string[] = []) {
    this.allowLoopback = allow.includes('loopback');
    this.allowPrivate = allow.includes('private');
    this.allowed = allow.filter((entry) => entry !== 'loopback' && entry !== 'private').flatMap((entry) => parseCidr(entry) ?? []);
  }

  /**
   * The CLI's policy: on the user's own machine the API server may be anywhere the user can
   * reach (loopback, private, link-local); metadata endpoints are still refused.
   */
  static unrestricted(): OutboundPolicy {
    return new OutboundPolicy(['loopback', 'private', '169.254.0.0/16', 'fe80::/10']);
  }

  static fromEnvironment(value: string | undefined): OutboundPolicy {
    return new OutboundPolicy(
      (value ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );
  }

  /** Why an address is refused, or undefined when it may be reached. */
  refusal(address: string): string | undefined {
    const parsed = parseAddress(address);
    if (!parsed) return `"${address}" is not an IP address`;
    const ip = unmapIpv4(parsed);
    for (const carried of embeddedIpv4s(ip)) {
      const carriedKind = classify(carried);
      if (carriedKind !== 'public') return `${address} carries a ${carriedKind === 'metadata' ? 'cloud metadata' : carriedKind} IPv4 address (Teredo)`;
    }
    const kind = classify(ip);
    if (kind === 'metadata') return `${address} is a cloud metadata address`;
    if (kind === 'not-a-host') return `${address} is not a host address`;
    if (kind === 'public') return undefined;
    if (this.allowed.some((cidr) => cidrContains(cidr, ip))) return undefined;
    if (kind === 'loopback' && this.allowLoopback) return undefined;
    if (kind === 'private' && this.allowPrivate) return undefined;
    return `${address} is a ${kind} address (allow it with ROLLSAFE_OUTBOUND_ALLOW)`;
  }

  /**
   * Resolves a host name, checks every address it resolves to, and returns the one to connect
   * to, so that the connection goes to the address that was checked (no DNS rebinding).
   */
  async resolve(host: string, lookup: LookupAll = (name, options) => dns.lookup(name, options)): Promise<{ address: string; family: 4 | 6 }> {
    const bare = host.replace(/^\[(.*)\]$/, '$1');
    let addresses: Array<{ address: string; family: number }>;
    if (net.isIP(bare)) {
      addresses = [{ address: bare, family: net.isIP(bare) }];
    } else {
      try {
        addresses = await lookup(bare, { all: true, verbatim: true });
      } catch (error) {
        throw new KubeError('CLUSTER_UNREACHABLE', `cannot resolve ${bare}: ${(error as NodeJS.ErrnoException).code ?? 'lookup failed'}`);
      }
    }
    if (addresses.length === 0) throw new KubeError('CLUSTER_UNREACHABLE', `${bare} resolves to no address`);
    for (const { address } of addresses) {
      const reason = this.refusal(address);
      if (reason) throw new KubeError('TARGET_FORBIDDEN', `${bare}: ${reason}`);
    }
    const first = addresses[0] as { address: string; family: number };
    return { address: first.address, family: first.family === 6 ? 6 : 4 };
  }
}

function classify(ip: { family: 4 | 6; bits: bigint }): AddressClass {
  if (METADATA.some((c) => cidrContains(c, ip))) return 'metadata';
  if (NOT_A_HOST.some((c) => cidrContains(c, ip))) return 'not-a-host';
  if (LINK_LOCAL.some((c) => cidrContains(c, ip))) return 'link-local';
  if (LOOPBACK.some((c) => cidrContains(c, ip))) return 'loopback';
  if (PRIVATE.some((c) => cidrContains(c, ip))) return 'private';
  return 'public';
}
