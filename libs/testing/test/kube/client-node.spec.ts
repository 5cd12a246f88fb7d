// The kubeconfigs the fake writes work with the official client, as a collector would use them.
import * as k8s from '@kubernetes/client-node';
import { FakeKubeApiServer, kubeScenarios } from '#rollsafe/testing';

let server: FakeKubeApiServer;

beforeAll(async () => {
  server = await FakeKubeApiServer.start({ scenario: kubeScenarios.smallAlibabaTerway(), clientCertificateUsers: true, maxPageSize: 4 });
});
afterAll(async () => {
  await server.stop();
});

it.each(['token', 'client-certificate'] as const)('@kubernetes/client-node lists pods page by page with a %s kubeconfig', async (auth) => {
  const config = new k8s.KubeConfig();
  config.loadFromString(server.kubeconfig({ auth }));
  const core = config.makeApiClient(k8s.CoreV1Api);
  const first = await core.listPodForAllNamespaces({ limit: 10 });
  expect(first.items).toHaveLength(4);
  expect(first.metadata?._continue).toBeTruthy();
  const second = await core.listPodForAllNamespaces({ limit: 10, _continue: first.metadata?._continue });
  expect(second.items[0]?.metadata?.name).not.toBe(first.items[0]?.metadata?.name);
  expect(server.requests.at(-1)?.user).toBe('system:serviceaccount:rollsafe:rollsafe-reader');
  await expect(core.deleteNamespacedPod({ namespace: 'shop', name: 'x' })).rejects.toMatchObject({ code: 403 });
});
