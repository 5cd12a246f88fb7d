export type * from './model/k8s.js';
export {
  addObject,
  emptySnapshot,
  isRecord,
  PROVIDERS,
  type Provider,
  type Snapshot,
  type SnapshotFacts,
  type SnapshotObjects,
  type SnapshotWarning,
  type SourceLocation,
  type CustomResourceRef,
} from './model/snapshot.js';
export {
  SEVERITIES,
  type EvidenceValue,
  type Finding,
  type JsonObject,
  type JsonValue,
  type Remediation,
  type ResourceRef,
  type Severity,
  type Summary,
} from './model/finding.js';
export {
  DEFAULT_APP_SHUTDOWN_SECONDS,
  DEFAULT_DOCS_BASE_URL,
  DEFAULT_KUBERNETES_VERSION,
  DEFAULT_SLB_ATTACHMENT_QUOTA,
  type AdvisorOptions,
  type ProviderSource,
  type Suppression,
} from './engine/options.js';
export type { Rule, RuleCategory } from './engine/rule.js';
export { atLeast, SEVERITY_RANK } from './engine/severity.js';
export { backendEnvOf, findingSortKey, runAdvisor, type AdvisorResult } from './engine/run-advisor.js';
export { RULES, findRule } from './rules/catalog.js';
export { providerFromProviderId } from './util/provider.js';
// Read by the rollout simulator (libs/simulator): the index and the helpers rules share.
export {
  SnapshotIndex,
  externalTrafficPolicy,
  isExposedService,
  isLoadBalancer,
  serviceType,
  targetPortOf,
  type ServiceEndpoint,
} from './snapshot-index/snapshot-index.js';
export { nameOf, namespaceOf, type Workload, type WorkloadKind } from './snapshot-index/workloads.js';
export { preStopDuration, type PreStopDuration } from './rules/helpers.js';
export { alibabaAnnotation, annotationsOf, isPodDirectBackend, providerFromAnnotations } from './util/annotations.js';
export { parseKubernetesVersion, scaleIntOrPercent } from './util/numbers.js';
export { detectProvider, providerForService, type DetectedProvider } from './util/provider.js';
export { applyStrategicMerge, MERGE_KEYS } from './remediation/strategic-merge.js';
export { validatePatchedObject } from './remediation/validate.js';
export { toYaml } from './remediation/to-yaml.js';
export {
  PROFILES,
  PROFILES_VERSION,
  profileById,
  profileFor,
  type Confidence,
  type HcTarget,
  type Num,
  type ProfileProvider,
  type ProviderProfile,
  type RemovalTrigger,
} from './profiles/profiles.js';
export {
  applyProfileOverrides,
  mergeProfileOverrides,
  OVERRIDABLE_FIELDS,
  parseProfileOverrides,
  type OverridableField,
  type ProfileOverride,
  type ProfileOverrides,
} from './profiles/overrides.js';
export {
  AWS_LBC_ASSUMPTION,
  awsFlavourOf,
  ingressBackendServices,
  ingressPathOf,
  l7PathsOf,
  lbPathOf,
  lbPathsOf,
  registrationWindow,
  removalWindow,
  type IngressLike,
  type LbPath,
} from './profiles/backend.js';
export { hasIngressNeg } from './util/annotations.js';
export { SCAN_INLINING_BUDGET, SCAN_INTERRUPT_BUDGET, tuneV8ForScans, type ScanProcess } from './engine/v8-tuning.js';
