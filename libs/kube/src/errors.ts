export type KubeErrorCode =
  | 'KUBECONFIG_INVALID'
  | 'KUBECONFIG_EXEC_FORBIDDEN'
  | 'KUBECONFIG_FILE_REFERENCE'
  | 'KUBECONFIG_INSECURE'
  | 'KUBECONFIG_NOT_READ_ONLY'
  | 'TARGET_FORBIDDEN'
  | 'CLUSTER_UNREACHABLE'
  | 'CLUSTER_FORBIDDEN'
  | 'CLUSTER_ERROR';

/**
 * A coded error from kubeconfig intake or a cluster call. Messages never carry credentials:
 * they name fields, hosts and statuses, not values.
 */
export class KubeError extends Error {
  constructor(
    readonly code: KubeErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'KubeError';
  }
}
