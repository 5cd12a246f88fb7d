// libs/kube behind one injectable, configured once from the operator's settings: which
// addresses API servers may be at (ROLLSAFE_OUTBOUND_ALLOW) and whether
// insecure-skip-tls-verify is accepted. The service never allows exec plugins.
import { Inject, Injectable } from '@nestjs/common';
import {
  OutboundPolicy,
  admitKubeconfig,
  collectClusterSnapshot,
  verifyClusterAccess,
  type AccessReport,
  type ClusterCredentials,
  type CollectResult,
} from '#rollsafe/kube';
import { SCANS_CONFIG, type ScansConfig } from '../options.js';

@Injectable()
export class ClusterConnector {
  private readonly outbound: OutboundPolicy;

  constructor(@Inject(SCANS_CONFIG) private readonly options: ScansConfig) {
    this.outbound = new OutboundPolicy(options.outboundAllow);
  }

  /** Parses and checks a kubeconfig; throws KubeError (KUBECONFIG_*, TARGET_FORBIDDEN). Nothing runs, nothing is read from disk. */
  admit(kubeconfig: string, context?: string): Promise<ClusterCredentials> {
    return admitKubeconfig(kubeconfig, {
      ...(context ? { context } : {}),
      allowInsecureSkipTlsVerify: this.options.allowInsecureKubeconfig === true,
      allowExec: false,
    });
  }

  /** Reachable, authenticated, read-only? Throws KubeError otherwise. */
  verify(credentials: ClusterCredentials): Promise<AccessReport> {
    return verifyClusterAccess(credentials, { outbound: this.outbound, ...this.timeout() });
  }

  collect(credentials: ClusterCredentials): Promise<CollectResult> {
    return collectClusterSnapshot(credentials, {
      outbound: this.outbound,
      ...this.timeout(),
      ...(this.options.kubeRetryBaseDelayMs !== undefined ? { retryBaseDelayMs: this.options.kubeRetryBaseDelayMs } : {}),
    });
  }

  private timeout(): { requestTimeoutMs?: number } {
    return this.options.kubeRequestTimeoutMs ? { requestTimeoutMs: this.options.kubeRequestTimeoutMs } : {};
  }
}
