import { load } from 'js-yaml';
import { KubeError } from '../errors.js';
import { checkWithClientNode } from './client-node-check.js';
import type { ClusterCredentials } from './credentials.js';

export interface IntakeOptions {
  /** The context to use; default: current-context, or the only context. */
  context?: string;
  /** Operator setting: accept `insecure-skip-tls-verify: true` (and then plain http). */
  allowInsecureSkipTlsVerify?: boolean;
  /**
   * On the user's own machine (the CLI) exec plugins and auth providers are the user's own;
   * the service never allows them.
   */
  allowExec?: boolean;
}

type YamlMap = Record<string, unknown>;

const FILE_REFERENCES: Array<[section: 'cluster' | 'user', field: string]> = [
  ['cluster', 'certificate-authority'],
  ['user', 'client-certificate'],
  ['user', 'client-key'],
  ['user', 'tokenFile'],
  // client-node's spelling: it reads this file while loading the kubeconfig.
  ['user', 'token-file'],
];

function isMap(value: unknown): value is YamlMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function named(list: unknown, section: string): Map<string, YamlMap> {
  const entries = new Map<string, YamlMap>();
  if (list === undefined || list === null) return entries;
  if (!Array.isArray(list)) throw invalid(`${section} must be a list`);
  list.forEach((entry, index) => {
    if (!isMap(entry) || typeof entry['name'] !== 'string') throw invalid(`${section}[${index}] has no name`);
    const body = entry[section.slice(0, -1)];
    entries.set(entry['name'], isMap(body) ? body : {});
  });
  return entries;
}

function invalid(message: string): KubeError {
  return new KubeError('KUBECONFIG_INVALID', `kubeconfig: ${message}`);
}

function decodeBase64Field(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/=\s]+$/.test(value)) throw invalid(`${field} is not base64 data`);
  return Buffer.from(value, 'base64').toString('utf8');
}

/**
 * Checks a kubeconfig before anything uses it and reduces it to the inline credentials of one
 * context. Refused: exec and auth-provider users (they would run commands on our servers),
 * references to files (they would read our disk), insecure-skip-tls-verify unless allowed,
 * proxies, and anything unparseable. Every user and cluster in the file is checked, not only
 * the selected one: nothing from a refused file is kept. What passes is then loaded by
 * `@kubernetes/client-node` as a validation step (see checkWithClientNode).
 */
export async function admitKubeconfig(text: string, options: IntakeOptions = {}): Promise<ClusterCredentials> {
  let document: unknown;
  try {
    document = load(text, { maxAliases: 10 });
  } catch (error) {
    const mark = (error as { mark?: { line: number; column: number } }).mark;
    throw invalid(`not valid YAML${mark ? ` (line ${mark.line + 1}, column ${mark.column + 1})` : ''}`);
  }
  if (!isMap(document)) throw invalid('expected a mapping with clusters, users and contexts');
  if (document['kind'] !== undefined && document['kind'] !== 'Config') throw invalid(`kind is "${String(document['kind'])}", expected Config`);

  const clusters = named(document['clusters'], 'clusters');
  const users = named(document['users'], 'users');
  const contexts = named(document['contexts'], 'contexts');

  for (const [name, user] of users) {
    for (const field of ['exec', 'auth-provider'] as const) {
      if (user[field] !== undefined && !options.allowExec) {
        throw new KubeError(
          'KUBECONFIG_EXEC_FORBIDDEN',
          `kubeconfig: user "${name}" uses ${field}, which would run a command on Rollsafe's servers; use a ServiceAccount token instead (deploy/rbac/rollsafe-reader.yaml)`,
          { user: name, field },
        );
      }
    }
  }
  for (const [section, field] of FILE_REFERENCES) {
    const entries = section === 'cluster' ? clusters : users;
    for (const [name, entry] of entries) {
      if (entry[field] !== undefined && entry[field] !== '') {
        throw new KubeError(
          'KUBECONFIG_FILE_REFERENCE',
          `kubeconfig: ${section} "${name}" references a file with ${field}; inline the data (${field === 'tokenFile' || field === 'token-file' ? 'token' : `${field}-data`}) instead`,
          { [section]: name, field },
        );
      }
    }
  }

  const contextName = pickContext(document, contexts, options.context);
  const context = contexts.get(contextName) as YamlMap;
  const clusterName = String(context['cluster'] ?? '');
  const userName = String(context['user'] ?? '');
  const cluster = clusters.get(clusterName);
  const user = users.get(userName);
  if (!cluster) throw invalid(`context "${contextName}" names cluster "${clusterName}", which is not defined`);
  if (!user) throw invalid(`context "${contextName}" names user "${userName}", which is not defined`);

  if (cluster['proxy-url'] !== undefined) {
    throw new KubeError('TARGET_FORBIDDEN', `kubeconfig: cluster "${clusterName}" sets proxy-url; Rollsafe connects to API servers directly`);
  }
  const insecure = cluster['insecure-skip-tls-verify'] === true || cluster['insecure-skip-tls-verify'] === 'true';
  if (insecure && !options.allowInsecureSkipTlsVerify) {
    throw new KubeError(
      'KUBECONFIG_INSECURE',
      `kubeconfig: cluster "${clusterName}" sets insecure-skip-tls-verify; give its certificate-authority-data instead`,
      { cluster: clusterName },
    );
  }
  const server = parseServer(cluster['server'], clusterName, insecure);

  const token = typeof user['token'] === 'string' && user['token'] !== '' ? user['token'] : undefined;
  const clientCertificate = decodeBase64Field(user['client-certificate-data'], `user "${userName}" client-certificate-data`);
  const clientKey = decodeBase64Field(user['client-key-data'], `user "${userName}" client-key-data`);
  if (Boolean(clientCertificate) !== Boolean(clientKey)) {
    throw invalid(`user "${userName}" needs both client-certificate-data and client-key-data`);
  }
  const usesExec = user['exec'] !== undefined || user['auth-provider'] !== undefined;
  if (!token && !clientCertificate && !usesExec) {
    throw invalid(`user "${userName}" has no token and no client certificate`);
  }

  const serverUrl = server.toString().replace(/\/$/, '');
  await checkWithClientNode(text, contextName, serverUrl);

  return {
    contextName,
    server: serverUrl,
    ...optional('certificateAuthority', decodeBase64Field(cluster['certificate-authority-data'], `cluster "${clusterName}" certificate-authority-data`)),
    ...optional('tlsServerName', typeof cluster['tls-server-name'] === 'string' ? cluster['tls-server-name'] : undefined),
    insecureSkipTlsVerify: insecure,
    ...optional('token', token),
    ...optional('clientCertificate', clientCertificate),
    ...optional('clientKey', clientKey),
    ...optional('namespace', typeof context['namespace'] === 'string' ? context['namespace'] : undefined),
    ...(usesExec ? { execUser: userName } : {}),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function pickContext(document: YamlMap, contexts: Map<string, YamlMap>, requested: string | undefined): string {
  if (requested !== undefined) {
    if (!contexts.has(requested)) throw invalid(`context "${requested}" is not defined (have: ${[...contexts.keys()].join(', ') || 'none'})`);
    return requested;
  }
  const current = document['current-context'];
  if (typeof current === 'string' && current !== '') {
    if (!contexts.has(current)) throw invalid(`current-context "${current}" is not defined`);
    return current;
  }
  if (contexts.size === 1) return [...contexts.keys()][0] as string;
  throw invalid(contexts.size === 0 ? 'no contexts defined' : 'no current-context; name the context to use');
}

function parseServer(value: unknown, clusterName: string, insecure: boolean): URL {
  if (typeof value !== 'string' || value === '') throw invalid(`cluster "${clusterName}" has no server`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(`cluster "${clusterName}" server is not a URL`);
  }
  if (url.protocol !== 'https:' && !(insecure && url.protocol === 'http:')) {
    throw invalid(`cluster "${clusterName}" server must be https`);
  }
  if (url.username || url.password) throw invalid(`cluster "${clusterName}" server must not carry credentials`);
  return url;
}
