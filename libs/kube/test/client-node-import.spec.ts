// The Kubernetes client is imported when a kubeconfig is first read, never with libs/kube: its
// generated API code would otherwise stay in every API process's heap (16 MB of source text,
// more of compiled code), and each full collection marks it again.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { kubernetesClient } from '../src/kubeconfig/client-node-check.js';

const source = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [full] : [];
  });
}

describe('@kubernetes/client-node', () => {
  it('is imported by no module of libs/kube but for its types', () => {
    const importsOfValues = sourceFiles(source).filter((file) =>
      /^import\s+(?!type\s)[^;]*from\s+'@kubernetes\/client-node'/m.test(fs.readFileSync(file, 'utf8')),
    );
    expect(importsOfValues.map((file) => path.relative(source, file))).toEqual([]);
  });

  it('is imported when asked for', async () => {
    const client = await kubernetesClient();
    expect(typeof client.KubeConfig).toBe('function');
  });
});
