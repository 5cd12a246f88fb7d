import { createHash } from 'node:crypto';

/** Stable across scans: the same rule on the same resource (and sub-key) has the same fingerprint. */
export function fingerprintOf(ruleId: string, kind: string, namespace: string, name: string, subKey: string): string {
  return createHash('sha256').update([ruleId, kind, namespace, name, subKey].join('\u0000')).digest('hex');
}
