import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAll } from 'js-yaml';
import { READABLE_RESOURCES } from '../src/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };
type Doc = {
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  rules?: Rule[];
  type?: string;
  subjects?: unknown[];
  roleRef?: unknown;
};

describe('deploy/rbac/rollsafe-reader.yaml', () => {
  const docs = loadAll(fs.readFileSync(path.join(root, 'deploy/rbac/rollsafe-reader.yaml'), 'utf8')) as Doc[];
  const byKind = (kind: string): Doc => docs.find((doc) => doc.kind === kind) as Doc;

  it('grants get/list/watch on exactly the resources a scan reads, and nothing else', () => {
    const rules = byKind('ClusterRole').rules ?? [];
    for (const rule of rules) expect(rule.verbs).toEqual(['get', 'list', 'watch']);
    const granted = rules.flatMap((rule) => rule.apiGroups.flatMap((group) => rule.resources.map((resource) => `${resource}.${group}`))).sort();
    expect(granted).toEqual(READABLE_RESOURCES.map((r) => `${r.resource}.${r.group}`).sort());
  });

  it('binds the role to the ServiceAccount and issues it a token Secret', () => {
    const account = byKind('ServiceAccount');
    expect(byKind('ClusterRoleBinding')).toMatchObject({
      roleRef: { kind: 'ClusterRole', name: byKind('ClusterRole').metadata.name },
      subjects: [{ kind: 'ServiceAccount', name: account.metadata.name, namespace: account.metadata.namespace }],
    });
    expect(byKind('Secret')).toMatchObject({
      type: 'kubernetes.io/service-account-token',
      metadata: { namespace: account.metadata.namespace, annotations: { 'kubernetes.io/service-account.name': account.metadata.name } },
    });
  });
});
