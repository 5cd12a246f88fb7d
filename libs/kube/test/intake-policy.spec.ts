import { admitKubeconfig, type KubeError } from '../src/index.js';

const b64 = (text: string): string => Buffer.from(text).toString('base64');
const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

function kubeconfig(cluster: Record<string, unknown>, user: Record<string, unknown>, extra = ''): string {
  return (
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'prod',
      clusters: [{ name: 'prod', cluster: { server: 'https://k8s.example.com:6443', 'certificate-authority-data': b64(CA), ...cluster } }],
      users: [{ name: 'reader', user }],
      contexts: [{ name: 'prod', context: { cluster: 'prod', user: 'reader', namespace: 'shop' } }],
    }) + extra
  );
}

async function refusal(text: string, options = {}): Promise<KubeError> {
  try {
    await admitKubeconfig(text, options);
  } catch (error) {
    return error as KubeError;
  }
  throw new Error('expected the kubeconfig to be refused');
}

describe('admitKubeconfig', () => {
  it('admits inline token credentials and decodes the CA', async () => {
    const credentials = await admitKubeconfig(kubeconfig({}, { token: 'secret-token' }));
    expect(credentials).toEqual({
      contextName: 'prod',
      server: 'https://k8s.example.com:6443',
      certificateAuthority: CA,
      insecureSkipTlsVerify: false,
      token: 'secret-token',
      namespace: 'shop',
    });
  });

  it('admits inline client certificates', async () => {
    const credentials = await admitKubeconfig(kubeconfig({}, { 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY') }));
    expect(credentials).toMatchObject({ clientCertificate: 'CERT', clientKey: 'KEY' });
  });

  it.each([
    [{ exec: { command: 'aws', args: ['eks', 'get-token'] } }, 'exec'],
    [{ 'auth-provider': { name: 'gcp' } }, 'auth-provider'],
  ])('refuses users that would run a command: %j', async (user, field) => {
    const error = await refusal(kubeconfig({}, user));
    expect(error.code).toBe('KUBECONFIG_EXEC_FORBIDDEN');
    expect(error.message).toContain(field);
  });

  it('refuses exec in any user of the file, not only the selected one', async () => {
    const text = JSON.stringify({
      'current-context': 'a',
      clusters: [{ name: 'c', cluster: { server: 'https://k8s.example.com' } }],
      users: [
        { name: 'good', user: { token: 't' } },
        { name: 'evil', user: { exec: { command: 'sh', args: ['-c', 'curl evil'] } } },
      ],
      contexts: [{ name: 'a', context: { cluster: 'c', user: 'good' } }],
    });
    expect((await refusal(text)).code).toBe('KUBECONFIG_EXEC_FORBIDDEN');
  });

  it.each([
    [{ 'certificate-authority': '/etc/kubernetes/pki/ca.crt' }, {}, 'certificate-authority'],
    [{}, { 'client-certificate': '/root/.kube/client.crt', 'client-key-data': b64('KEY') }, 'client-certificate'],
    [{}, { 'client-key': '/root/.kube/client.key', 'client-certificate-data': b64('CERT') }, 'client-key'],
    [{}, { tokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token' }, 'tokenFile'],
  ])('refuses file references %j %j', async (cluster, user, field) => {
    const error = await refusal(kubeconfig(cluster, { token: 't', ...user }));
    expect(error.code).toBe('KUBECONFIG_FILE_REFERENCE');
    expect(error.message).toContain(field);
    expect(error.message).not.toContain('/root');
  });

  it('refuses insecure-skip-tls-verify unless the operator allows it', async () => {
    const text = kubeconfig({ 'insecure-skip-tls-verify': true }, { token: 't' });
    expect((await refusal(text)).code).toBe('KUBECONFIG_INSECURE');
    expect((await admitKubeconfig(text, { allowInsecureSkipTlsVerify: true })).insecureSkipTlsVerify).toBe(true);
  });

  it.each([
    ['not yaml: [', 'not valid YAML'],
    ['- a list', 'expected a mapping'],
    [kubeconfig({ server: 'http://k8s.example.com' }, { token: 't' }), 'must be https'],
    [kubeconfig({ server: '' }, { token: 't' }), 'has no server'],
    [kubeconfig({}, {}), 'no token and no client certificate'],
    [kubeconfig({}, { 'client-certificate-data': b64('CERT') }), 'needs both'],
  ])('refuses unusable input as KUBECONFIG_INVALID: %s', async (text, message) => {
    const error = await refusal(text);
    expect(error.code).toBe('KUBECONFIG_INVALID');
    expect(error.message).toContain(message);
  });

  it('never puts a credential in an error message', async () => {
    const error = await refusal(kubeconfig({ 'insecure-skip-tls-verify': true }, { token: 'very-secret-token' }));
    expect(error.message).not.toContain('very-secret-token');
    expect(JSON.stringify(error.details)).not.toContain('very-secret-token');
  });

  it('refuses proxies, which would bypass the address policy', async () => {
    expect((await refusal(kubeconfig({ 'proxy-url': 'http://10.0.0.1:3128' }, { token: 't' }))).code).toBe('TARGET_FORBIDDEN');
  });

  it('picks the named context and lets the CLI keep exec users', async () => {
    const text = kubeconfig({}, { exec: { command: 'aws' } });
    expect((await admitKubeconfig(text, { allowExec: true, context: 'prod' })).execUser).toBe('reader');
    expect((await refusal(text, { allowExec: true, context: 'staging' })).message).toContain('context "staging" is not defined');
  });
});

describe('admitKubeconfig: the client-node validation step', () => {
  it("refuses client-node's token-file spelling before client-node would read the file", async () => {
    const error = await refusal(kubeconfig({}, { token: 't', 'token-file': '/etc/shadow' }));
    expect(error.code).toBe('KUBECONFIG_FILE_REFERENCE');
    expect(error.message).not.toContain('/etc/shadow');
  });

  it('refuses what the Kubernetes client cannot load, even in an unused entry', async () => {
    const text = JSON.stringify({
      'current-context': 'a',
      clusters: [
        { name: 'c', cluster: { server: 'https://k8s.example.com' } },
        { name: 'spare', cluster: {} },
      ],
      users: [{ name: 'u', user: { token: 't' } }],
      contexts: [{ name: 'a', context: { cluster: 'c', user: 'u' } }],
    });
    const error = await refusal(text);
    expect(error.code).toBe('KUBECONFIG_INVALID');
    expect(error.message).toContain('clusters[1].cluster.server is missing');
  });

  it('admits YAML the client loads to the same server', async () => {
    const yaml = [
      'apiVersion: v1',
      'kind: Config',
      'current-context: prod',
      'clusters:',
      '- name: prod',
      '  cluster: { server: "https://K8S.example.com:443/" }',
      'users:',
      '- name: reader',
      '  user: { token: abc }',
      'contexts:',
      '- name: prod',
      '  context: { cluster: prod, user: reader }',
    ].join('\n');
    expect(await admitKubeconfig(yaml)).toMatchObject({ server: 'https://k8s.example.com', token: 'abc' });
  });
});
