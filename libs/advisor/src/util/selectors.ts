import type { LabelSelector, Labels } from '../model/k8s.js';

/** A Service's selector: every pair must match (AND). An empty selector selects nothing here. */
export function matchesServiceSelector(selector: Labels, labels: Labels | undefined): boolean {
  if (!labels) return false;
  for (const key in selector) {
    if (labels[key] !== String(selector[key])) return false;
  }
  return true;
}

/**
 * A metav1.LabelSelector. `undefined` selects nothing; `{}` selects everything (policy/v1
 * PDB semantics). An unknown operator selects nothing rather than guessing.
 */
export function matchesLabelSelector(selector: LabelSelector | undefined, labels: Labels | undefined): boolean {
  if (!selector) return false;
  const own = labels ?? {};
  for (const key in selector.matchLabels ?? {}) {
    if (own[key] !== String(selector.matchLabels?.[key])) return false;
  }
  for (const requirement of selector.matchExpressions ?? []) {
    const key = requirement.key ?? '';
    const has = Object.prototype.hasOwnProperty.call(own, key);
    const values = (requirement.values ?? []).map(String);
    switch (requirement.operator) {
      case 'In':
        if (!has || !values.includes(own[key] as string)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(own[key] as string)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

export function isEmptySelector(selector: Labels | undefined): boolean {
  return !selector || Object.keys(selector).length === 0;
}

/** Parses a `k=v,k2=v2` label list, as used by the Alibaba backend-label annotation. */
export function parseLabelList(text: string): Labels {
  const labels: Labels = {};
  for (const part of text.split(',')) {
    const [key, value] = part.split('=').map((s) => s.trim());
    if (key) labels[key] = value ?? '';
  }
  return labels;
}
