// A fake kube-apiserver over HTTPS with its own CA: bearer tokens and client certificates,
// RBAC-like rules per user, the real List wire format with limit/continue paging, Status error
// bodies, the two self-subject reviews, 403 for every write, failure injection and a request log.
import { randomUUID } from 'node:crypto';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { createCertificateAuthority, type CertificateAuthority, type IssuedCertificate } from './pki.js';
import { allows, basicUserRules, readOnlyUser } from './rbac.js';
import { lowerBound } from './store.js';
import type { FailureInjection, FailureMatch, FakeUser, KubeResourceName, KubeScenario, RequestLog } from './types.js';

export interface FakeKubeApiServerOptions {
  scenario: KubeScenario;
  /** Bearer tokens and their users; default { 'reader-token': readOnlyUser }. */
  tokens?: { [token: string]: FakeUser };
  /** Also accept client certificates signed by the fake's CA (CN = user name, O = groups). */
  clientCertificateUsers?: boolean;
  /**
   * Users who authenticate by client certificate only (no token). A certificate whose CN names
   * no known user authenticates as that name with no rules (every list is 403).
   */
  certificateUsers?: FakeUser[];
  /** Caps ?limit; default 500. */
  maxPageSize?: number;
  /** Delay before every answer; default 0. */
  latencyMs?: number;
  /** The port to listen on (127.0.0.1); default 0, any free port. */
  port?: number;
}

export interface KubeconfigOptions {
  auth: 'token' | 'client-certificate';
  /** The bearer token (auth 'token'); default: the first configured token. */
  token?: string;
  /** The user a client certificate names (auth 'client-certificate'); default: the first token's user. */
  user?: string;
  /** Server address to write; default server.url ('https://localhost:<port>' also matches the certificate). */
  server?: string;
  contextName?: string;
}

interface ResourceType {
  resource: KubeResourceName;
  group: string;
  version: string;
  kind: string;
  namespaced: boolean;
}

const RESOURCES: ResourceType[] = [
  { resource: 'nodes', group: '', version: 'v1', kind: 'Node', namespaced: false },
  { resource: 'pods', group: '', version: 'v1', kind: 'Pod', namespaced: true },
  { resource: 'services', group: '', version: 'v1', kind: 'Service', namespaced: true },
  { resource: 'endpoints', group: '', version: 'v1', kind: 'Endpoints', namespaced: true },
  { resource: 'endpointslices', group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', namespaced: true },
  { resource: 'deployments', group: 'apps', version: 'v1', kind: 'Deployment', namespaced: true },
  { resource: 'replicasets', group: 'apps', version: 'v1', kind: 'ReplicaSet', namespaced: true },
  { resource: 'statefulsets', group: 'apps', version: 'v1', kind: 'StatefulSet', namespaced: true },
  { resource: 'daemonsets', group: 'apps', version: 'v1', kind: 'DaemonSet', namespaced: true },
  { resource: 'poddisruptionbudgets', group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', namespaced: true },
  { resource: 'horizontalpodautoscalers', group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler', namespaced: true },
  { resource: 'namespaces', group: '', version: 'v1', kind: 'Namespace', namespaced: false },
  {
    resource: 'mutatingwebhookconfigurations',
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    kind: 'MutatingWebhookConfiguration',
    namespaced: false,
  },
];

const GROUP_VERSIONS: Record<string, string[]> = {
  apps: ['v1'],
  'discovery.k8s.io': ['v1'],
  policy: ['v1'],
  autoscaling: ['v2', 'v1'],
  'authorization.k8s.io': ['v1'],
  'authentication.k8s.io': ['v1'],
  'admissionregistration.k8s.io': ['v1'],
};

const PUBLIC_PATHS = ['/healthz', '/livez', '/readyz'];
const NON_RESOURCE_URLS = ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'];
const EXPIRED_MESSAGE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';
const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  410: 'Expired',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
};
const WRITE_VERBS: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };
/** Items are written in batches of about this many characters. */
const CHUNK_CHARS = 256 * 1024;

interface ContinueToken {
  v: string;
  rv: number;
  start: string;
}

interface PendingFailure {
  match: FailureMatch;
  response: FailureInjection;
  remaining: number;
}

/** What a URL names. */
type Route =
  | { type: 'version' | 'api' | 'apis' | 'health' }
  | { type: 'group'; group: string; version: string }
  | { type: 'review'; review: 'selfsubjectrulesreviews' | 'selfsubjectaccessreviews' }
  | { type: 'resource'; resourceType: ResourceType; namespace?: string; name?: string }
  | { type: 'unknown-resource'; group: string; resource: string; namespace?: string; name?: string }
  | { type: 'not-found' };

class HttpError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

function statusBody(code: number, message: string, details?: Record<string, unknown>): string {
  return JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason: REASONS[code] ?? 'Unknown',
    ...(details ? { details } : {}),
    code,
  });
}

function qualifiedResource(group: string, resource: string): string {
  return group ? `${resource}.${group}` : resource;
}

function route(path: string): Route {
  if (path === '/version' || path === '/version/') return { type: 'version' };
  if (path === '/api' || path === '/api/') return { type: 'api' };
  if (path === '/apis' || path === '/apis/') return { type: 'apis' };
  if (PUBLIC_PATHS.includes(path)) return { type: 'health' };
  const parts = path
    .split('/')
    .filter((p) => p !== '')
    .map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts[1] === 'v1') {
    group = '';
    version = 'v1';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 3) {
    group = parts[1] ?? '';
    version = parts[2] ?? '';
    rest = parts.slice(3);
    if (!(GROUP_VERSIONS[group] ?? []).includes(version)) return { type: 'not-found' };
  } else {
    return { type: 'not-found' };
  }
  if (rest.length === 0) return { type: 'group', group, version };
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource = '', name, ...more] = rest;
  if (more.length > 0) return { type: 'not-found' };
  if (group === 'authorization.k8s.io' && (resource === 'selfsubjectrulesreviews' || resource === 'selfsubjectaccessreviews') && !namespace && !name) {
    return { type: 'review', review: resource };
  }
  const resourceType = RESOURCES.find((r) => r.resource === resource && r.group === group && r.version === version);
  if (!resourceType) {
    return { type: 'unknown-resource', group, resource, ...(namespace !== undefined ? { namespace } : {}), ...(name !== undefined ? { name } : {}) };
  }
  if (!resourceType.namespaced && namespace !== undefined) return { type: 'not-found' };
  if (resourceType.namespaced && namespace === undefined && name !== undefined) return { type: 'not-found' };
  return { type: 'resource', resourceType, ...(namespace !== undefined ? { namespace } : {}), ...(name !== undefined ? { name } : {}) };
}

function forbidden(user: FakeUser, verb: string, group: string, resource: string, namespace?: string, name?: string): HttpError {
  const where = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
  return new HttpError(
    403,
    `${qualifiedResource(group, resource)}${name ? ` "${name}"` : ''} is forbidden: User "${user.name}" cannot ${verb} resource "${resource}" in API group "${group}" ${where}`,
    {
      ...(name ? { name } : {}),
      ...(group ? { group } : {}),
      kind: resource,
    },
  );
}

function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify(token)).toString('base64');
}

function decodeContinue(text: string): ContinueToken {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64').toString('utf8'));
  } catch {
    throw new HttpError(400, 'continue key is not valid: illegal base64 data');
  }
  const token = parsed as Partial<ContinueToken> | null;
  if (!token || token.v !== 'meta.k8s.io/v1' || typeof token.rv !== 'number' || typeof token.start !== 'string') {
    throw new HttpError(400, 'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
  return token as ContinueToken;
}

function yamlString(value: string): string {
  return JSON.stringify(value);
}

export class FakeKubeApiServer {
  /** Every request answered, in order of arrival. */
  readonly requests: RequestLog[] = [];
  private held: Promise<void> | undefined;
  private scenario: KubeScenario;
  private currentRv: number;
  /** Continue tokens issued before this resourceVersion are expired (410). */
  private oldestValidRv: number;
  private readonly failures: PendingFailure[] = [];
  private readonly users: Map<string, FakeUser>;

  private constructor(
    private readonly server: https.Server,
    readonly url: string,
    readonly caPem: string,
    private readonly ca: CertificateAuthority,
    private readonly tokens: { [token: string]: FakeUser },
    private readonly clientCertificates: Map<string, IssuedCertificate>,
    private readonly options: Required<Pick<FakeKubeApiServerOptions, 'maxPageSize' | 'latencyMs' | 'clientCertificateUsers'>>,
    scenario: KubeScenario,
    users: Map<string, FakeUser>,
  ) {
    this.scenario = scenario;
    this.currentRv = scenario.resourceVersion;
    this.oldestValidRv = scenario.resourceVersion;
    this.users = users;
  }

  static async start(options: FakeKubeApiServerOptions): Promise<FakeKubeApiServer> {
    const tokens = options.tokens ?? { 'reader-token': readOnlyUser };
    const users = new Map<string, FakeUser>();
    for (const user of [...Object.values(tokens), ...(options.certificateUsers ?? [])]) if (!users.has(user.name)) users.set(user.name, user);
    const ca = await createCertificateAuthority();
    const serving = await ca.issueServer(['127.0.0.1', '::1'], ['localhost']);
    const clientCertificates = new Map<string, IssuedCertificate>();
    if (options.clientCertificateUsers) {
      for (const user of users.values()) clientCertificates.set(user.name, await ca.issueClient(user.name, user.groups ?? []));
    }
    const server = https.createServer({
      key: serving.keyPem,
      cert: serving.certPem,
      ca: [ca.certPem],
      requestCert: options.clientCertificateUsers ?? false,
      rejectUnauthorized: false,
      keepAlive: true,
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const port = (server.address() as AddressInfo).port;
    const fake = new FakeKubeApiServer(
      server,
      `https://127.0.0.1:${port}`,
      ca.certPem,
      ca,
      tokens,
      clientCertificates,
      {
        maxPageSize: Math.max(1, options.maxPageSize ?? 500),
        latencyMs: Math.max(0, options.latencyMs ?? 0),
        clientCertificateUsers: options.clientCertificateUsers ?? false,
      },
      options.scenario,
      users,
    );
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      void fake.handle(req, res);
    });
    return fake;
  }

  /** The resourceVersion lists report now. */
  get resourceVersion(): string {
    return String(this.currentRv);
  }

  get currentScenario(): KubeScenario {
    return this.scenario;
  }

  /** A kubeconfig YAML with inline certificate-authority-data and credentials. */
  kubeconfig(options: KubeconfigOptions): string {
    const server = options.server ?? this.url;
    const context = options.contextName ?? 'fake';
    const firstToken = Object.keys(this.tokens)[0];
    let userName: string;
    let credentials: string[];
    if (options.auth === 'token') {
      const token = options.token ?? firstToken;
      if (token === undefined) throw new Error('the fake apiserver has no token; pass one');
      userName = this.tokens[token]?.name ?? 'unknown';
      credentials = [`    token: ${yamlString(token)}`];
    } else {
      userName = options.user ?? (firstToken !== undefined ? this.tokens[firstToken]?.name : undefined) ?? 'unknown';
      const issued = this.clientCertificates.get(userName);
      if (!issued) {
        throw new Error(
          this.options.clientCertificateUsers
            ? `no client certificate for "${userName}": name the user in tokens or certificateUsers, or use issueClientCertificate()`
            : 'client certificates are off: start the fake with clientCertificateUsers: true',
        );
      }
      credentials = [
        `    client-certificate-data: ${Buffer.from(issued.certPem).toString('base64')}`,
        `    client-key-data: ${Buffer.from(issued.keyPem).toString('base64')}`,
      ];
    }
    const kubeUser = userName.replace(/[^A-Za-z0-9._-]/g, '-');
    return [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: ${context}`,
      '  cluster:',
      `    server: ${yamlString(server)}`,
      `    certificate-authority-data: ${Buffer.from(this.caPem).toString('base64')}`,
      'users:',
      `- name: ${kubeUser}`,
      '  user:',
      ...credentials,
      'contexts:',
      `- name: ${context}`,
      '  context:',
      `    cluster: ${context}`,
      `    user: ${kubeUser}`,
      `current-context: ${context}`,
      '',
    ].join('\n');
  }

  /** Signs a client certificate with the fake's CA (CN = user name), for any name. */
  issueClientCertificate(user: string, groups: string[] = []): Promise<IssuedCertificate> {
    return this.ca.issueClient(user, groups);
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  /**
   * From now on every answer waits until the returned function is called: a scan reading
   * this server stays in flight for as long as a test needs, without a fixed delay.
   */
  hold(): () => void {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    this.held = gate;
    return () => {
      if (this.held === gate) this.held = undefined;
      release();
    };
  }

  /** The next matching requests fail (410 only on list requests carrying ?continue=). */
  failNext(match: FailureMatch, response: FailureInjection): void {
    this.failures.push({ match, response, remaining: Math.max(1, response.times ?? 1) });
  }

  /** Serves another scenario; the resourceVersion bumps and earlier continue tokens expire. */
  setScenario(scenario: KubeScenario): void {
    this.scenario = scenario;
    this.currentRv = Math.max(this.currentRv + 1, scenario.resourceVersion);
    this.oldestValidRv = this.currentRv;
  }

  /** As if etcd compacted: every continue token issued so far answers 410 Expired. */
  expireContinueTokens(): void {
    this.currentRv += 1;
    this.oldestValidRv = this.currentRv;
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private authenticate(req: IncomingMessage): FakeUser | undefined {
    const socket = req.socket as TLSSocket;
    if (this.options.clientCertificateUsers && socket.authorized) {
      const cn = socket.getPeerCertificate()?.subject?.CN;
      const name = Array.isArray(cn) ? cn[0] : cn;
      if (typeof name === 'string' && name !== '') return this.users.get(name) ?? { name, rules: [] };
    }
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (match?.[1] !== undefined && Object.prototype.hasOwnProperty.call(this.tokens, match[1])) return this.tokens[match[1]];
    return undefined;
  }

  private takeFailure(method: string, path: string, isContinuedList: boolean): FailureInjection | undefined {
    const index = this.failures.findIndex(
      (f) =>
        (f.match.method === undefined || f.match.method.toUpperCase() === method) &&
        (f.match.pathPrefix === undefined || path.startsWith(f.match.pathPrefix)) &&
        (f.response.status !== 410 || isContinuedList),
    );
    if (index < 0) return undefined;
    const failure = this.failures[index] as PendingFailure;
    failure.remaining--;
    if (failure.remaining <= 0) this.failures.splice(index, 1);
    return failure.response;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const parsed = new URL(req.url ?? '/', 'https://fake.invalid');
    const path = parsed.pathname;
    const query: Record<string, string> = {};
    for (const [key, value] of parsed.searchParams) query[key] = value;
    const entry: RequestLog = { method, path, query, status: 0, at };
    this.requests.push(entry);
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
    (res as { writeHead: (...args: unknown[]) => ServerResponse }).writeHead = (...args: unknown[]) => {
      if (typeof args[0] === 'number') entry.status = args[0];
      return writeHead(...args);
    };
    res.setHeader('Audit-Id', randomUUID());
    res.setHeader('Cache-Control', 'no-cache, private');
    try {
      if (this.options.latencyMs > 0) await sleep(this.options.latencyMs);
      if (this.held) await this.held;
      const target = route(path);
      if (target.type === 'health') {
        this.sendText(res, 200, 'ok');
        return;
      }
      const user = this.authenticate(req);
      if (!user) throw new HttpError(401, 'Unauthorized');
      entry.user = user.name;
      const isList = method === 'GET' && target.type === 'resource' && target.name === undefined;
      const failure = this.takeFailure(method, path, isList && query['continue'] !== undefined && query['continue'] !== '');
      if (failure) {
        if (failure.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(failure.retryAfterSeconds));
        const messages: Record<number, string> = {
          410: EXPIRED_MESSAGE,
          429: 'Too many requests, please try again later.',
          500: 'Internal error occurred: injected failure',
          503: 'The server is currently unable to handle the request',
        };
        throw new HttpError(
          failure.status,
          messages[failure.status] ?? 'injected failure',
          failure.status === 429 && failure.retryAfterSeconds !== undefined ? { retryAfterSeconds: failure.retryAfterSeconds } : undefined,
        );
      }
      if (target.type === 'review') {
        if (method !== 'POST') throw new HttpError(405, `the server does not allow this method on the requested resource`);
        await this.review(req, res, user, target.review);
        return;
      }
      const writeVerb = WRITE_VERBS[method];
      if (writeVerb !== undefined) {
        this.refuseWrite(user, writeVerb, target);
        return;
      }
      if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'the server does not allow this method on the requested resource');
      switch (target.type) {
        case 'version':
          this.sendJson(res, 200, JSON.stringify(this.scenario.version));
          return;
        case 'api':
          this.sendJson(
            res,
            200,
            JSON.stringify({
              kind: 'APIVersions',
              versions: ['v1'],
              serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '192.168.0.2:6443' }],
            }),
          );
          return;
        case 'apis':
          this.sendJson(res, 200, JSON.stringify(this.groupList()));
          return;
        case 'group':
          this.sendJson(res, 200, JSON.stringify(this.resourceList(target.group, target.version)));
          return;
        case 'unknown-resource': {
          const verb = target.name !== undefined ? 'get' : query['watch'] === 'true' || query['watch'] === '1' ? 'watch' : 'list';
          if (!allows(user, verb, target.group, target.resource)) throw forbidden(user, verb, target.group, target.resource, target.namespace, target.name);
          throw new HttpError(404, 'the server could not find the requested resource');
        }
        case 'resource':
          await this.read(req, res, user, target.resourceType, query, target.namespace, target.name);
          return;
        default:
          throw new HttpError(404, 'the server could not find the requested resource');
      }
    } catch (error) {
      if (error instanceof HttpError) {
        this.sendJson(res, error.code, statusBody(error.code, error.message, error.details));
      } else {
        this.sendJson(res, 500, statusBody(500, `Internal error occurred: ${error instanceof Error ? error.message : String(error)}`));
      }
    }
  }

  private sendJson(res: ServerResponse, status: number, body: string): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }

  private sendText(res: ServerResponse, status: number, body: string): void {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }

  private groupList(): Record<string, unknown> {
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: Object.entries(GROUP_VERSIONS).map(([name, versions]) => ({
        name,
        versions: versions.map((version) => ({ groupVersion: `${name}/${version}`, version })),
        preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] },
      })),
    };
  }

  private resourceList(group: string, version: string): Record<string, unknown> {
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: group ? `${group}/${version}` : version,
      resources: RESOURCES.filter((r) => r.group === group && r.version === version).map((r) => ({
        name: r.resource,
        singularName: r.kind.toLowerCase(),
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      })),
    };
  }

  private refuseWrite(user: FakeUser, verb: string, target: Route): never {
    if (target.type === 'resource' || target.type === 'unknown-resource') {
      const group = target.type === 'resource' ? target.resourceType.group : target.group;
      const resource = target.type === 'resource' ? target.resourceType.resource : target.resource;
      const effectiveVerb = verb === 'delete' && target.name === undefined ? 'deletecollection' : verb;
      const error = forbidden(user, effectiveVerb, group, resource, target.namespace, target.name);
      if (allows(user, effectiveVerb, group, resource)) {
        throw new HttpError(403, `${error.message}: the fake kube-apiserver refuses every write`, error.details);
      }
      throw error;
    }
    throw new HttpError(403, `forbidden: User "${user.name}" cannot ${verb} this path: the fake kube-apiserver refuses every write`);
  }

  private async readBody(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > 1024 * 1024) throw new HttpError(400, 'request body too large');
      chunks.push(buffer);
    }
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      throw new HttpError(400, "couldn't get version/kind; json parse error: invalid JSON");
    }
  }

  private async review(
    req: IncomingMessage,
    res: ServerResponse,
    user: FakeUser,
    review: 'selfsubjectrulesreviews' | 'selfsubjectaccessreviews',
  ): Promise<void> {
    const body = await this.readBody(req);
    const spec = (typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['spec'] : undefined) as Record<string, unknown> | undefined;
    if (review === 'selfsubjectrulesreviews') {
      const namespace = typeof spec?.['namespace'] === 'string' ? spec['namespace'] : '';
      const answer = {
        kind: 'SelfSubjectRulesReview',
        apiVersion: 'authorization.k8s.io/v1',
        metadata: { creationTimestamp: null },
        spec: { ...(namespace ? { namespace } : {}) },
        status: {
          resourceRules: [...basicUserRules, ...user.rules].map((rule) => ({
            verbs: [...rule.verbs],
            apiGroups: [...rule.apiGroups],
            resources: [...rule.resources],
          })),
          nonResourceRules: [{ verbs: ['get'], nonResourceURLs: NON_RESOURCE_URLS }],
          incomplete: false,
        },
      };
      this.sendJson(res, 201, JSON.stringify(answer));
      return;
    }
    const attributes = spec?.['resourceAttributes'] as Record<string, unknown> | undefined;
    const nonResource = spec?.['nonResourceAttributes'] as Record<string, unknown> | undefined;
    if ((attributes === undefined) === (nonResource === undefined)) {
      throw new HttpError(
        422,
        'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
        {
          group: 'authorization.k8s.io',
          kind: 'SelfSubjectAccessReview',
        },
      );
    }
    let allowed: boolean;
    if (attributes) {
      const text = (key: string): string => (typeof attributes[key] === 'string' ? (attributes[key] as string) : '');
      allowed = allows(user, text('verb'), text('group'), text('resource'));
    } else {
      const path = typeof nonResource?.['path'] === 'string' ? nonResource['path'] : '';
      allowed = nonResource?.['verb'] === 'get' && NON_RESOURCE_URLS.some((u) => (u.endsWith('*') ? path.startsWith(u.slice(0, -1)) : u === path));
    }
    const answer = {
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: spec ?? {},
      status: allowed
        ? { allowed: true, reason: `RBAC: allowed by ClusterRoleBinding "rollsafe" of ClusterRole "rollsafe" to User "${user.name}"` }
        : { allowed: false },
    };
    this.sendJson(res, 201, JSON.stringify(answer));
  }

  private async read(
    req: IncomingMessage,
    res: ServerResponse,
    user: FakeUser,
    type: ResourceType,
    query: Record<string, string>,
    namespace: string | undefined,
    name: string | undefined,
  ): Promise<void> {
    const watch = query['watch'] === 'true' || query['watch'] === '1';
    const verb = name !== undefined ? 'get' : watch ? 'watch' : 'list';
    if (!allows(user, verb, type.group, type.resource)) throw forbidden(user, verb, type.group, type.resource, namespace, name);
    const store = this.scenario.store(type.resource);
    const apiVersion = type.group ? `${type.group}/${type.version}` : type.version;
    if (name !== undefined) {
      const key = namespace !== undefined ? `${namespace}/${name}` : name;
      const index = lowerBound(store, key);
      if (index >= store.size || store.key(index) !== key) {
        throw new HttpError(404, `${qualifiedResource(type.group, type.resource)} "${name}" not found`, {
          name,
          ...(type.group ? { group: type.group } : {}),
          kind: type.resource,
        });
      }
      const json = store.json(index);
      this.sendJson(res, 200, `{"kind":"${type.kind}","apiVersion":"${apiVersion}",${json.slice(1)}`);
      return;
    }
    if (watch) throw new HttpError(400, 'watch is not supported by the fake kube-apiserver');
    if (query['labelSelector'] || query['fieldSelector']) throw new HttpError(400, 'label and field selectors are not supported by the fake kube-apiserver');
    let lo = 0;
    let hi = store.size;
    if (namespace !== undefined) {
      lo = lowerBound(store, `${namespace}/`);
      hi = lowerBound(store, `${namespace}0`, lo); // '0' follows '/'
    }
    let start = lo;
    let listRv = this.currentRv;
    const continueText = query['continue'];
    if (continueText) {
      if (query['resourceVersion']) throw new HttpError(400, 'specifying resource version is not allowed when using continue');
      const token = decodeContinue(continueText);
      if (token.rv < this.oldestValidRv || token.rv > this.currentRv) throw new HttpError(410, EXPIRED_MESSAGE);
      listRv = token.rv;
      start = Math.max(lo, lowerBound(store, token.start, lo, hi));
    }
    const requested = Number.parseInt(query['limit'] ?? '', 10);
    const limit = Number.isFinite(requested) && requested > 0 ? Math.min(requested, this.options.maxPageSize) : Infinity;
    const end = Math.min(hi, start + limit);
    const metadata: Record<string, unknown> = { resourceVersion: String(listRv) };
    if (end < hi) {
      metadata['continue'] = encodeContinue({ v: 'meta.k8s.io/v1', rv: listRv, start: `${store.key(end - 1)}\u0000` });
      metadata['remainingItemCount'] = hi - end;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    let buffer = `{"kind":"${type.kind}List","apiVersion":"${apiVersion}","metadata":${JSON.stringify(metadata)},"items":[`;
    for (let i = start; i < end; i++) {
      if (res.destroyed) return;
      buffer += (i > start ? ',' : '') + store.json(i);
      if (buffer.length >= CHUNK_CHARS) {
        const flushed = res.write(buffer);
        buffer = '';
        if (!flushed)
          await new Promise<void>((resolve) => {
            const done = (): void => {
              res.off('drain', done);
              res.off('close', done);
              resolve();
            };
            res.on('drain', done);
            res.on('close', done);
          });
      }
    }
    res.end(`${buffer}]}`);
  }
}
