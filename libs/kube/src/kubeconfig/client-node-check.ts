import { KubeError } from '../errors.js';

/**
 * The Kubernetes client, imported when a kubeconfig is first read: loaded with the rest of
 * libs/kube, its generated API code kept 16 MB of source text and more of compiled code alive
 * in every API process (a fifth of its heap after a full collection), which each full
 * collection marks again.
 */
export function kubernetesClient(): Promise<typeof import('@kubernetes/client-node')> {
  return import('@kubernetes/client-node');
}

function invalid(message: string): KubeError {
  return new KubeError('KUBECONFIG_INVALID', `kubeconfig: ${message}`);
}

/** client-node's own messages name entries ("users[1].name is missing"), never values; keep only those. */
function safeReason(error: unknown): string {
  const message = (error as Error).message ?? '';
  return /^(clusters|users|contexts)\[\d+\]\.[\w.-]+ is missing$/.test(message) ? message : 'rejected by the Kubernetes client';
}

const normalized = (server: string): string => new URL(server).toString().replace(/\/$/, '');

/**
 * The second opinion: the Kubernetes client itself must load the file and resolve the same
 * context to the same cluster and user. Called only after the intake policy has refused
 * everything that would run a command or read a file (client-node reads `token-file` while
 * loading), so this step can only refuse more, never admit more.
 */
export async function checkWithClientNode(text: string, contextName: string, server: string): Promise<void> {
  const { KubeConfig } = await kubernetesClient();
  const config = new KubeConfig();
  try {
    config.loadFromString(text);
  } catch (error) {
    throw invalid(safeReason(error));
  }
  const context = config.getContextObject(contextName);
  if (!context) throw invalid(`the Kubernetes client finds no context "${contextName}"`);
  config.setCurrentContext(contextName);
  const cluster = config.getCurrentCluster();
  if (!cluster) throw invalid(`the Kubernetes client finds no cluster for context "${contextName}"`);
  if (!config.getCurrentUser()) throw invalid(`the Kubernetes client finds no user for context "${contextName}"`);
  if (normalized(cluster.server) !== normalized(server)) throw invalid(`the Kubernetes client reads a different server for context "${contextName}"`);
}
