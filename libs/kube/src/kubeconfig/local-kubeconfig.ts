import type https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeError } from '../errors.js';
import { kubernetesClient } from './client-node-check.js';
import type { ClusterCredentials } from './credentials.js';

function invalid(message: string): KubeError {
  return new KubeError('KUBECONFIG_INVALID', `kubeconfig: ${message}`);
}

async function loadFile(file: string): Promise<KubeConfig> {
  const { KubeConfig } = await kubernetesClient();
  const config = new KubeConfig();
  try {
    config.loadFromFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw invalid(code ? `cannot read ${file} (${code})` : `${file} is not a valid kubeconfig`);
  }
  return config;
}

function selectContext(config: KubeConfig, file: string, requested: string | undefined): string {
  const names = config.getContexts().map((context) => context.name);
  const name = requested ?? (config.getCurrentContext() || (names.length === 1 ? names[0] : undefined));
  if (!name) throw invalid(`${file} has no current-context; name one with --context (have: ${names.join(', ') || 'none'})`);
  if (!names.includes(name)) throw invalid(`context "${name}" is not defined in ${file} (have: ${names.join(', ') || 'none'})`);
  config.setCurrentContext(name);
  return name;
}

/** client-node fills https options: CA, client certificate, and the Authorization header (exec plugins and auth providers run here). */
async function requestOptions(config: KubeConfig): Promise<https.RequestOptions> {
  const options: https.RequestOptions = { headers: {} };
  try {
    await config.applyToHTTPSOptions(options);
  } catch (error) {
    throw new KubeError('CLUSTER_FORBIDDEN', `kubeconfig: could not obtain credentials: ${(error as Error).message}`);
  }
  return options;
}

const text = (value: unknown): string | undefined =>
  value === undefined || value === null ? undefined : Buffer.isBuffer(value) ? value.toString('utf8') : typeof value === 'string' ? value : undefined;

function bearerToken(options: https.RequestOptions): string | undefined {
  const header = (options.headers as Record<string, unknown> | undefined)?.['Authorization'];
  if (header === undefined) return undefined;
  const match = typeof header === 'string' ? /^Bearer (.+)$/.exec(header) : null;
  if (!match) throw invalid('only bearer tokens and client certificates are supported (not basic auth)');
  return match[1];
}

/**
 * For the CLI, on the user's own machine: loads a kubeconfig file with client-node (file
 * references, exec plugins and auth providers are the user's own) and turns the request
 * options it produces into ClusterCredentials for the collector.
 */
export async function loadLocalKubeconfig(file: string, context?: string): Promise<ClusterCredentials> {
  const config = await loadFile(file);
  const contextName = selectContext(config, file, context);
  const cluster = config.getCurrentCluster();
  const user = config.getCurrentUser();
  if (!cluster?.server) throw invalid(`context "${contextName}" has no cluster with a server`);
  if (!user) throw invalid(`context "${contextName}" has no user`);
  const options = await requestOptions(config);
  if (options.auth) throw invalid('only bearer tokens and client certificates are supported (not basic auth)');
  const credentials: ClusterCredentials = { contextName, server: cluster.server, insecureSkipTlsVerify: options.rejectUnauthorized === false };
  const fields: Partial<ClusterCredentials> = {
    certificateAuthority: text(options.ca),
    tlsServerName: options.servername ?? undefined,
    token: bearerToken(options),
    clientCertificate: text(options.cert),
    clientKey: text(options.key),
    namespace: config.getContextObject(contextName)?.namespace,
    execUser: user.exec || user.authProvider ? user.name : undefined,
  };
  for (const [key, value] of Object.entries(fields)) if (value !== undefined && value !== null) Object.assign(credentials, { [key]: value });
  return credentials;
}
