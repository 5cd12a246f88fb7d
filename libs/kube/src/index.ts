export { KubeError, type KubeErrorCode } from './errors.js';
export { OutboundPolicy, type AddressClass } from './outbound/address-policy.js';
export { admitKubeconfig, type IntakeOptions } from './kubeconfig/intake-policy.js';
export type { ClusterCredentials } from './kubeconfig/credentials.js';
