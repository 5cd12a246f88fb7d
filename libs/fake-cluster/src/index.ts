import { large } from './large.js';
import { readOnlyRules, readOnlyUser, writerRules, writerUser } from './rbac.js';
import { demoCluster } from './demo.js';
import { quotaHeavy, smallAlibabaTerway, withoutNamespace } from './scenarios.js';
import { aksStandardLoadBalancer, eksLoadBalancerController, gkeNegGates } from './provider-scenarios.js';

export { FakeKubeApiServer, type FakeKubeApiServerOptions, type KubeconfigOptions } from './server.js';
export { createCertificateAuthority, type CertificateAuthority, type IssuedCertificate } from './pki.js';
export { allows } from './rbac.js';
export { storeObjects, lowerBound } from './store.js';
export { demoCluster } from './demo.js';
export { aksStandardLoadBalancer, eksLoadBalancerController, gkeNegGates } from './provider-scenarios.js';
export type { LargeScenarioOptions } from './large.js';
export type {
  FailureInjection,
  FailureMatch,
  FakeUser,
  KubeObject,
  KubeObjectMeta,
  KubeObjectStore,
  KubeResourceName,
  KubeScenario,
  KubeScenarioExpectations,
  KubeVersionInfo,
  RequestLog,
  ResourceRule,
} from './types.js';

export const kubeScenarios = {
  smallAlibabaTerway,
  eksLoadBalancerController,
  gkeNegGates,
  aksStandardLoadBalancer,
  demoCluster,
  quotaHeavy,
  withoutNamespace,
  large,
  readOnlyRules,
  writerRules,
  readOnlyUser,
  writerUser,
};
