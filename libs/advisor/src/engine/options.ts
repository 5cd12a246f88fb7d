import type { Provider } from '../model/snapshot.js';
import type { DetectedProvider } from '../util/provider.js';

/** An organization-level suppression: a rule silenced for all resources or a matching one. */
export interface Suppression {
  ruleId: string;
  namespace?: string;
  kind?: string;
  name?: string;
}

export interface AdvisorOptions {
  /** A provider the user names; wins over detection. */
  provider?: Provider;
  /** Alibaba Cloud `slb_quota_backendserver_attached_num` per ECS instance. Default 50. */
  slbAttachmentQuota?: number;
  /** The app's own shutdown budget added to the preStop sleep. Default 30 s (ACK's guidance). */
  appShutdownSeconds?: number;
  /** Base of the rule pages; a finding's `docs` is `${docsBaseUrl}/${ruleId}.md`. */
  docsBaseUrl?: string;
  suppressions?: Suppression[];
}

export const DEFAULT_DOCS_BASE_URL = 'https://github.com/rollsafe/rollsafe/blob/main/docs/rules';
export const DEFAULT_SLB_ATTACHMENT_QUOTA = 50;
export const DEFAULT_APP_SHUTDOWN_SECONDS = 30;

/** Where the provider came from: the user (flag or API parameter), nodes' providerID, Service annotations. */
export type ProviderSource = 'flag' | 'nodes' | 'annotations';

export interface ResolvedOptions {
  /** The provider the user named or the live cluster's nodes show. */
  namedProvider: Provider | undefined;
  /** namedProvider, else the one the upload's annotations mostly name. */
  provider: Provider | undefined;
  providerSource: ProviderSource | undefined;
  slbAttachmentQuota: number;
  appShutdownSeconds: number;
  docsBaseUrl: string;
  suppressions: Suppression[];
}

export function resolveOptions(options: AdvisorOptions, detected: DetectedProvider): ResolvedOptions {
  const namedProvider = options.provider ?? detected.fromNodes;
  const provider = namedProvider ?? detected.fromAnnotations;
  const providerSource: ProviderSource | undefined = options.provider
    ? 'flag'
    : detected.fromNodes
      ? 'nodes'
      : detected.fromAnnotations
        ? 'annotations'
        : undefined;
  return {
    namedProvider,
    provider,
    providerSource,
    slbAttachmentQuota: options.slbAttachmentQuota ?? DEFAULT_SLB_ATTACHMENT_QUOTA,
    appShutdownSeconds: options.appShutdownSeconds ?? DEFAULT_APP_SHUTDOWN_SECONDS,
    docsBaseUrl: (options.docsBaseUrl ?? DEFAULT_DOCS_BASE_URL).replace(/\/+$/, ''),
    suppressions: options.suppressions ?? [],
  };
}
