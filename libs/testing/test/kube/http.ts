// A bare HTTPS client for the tests: trusts only the fake's CA, optional token or client certificate.
import https from 'node:https';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: Record<string, unknown>;
}

export interface CallOptions {
  method?: string;
  token?: string;
  cert?: { certPem: string; keyPem: string };
  body?: unknown;
  ca: string;
  servername?: string;
}

export function call(url: string, options: CallOptions): Promise<Answer> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: options.method ?? 'GET',
        ca: options.ca,
        agent: false,
        ...(options.cert ? { cert: options.cert.certPem, key: options.cert.keyPem } : {}),
        headers: {
          Accept: 'application/json',
          ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
          ...(body !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } : {}),
        },
        timeout: 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: Record<string, unknown> = {};
          try {
            json = JSON.parse(text) as Record<string, unknown>;
          } catch {
            json = {};
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

export function items(answer: Answer): Array<Record<string, unknown>> {
  return (answer.json['items'] ?? []) as Array<Record<string, unknown>>;
}

export function listMeta(answer: Answer): { resourceVersion?: string; continue?: string; remainingItemCount?: number } {
  return (answer.json['metadata'] ?? {}) as { resourceVersion?: string; continue?: string; remainingItemCount?: number };
}
