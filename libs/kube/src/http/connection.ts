import https from 'node:https';
import net from 'node:net';
import type { LookupFunction } from 'node:net';
import { KubeError } from '../errors.js';
import type { ClusterCredentials } from '../kubeconfig/credentials.js';
import type { OutboundPolicy } from '../outbound/address-policy.js';

export interface ClusterClientOptions {
  /** Every connection goes to an address it checked. */
  outbound: OutboundPolicy;
  /** Per request (connect, TLS, response body); default 30_000. */
  requestTimeoutMs?: number;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** Where and how to talk to one API server: the checked address, TLS settings and auth. */
export interface ClusterConnection {
  /** https://host:port, for messages (never carries credentials). */
  readonly server: string;
  readonly basePath: string;
  readonly hostname: string;
  readonly port: number;
  readonly agent: https.Agent;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  close(): void;
}

/**
 * A lookup that ignores DNS and answers with the address the outbound policy checked, so a
 * second resolution cannot send the connection elsewhere (DNS rebinding).
 */
export function pinnedLookup(address: string, family: 4 | 6): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
}

/** The TLS name to verify: tls-server-name, else the server's host name (not for an IP literal). */
export function serverNameFor(credentials: ClusterCredentials, hostname: string): string | undefined {
  if (credentials.tlsServerName) return credentials.tlsServerName;
  return net.isIP(hostname) ? undefined : hostname;
}

function authHeaders(credentials: ClusterCredentials): Record<string, string> {
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'rollsafe' };
  if (credentials.token) headers['authorization'] = `Bearer ${credentials.token}`;
  return headers;
}

/**
 * Resolves the server through the outbound policy (throws TARGET_FORBIDDEN or
 * CLUSTER_UNREACHABLE) and builds a keep-alive agent pinned to the checked address, with the
 * CA and client certificate from the credentials.
 */
export async function openConnection(credentials: ClusterCredentials, options: ClusterClientOptions, maxSockets = 8): Promise<ClusterConnection> {
  const url = new URL(credentials.server);
  if (url.protocol !== 'https:') throw new KubeError('CLUSTER_ERROR', `${url.protocol}//${url.host}: Rollsafe talks to API servers over https only`);
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const { address, family } = await options.outbound.resolve(hostname);
  const servername = serverNameFor(credentials, hostname);
  const agent = new https.Agent({
    keepAlive: true,
    maxSockets,
    lookup: pinnedLookup(address, family),
    ...(servername ? { servername } : {}),
    ...(credentials.certificateAuthority ? { ca: credentials.certificateAuthority } : {}),
    ...(credentials.clientCertificate ? { cert: credentials.clientCertificate, key: credentials.clientKey } : {}),
    rejectUnauthorized: !credentials.insecureSkipTlsVerify,
  });
  return {
    server: `${url.protocol}//${url.host}`,
    basePath: url.pathname.replace(/\/$/, ''),
    hostname,
    port: url.port ? Number(url.port) : 443,
    agent,
    headers: authHeaders(credentials),
    timeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    close: () => agent.destroy(),
  };
}
