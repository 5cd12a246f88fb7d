import type { IntOrString } from '../model/k8s.js';

/** A non-negative integer, or undefined for anything else (strings, negatives, NaN). */
export function asCount(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return Math.floor(value);
  if (typeof value === 'string' && /^\d+$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

export function isPercent(value: IntOrString | undefined): value is string {
  return typeof value === 'string' && /^\s*\d+(\.\d+)?%\s*$/.test(value);
}

export function percentOf(value: string): number {
  return Number.parseFloat(value);
}

/**
 * Resolves an int-or-percent against a total, as Kubernetes does
 * (intstr.GetScaledValueFromIntOrPercent). Undefined when the value is malformed.
 */
export function scaleIntOrPercent(value: IntOrString | undefined, total: number, roundUp: boolean): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (isPercent(value)) {
    const scaled = (percentOf(value) * total) / 100;
    return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
  }
  return asCount(value);
}

/** Parses "1.27.3", "v1.27.3-eks-1234" into [major, minor]. */
export function parseKubernetesVersion(version: string | undefined): [number, number] | undefined {
  const match = /^v?(\d+)\.(\d+)/.exec(version ?? '');
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}
