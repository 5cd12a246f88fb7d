import type { Provider } from '../model/snapshot.js';
import type { DetectedProvider } from '../util/provider.js';
import type { ProfileOverrides } from '../profiles/overrides.js';
import type { BackendEnv } from '../profiles/backend.js';
import { parseKubernetesVersion } from '../util/numbers.js';

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
  /** User values for provider profile rows (profile file, flags, organization settings). */
  profileOverrides?: ProfileOverrides;
  /**
   * The Kubernetes version manifests are judged for ("1.29"); live scans use the server's.
   * Default DEFAULT_KUBERNETES_VERSION.
   */
  kubernetesVersion?: string;
}

/** PROVIDERS.md section 7: manifests are judged for 1.30 unless told otherwise. */
export const DEFAULT_KUBERNETES_VERSION = '1.30';
/** Versions whose behaviour the rules know (PROVIDERS.md section 4). */
export const KNOWN_KUBERNETES_VERSIONS = { min: [1, 24] as const, max: [1, 36] as const };

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
  profileOverrides: ProfileOverrides | undefined;
  /** [major, minor] the rules judge for, and where it came from. */
  kubernetesVersion: [number, number];
  kubernetesVersionSource: 'flag' | 'cluster' | 'default';
  /** Load balancer controllers a live cluster shows (docs/providers.md). */
  backendEnv: BackendEnv;
}

export function resolveOptions(options: AdvisorOptions, detected: DetectedProvider, clusterVersion?: string, backendEnv: BackendEnv = {}): ResolvedOptions {
  const flagVersion = parseKubernetesVersion(options.kubernetesVersion);
  const liveVersion = parseKubernetesVersion(clusterVersion);
  const kubernetesVersion = flagVersion ?? liveVersion ?? (parseKubernetesVersion(DEFAULT_KUBERNETES_VERSION) as [number, number]);
  const kubernetesVersionSource = flagVersion ? 'flag' : liveVersion ? 'cluster' : 'default';
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
    profileOverrides: options.profileOverrides,
    kubernetesVersion,
    kubernetesVersionSource,
    backendEnv,
  };
}

/** Whether the judged version is at least major.minor. */
export function versionAtLeast(options: Pick<ResolvedOptions, 'kubernetesVersion'>, major: number, minor: number): boolean {
  const [a, b] = options.kubernetesVersion;
  return a > major || (a === major && b >= minor);
}
