import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { DeliveryAttempt, OutgoingRequest } from './model.js';
import { interpretResponse } from './response.js';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export interface DeliverOptions {
  /**
   * Resolves the webhook's host to the one address to connect to, refusing addresses the
   * outbound policy forbids (pass the policy's resolver). The connection goes to exactly that
   * address, so DNS cannot change between the check and the connect. Without it, the system
   * resolver is used and nothing is refused.
   */
  resolveTarget?: (host: string) => Promise<ResolvedAddress>;
  /** For the whole exchange: connect, send, and read the answer. */
  timeoutMs: number;
  /** Clock, for Retry-After dates. */
  now?: () => number;
}

/** Enough of a response body to read a platform's result code. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * Sends one request and reports what happened. Never throws: every outcome is an attempt
 * record, and neither the URL (which often is a credential) nor a secret appears in it.
 * Redirects are not followed.
 */
export async function deliver(request: OutgoingRequest, options: DeliverOptions): Promise<DeliveryAttempt> {
  const now = options.now ?? Date.now;
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const redact = redactor(request.url);

  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return { ok: false, error: 'invalid webhook URL', durationMs: elapsed(), retryable: false };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, error: `unsupported URL scheme ${url.protocol}`, durationMs: elapsed(), retryable: false };
  }
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');

  let pinned: ResolvedAddress | undefined;
  if (options.resolveTarget) {
    try {
      pinned = await options.resolveTarget(hostname);
    } catch (error) {
      return {
        ok: false,
        error: `address refused or unresolvable: ${redact(errorText(error))}`,
        durationMs: elapsed(),
        retryable: resolverErrorIsTransient(error),
      };
    }
  }

  return new Promise<DeliveryAttempt>((resolve) => {
    let settled = false;
    const finish = (attempt: Omit<DeliveryAttempt, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...attempt, durationMs: elapsed() });
    };
    const lookup: LookupFunction | undefined = pinned
      ? (_host, lookupOptions, callback) => {
          const { address, family } = pinned as ResolvedAddress;
          if (lookupOptions.all) callback(null, [{ address, family }]);
          else callback(null, address, family);
        }
      : undefined;
    const requestOptions: https.RequestOptions = {
      method: 'POST',
      protocol: url.protocol,
      hostname,
      port: url.port || (url.protocol === 'https:' ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      headers: request.headers,
      agent: false,
      ...(lookup ? { lookup } : {}),
    };
    const transport = url.protocol === 'https:' ? https : http;
    const req = transport.request(requestOptions, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const judge = () => {
        const body = Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BYTES).toString('utf8');
        const retryAfter = res.headers['retry-after'];
        const verdict = interpretResponse(request.kind, res.statusCode ?? 0, Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, body, now());
        finish(verdict.error ? { ...verdict, error: redact(verdict.error) } : verdict);
      };
      res.on('data', (chunk: Buffer) => {
        if (settled) return;
        chunks.push(chunk);
        size += chunk.length;
        // What is past the first MAX_RESPONSE_BYTES is never read: the answer is judged on
        // them and the connection closed (a receiver streaming without end costs nothing more).
        if (size >= MAX_RESPONSE_BYTES) {
          judge();
          req.destroy();
        }
      });
      res.on('error', (error) => finish(networkFailure(error, redact)));
      res.on('end', judge);
    });
    const timer = setTimeout(() => {
      const error = new Error(`no answer within ${options.timeoutMs} ms`) as NodeJS.ErrnoException;
      error.code = 'ETIMEDOUT';
      req.destroy(error);
    }, options.timeoutMs);
    req.on('error', (error) => finish(networkFailure(error, redact)));
    req.end(request.body);
  });
}

const CERTIFICATE_ERROR = /^(CERT_|ERR_TLS_CERT|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT|UNABLE_TO_(GET|VERIFY)_)/;

function networkFailure(error: unknown, redact: (text: string) => string): Omit<DeliveryAttempt, 'durationMs'> {
  const code = errorCode(error);
  // A certificate that does not verify will not verify on the next try either.
  const retryable = !(code && CERTIFICATE_ERROR.test(code));
  return { ok: false, error: `network error: ${redact(errorText(error))}`, retryable };
}

/** DNS hiccups are worth another try; a refusal by the outbound policy is not. */
function resolverErrorIsTransient(error: unknown): boolean {
  if (typeof error === 'object' && error !== null && (error as { retryable?: unknown }).retryable === true) return true;
  const code = errorCode(error);
  return code === 'EAI_AGAIN' || code === 'ETIMEDOUT' || /\b(EAI_AGAIN|ETIMEDOUT|ESERVFAIL)\b/.test(errorText(error));
}

interface ErrorLike {
  message?: unknown;
  code?: unknown;
  errors?: unknown;
}

/**
 * Errors are read by shape, not `instanceof`: Node's own errors may come from another realm
 * (test runners' VM contexts). Node's happy-eyeballs connect reports an AggregateError with an
 * empty message: its first error says what happened.
 */
function innermost(error: unknown): ErrorLike {
  const e = (typeof error === 'object' && error !== null ? error : {}) as ErrorLike;
  if (!e.message && Array.isArray(e.errors) && e.errors.length > 0) return innermost(e.errors[0]);
  return e;
}

function errorCode(error: unknown): string | undefined {
  const { code } = innermost(error);
  return typeof code === 'string' ? code : undefined;
}

function errorText(error: unknown): string {
  const e = innermost(error);
  const code = errorCode(error);
  const message = typeof e.message === 'string' ? e.message.slice(0, 300) : '';
  if (code && !message.includes(code)) return `${code} ${message}`.trim();
  return message || 'request failed';
}

/**
 * Removes the parts of a webhook URL that can be credentials (path segments, query values,
 * user info) from a message, in case a library or a platform echoes them.
 */
function redactor(rawUrl: string): (text: string) => string {
  const secrets = new Set<string>([rawUrl]);
  try {
    const url = new URL(rawUrl);
    secrets.add(`${url.pathname}${url.search}`);
    if (url.search) secrets.add(url.search);
    if (url.username) secrets.add(url.username);
    if (url.password) secrets.add(url.password);
    for (const segment of url.pathname.split('/')) if (secretLike(segment)) secrets.add(segment);
    for (const [, value] of url.searchParams) if (secretLike(value)) secrets.add(value);
    for (const part of url.search.slice(1).split('&')) {
      const value = part.slice(part.indexOf('=') + 1);
      if (secretLike(value)) secrets.add(value);
    }
  } catch {
    // An unparsable URL is redacted as a whole only.
  }
  const ordered = [...secrets].filter(Boolean).sort((a, b) => b.length - a.length);
  return (text) => ordered.reduce((out, secret) => out.split(secret).join('[redacted]'), text);
}

/** Tokens look like long strings or strings with digits; plain words ("services", "robot") are left alone. */
function secretLike(value: string): boolean {
  return value.length >= 20 || (value.length >= 6 && /\d/.test(value));
}

/**
 * A webhook URL as it may be shown or logged: scheme and host only ("https://hooks.slack.com/…"),
 * since the path or query of most chat webhooks is the credential.
 */
export function describeWebhookUrl(rawUrl: string): string {
  try {
    const url = new URL(rawUrl);
    return `${url.protocol}//${url.host}/…`;
  } catch {
    return '(invalid URL)';
  }
}
