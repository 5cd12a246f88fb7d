import type { ApiClient } from '../http/api-client.js';

export interface ResourceRule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
}

interface RulesReview {
  status?: { resourceRules?: ResourceRule[]; incomplete?: boolean; evaluationError?: string };
}

interface AccessReview {
  status?: { allowed?: boolean; denied?: boolean; reason?: string };
}

export interface ResourceAttributes {
  verb: string;
  group: string;
  resource: string;
  namespace?: string;
}

/** Verbs that change the cluster (or grant the power to). */
export const WRITE_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection', 'escalate', 'bind', 'impersonate', '*'];

/** The resources registration asks SelfSubjectAccessReviews about, for every write verb. */
export const WRITE_PROBES: ReadonlyArray<{ group: string; resource: string }> = [
  { group: '', resource: 'pods' },
  { group: 'apps', resource: 'deployments' },
  { group: '', resource: 'services' },
  { group: '', resource: 'secrets' },
];
export const PROBED_WRITE_VERBS = ['create', 'update', 'patch', 'delete'];

/** Every user may create reviews of their own access: that is not a write. */
function isSelfReview(group: string, resource: string): boolean {
  return (group === 'authorization.k8s.io' || group === 'authentication.k8s.io') && /^selfsubject\w*reviews$/.test(resource);
}

export function describeAccess(verb: string, group: string, resource: string): string {
  return `${verb} ${group && group !== '*' ? `${resource}.${group}` : resource}`;
}

/** "verb resource[.group]" for each write a rules review grants (self reviews excepted). */
export function writesGranted(rules: readonly ResourceRule[]): string[] {
  const found = new Set<string>();
  for (const rule of rules) {
    const verbs = (rule.verbs ?? []).filter((verb) => WRITE_VERBS.includes(verb));
    for (const verb of verbs) {
      for (const group of rule.apiGroups ?? ['']) {
        for (const resource of rule.resources ?? []) {
          if (!isSelfReview(group, resource)) found.add(describeAccess(verb, group, resource));
        }
      }
    }
  }
  return [...found];
}

/** POST a SelfSubjectRulesReview for a namespace: what the credentials may do there. */
export async function reviewRules(client: ApiClient, namespace: string): Promise<ResourceRule[]> {
  const review = await client.json<RulesReview>({
    method: 'POST',
    path: '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews',
    body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace } },
  });
  return review.status?.resourceRules ?? [];
}

/** POST a SelfSubjectAccessReview: may the credentials do this (all namespaces when none is given)? */
export async function reviewAccess(client: ApiClient, attributes: ResourceAttributes): Promise<boolean> {
  const review = await client.json<AccessReview>({
    method: 'POST',
    path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
    body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: attributes } },
  });
  return review.status?.allowed === true;
}
