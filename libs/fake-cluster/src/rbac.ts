// RBAC-like authorization for the fake: a user's rules decide lists, gets, and the review answers.
import type { FakeUser, ResourceRule } from './types.js';

/** What a scan reads, get/list/watch: mirrors deploy/rbac/rollsafe-reader.yaml. */
export const readOnlyRules: ResourceRule[] = [
  { verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['nodes', 'pods', 'services', 'endpoints', 'namespaces'] },
  { verbs: ['get', 'list', 'watch'], apiGroups: ['admissionregistration.k8s.io'], resources: ['mutatingwebhookconfigurations'] },
  { verbs: ['get', 'list', 'watch'], apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'] },
  { verbs: ['get', 'list', 'watch'], apiGroups: ['apps'], resources: ['deployments', 'replicasets', 'statefulsets', 'daemonsets'] },
  { verbs: ['get', 'list', 'watch'], apiGroups: ['policy'], resources: ['poddisruptionbudgets'] },
  { verbs: ['get', 'list', 'watch'], apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'] },
];

/** readOnlyRules plus create/update/patch/delete on pods, deployments, services and secrets. */
export const writerRules: ResourceRule[] = [
  ...readOnlyRules,
  { verbs: ['create', 'update', 'patch', 'delete'], apiGroups: [''], resources: ['pods', 'services', 'secrets'] },
  { verbs: ['create', 'update', 'patch', 'delete'], apiGroups: ['apps'], resources: ['deployments'] },
];

export const readOnlyUser: FakeUser = { name: 'system:serviceaccount:rollsafe:rollsafe-reader', rules: readOnlyRules };
export const writerUser: FakeUser = { name: 'system:serviceaccount:ci:deployer', rules: writerRules };

/** Rules every authenticated user has (ClusterRole system:basic-user), as a real server reports them. */
export const basicUserRules: ResourceRule[] = [
  { verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'] },
  { verbs: ['create'], apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'] },
];

function matches(values: string[], value: string): boolean {
  return values.includes('*') || values.includes(value);
}

/** Whether the user's rules allow `verb` on `resource` (of `group`; '' is the core group). */
export function allows(user: FakeUser, verb: string, group: string, resource: string): boolean {
  return [...basicUserRules, ...user.rules].some((rule) => matches(rule.verbs, verb) && matches(rule.apiGroups, group) && matches(rule.resources, resource));
}
