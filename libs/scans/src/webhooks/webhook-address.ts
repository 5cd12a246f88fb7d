import { KubeError, OutboundPolicy } from '#rollsafe/kube';

/**
 * The outbound policy as libs/notify's `resolveTarget`: every address the host resolves to is
 * checked, and the one returned is the one connected to. Refusals and lookup failures come
 * back as plain errors with the policy's message (e.g. "10.0.0.5 is a private address (allow
 * it with ROLLSAFE_OUTBOUND_ALLOW)" or "cannot resolve hooks.example.com: ENOTFOUND"), without
 * the cluster-oriented code libs/kube gives them.
 */
export function webhookAddressResolver(outboundAllow: readonly string[]): (host: string) => Promise<{ address: string; family: 4 | 6 }> {
  const policy = new OutboundPolicy(outboundAllow);
  return async (host) => {
    try {
      return await policy.resolve(host);
    } catch (error) {
      if (error instanceof KubeError) throw new Error(error.message);
      throw error;
    }
  };
}
