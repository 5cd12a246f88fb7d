import crypto from 'node:crypto';

// crypto.hash (Node 20.12+) hashes in one call, about twice as fast as createHash().update().digest().
const sha256Hex: (data: string) => string =
  typeof crypto.hash === 'function' ? (data) => crypto.hash('sha256', data, 'hex') : (data) => crypto.createHash('sha256').update(data).digest('hex');

/** Stable across scans: the same rule on the same resource (and sub-key) has the same fingerprint. */
export function fingerprintOf(ruleId: string, kind: string, namespace: string, name: string, subKey: string): string {
  return sha256Hex([ruleId, kind, namespace, name, subKey].join('\u0000'));
}
