import { createCertificateAuthority, FakeKubeApiServer, kubeScenarios, type FakeUser } from '#rollsafe/testing';
import { call } from './http.js';

const noPods: FakeUser = {
  name: 'limited',
  rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['nodes', 'services'] }],
};
const admin: FakeUser = { name: 'cluster-admin-user', rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }] };

let server: FakeKubeApiServer;

beforeAll(async () => {
  server = await FakeKubeApiServer.start({
    scenario: kubeScenarios.smallAlibabaTerway(),
    tokens: { 'reader-token': kubeScenarios.readOnlyUser, 'writer-token': kubeScenarios.writerUser, 'limited-token': noPods, 'admin-token': admin },
    clientCertificateUsers: true,
    certificateUsers: [{ name: 'cert-only-reader', rules: kubeScenarios.readOnlyRules }],
  });
});
afterAll(async () => {
  await server.stop();
});

const url = (path: string): string => `${server.url}${path}`;

describe('FakeKubeApiServer TLS and authentication', () => {
  it('listens on 127.0.0.1 with a serving certificate for 127.0.0.1 and localhost, signed by its own CA', async () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(server.caPem).toContain('BEGIN CERTIFICATE');
    expect((await call(url('/version'), { ca: server.caPem, token: 'reader-token' })).status).toBe(200);
    const localhost = server.url.replace('127.0.0.1', 'localhost');
    expect((await call(`${localhost}/version`, { ca: server.caPem, token: 'reader-token' })).status).toBe(200);
  });

  it('is not trusted without its CA', async () => {
    const other = await createCertificateAuthority('someone-else');
    await expect(call(url('/version'), { ca: other.certPem, token: 'reader-token' })).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
  });

  it('answers 401 Status without credentials or with an unknown token', async () => {
    for (const token of [undefined, 'wrong-token']) {
      const answer = await call(url('/api/v1/pods'), { ca: server.caPem, ...(token ? { token } : {}) });
      expect(answer.status).toBe(401);
      expect(answer.json).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'Unauthorized',
        reason: 'Unauthorized',
        code: 401,
      });
    }
    expect((await call(url('/version'), { ca: server.caPem })).status).toBe(401);
  });

  it('accepts a client certificate signed by its CA, CN = user name', async () => {
    const cert = await server.issueClientCertificate('cert-only-reader');
    const answer = await call(url('/api/v1/nodes'), { ca: server.caPem, cert });
    expect(answer.status).toBe(200);
    expect(server.requests.at(-1)?.user).toBe('cert-only-reader');
  });

  it('ignores a client certificate from another CA', async () => {
    const other = await createCertificateAuthority('someone-else');
    const cert = await other.issueClient('system:serviceaccount:rollsafe:rollsafe-reader');
    const answer = await call(url('/api/v1/nodes'), { ca: server.caPem, cert });
    expect(answer.status).toBe(401);
  });

  it('a certificate naming an unknown user authenticates but may list nothing', async () => {
    const cert = await server.issueClientCertificate('stranger');
    const answer = await call(url('/api/v1/nodes'), { ca: server.caPem, cert });
    expect(answer.status).toBe(403);
    expect(answer.json['message']).toBe('nodes is forbidden: User "stranger" cannot list resource "nodes" in API group "" at the cluster scope');
  });
});

describe('FakeKubeApiServer RBAC', () => {
  it('answers 403 Status when the user rules forbid a list, cluster-wide and namespaced', async () => {
    const pods = await call(url('/api/v1/pods'), { ca: server.caPem, token: 'limited-token' });
    expect(pods.status).toBe(403);
    expect(pods.json).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'pods is forbidden: User "limited" cannot list resource "pods" in API group "" at the cluster scope',
      reason: 'Forbidden',
      details: { kind: 'pods' },
      code: 403,
    });
    const deployments = await call(url('/apis/apps/v1/namespaces/shop/deployments'), { ca: server.caPem, token: 'limited-token' });
    expect(deployments.status).toBe(403);
    expect(deployments.json['message']).toBe(
      'deployments.apps is forbidden: User "limited" cannot list resource "deployments" in API group "apps" in the namespace "shop"',
    );
    expect(deployments.json['details']).toEqual({ group: 'apps', kind: 'deployments' });
    expect((await call(url('/api/v1/nodes'), { ca: server.caPem, token: 'limited-token' })).status).toBe(200);
  });

  it('refuses reading resources outside the reader rules (secrets) with 403', async () => {
    const answer = await call(url('/api/v1/secrets'), { ca: server.caPem, token: 'reader-token' });
    expect(answer.status).toBe(403);
    expect(answer.json['reason']).toBe('Forbidden');
  });

  it.each(['POST', 'PUT', 'PATCH', 'DELETE'])('refuses every %s with 403, even for a user whose rules allow it', async (method) => {
    for (const token of ['reader-token', 'writer-token', 'admin-token']) {
      const path = method === 'POST' ? '/api/v1/namespaces/shop/pods' : '/api/v1/namespaces/shop/pods/checkout-x';
      const answer = await call(url(path), { ca: server.caPem, token, method, body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } } });
      expect(answer.status).toBe(403);
      expect(answer.json).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Forbidden', code: 403 });
    }
    const deployment = await call(url('/apis/apps/v1/namespaces/shop/deployments/checkout'), { ca: server.caPem, token: 'writer-token', method, body: {} });
    expect(deployment.status).toBe(403);
  });
});

describe('FakeKubeApiServer reviews', () => {
  const rulesReview = (token: string) =>
    call(url('/apis/authorization.k8s.io/v1/selfsubjectrulesreviews'), {
      ca: server.caPem,
      token,
      method: 'POST',
      body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace: 'default' } },
    });
  const accessReview = (token: string, verb: string, resource: string, group = '') =>
    call(url('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews'), {
      ca: server.caPem,
      token,
      method: 'POST',
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: { verb, group, resource, namespace: 'default' } },
      },
    });

  it('SelfSubjectRulesReview reports the user rules (and the basic-user ones), complete', async () => {
    const answer = await rulesReview('reader-token');
    expect(answer.status).toBe(201);
    expect(answer.json).toMatchObject({
      kind: 'SelfSubjectRulesReview',
      apiVersion: 'authorization.k8s.io/v1',
      spec: { namespace: 'default' },
      status: { incomplete: false },
    });
    const rules = (answer.json['status'] as { resourceRules: Array<{ verbs: string[]; apiGroups: string[]; resources: string[] }> }).resourceRules;
    for (const rule of kubeScenarios.readOnlyRules) expect(rules).toContainEqual(rule);
    expect(rules).toContainEqual({
      verbs: ['create'],
      apiGroups: ['authorization.k8s.io'],
      resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
    });
    const writes = rules.filter(
      (r) =>
        r.resources.some((x) => ['pods', 'deployments', 'services', 'secrets'].includes(x)) &&
        r.verbs.some((v) => ['create', 'update', 'patch', 'delete', '*'].includes(v)),
    );
    expect(writes).toEqual([]);
    const writer = await rulesReview('writer-token');
    const writerRules = (writer.json['status'] as { resourceRules: unknown[] }).resourceRules;
    for (const rule of kubeScenarios.writerRules) expect(writerRules).toContainEqual(rule);
  });

  it('SelfSubjectAccessReview answers from the user rules', async () => {
    const allowed = async (token: string, verb: string, resource: string, group = ''): Promise<unknown> =>
      ((await accessReview(token, verb, resource, group)).json['status'] as { allowed: boolean }).allowed;
    expect(await allowed('reader-token', 'list', 'pods')).toBe(true);
    expect(await allowed('reader-token', 'create', 'pods')).toBe(false);
    expect(await allowed('reader-token', 'delete', 'deployments', 'apps')).toBe(false);
    expect(await allowed('writer-token', 'patch', 'deployments', 'apps')).toBe(true);
    expect(await allowed('writer-token', 'create', 'secrets')).toBe(true);
    expect(await allowed('admin-token', 'update', 'services')).toBe(true);
    expect(await allowed('limited-token', 'list', 'pods')).toBe(false);
    const answer = await accessReview('reader-token', 'get', 'nodes');
    expect(answer.status).toBe(201);
    expect(answer.json).toMatchObject({
      kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes: { verb: 'get', resource: 'nodes' } },
      status: { allowed: true },
    });
  });

  it('reviews need credentials, and a body', async () => {
    const anonymous = await call(url('/apis/authorization.k8s.io/v1/selfsubjectrulesreviews'), { ca: server.caPem, method: 'POST', body: {} });
    expect(anonymous.status).toBe(401);
    const empty = await call(url('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews'), {
      ca: server.caPem,
      token: 'reader-token',
      method: 'POST',
      body: { spec: {} },
    });
    expect(empty.status).toBe(422);
    expect(empty.json['reason']).toBe('Invalid');
  });
});

describe('FakeKubeApiServer kubeconfig', () => {
  it('writes a kubeconfig with inline CA data and a token', () => {
    const text = server.kubeconfig({ auth: 'token' });
    expect(text).toContain(`server: "${server.url}"`);
    expect(text).toContain(`certificate-authority-data: ${Buffer.from(server.caPem).toString('base64')}`);
    expect(text).toContain('token: "reader-token"');
    expect(text).toContain('current-context: fake');
    expect(text).not.toMatch(/client-certificate:|client-key:|certificate-authority:|tokenFile|exec:/);
    expect(server.kubeconfig({ auth: 'token', token: 'writer-token' })).toContain('token: "writer-token"');
  });

  it('writes a kubeconfig with an inline client certificate and key that the server accepts', async () => {
    const text = server.kubeconfig({ auth: 'client-certificate', user: 'cert-only-reader' });
    const certData = /client-certificate-data: (\S+)/.exec(text)?.[1] ?? '';
    const keyData = /client-key-data: (\S+)/.exec(text)?.[1] ?? '';
    const cert = { certPem: Buffer.from(certData, 'base64').toString('utf8'), keyPem: Buffer.from(keyData, 'base64').toString('utf8') };
    expect(cert.certPem).toContain('BEGIN CERTIFICATE');
    expect(cert.keyPem).toContain('BEGIN PRIVATE KEY');
    const answer = await call(url('/api/v1/pods?limit=1'), { ca: server.caPem, cert });
    expect(answer.status).toBe(200);
    expect(server.requests.at(-1)?.user).toBe('cert-only-reader');
    // default user: the first token's
    expect(server.kubeconfig({ auth: 'client-certificate' })).toContain('client-certificate-data:');
    expect(() => server.kubeconfig({ auth: 'client-certificate', user: 'nobody-known' })).toThrow(/no client certificate/);
  });
});
