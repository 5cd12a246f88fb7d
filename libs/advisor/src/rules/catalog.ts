import type { Rule } from '../engine/rule.js';
import {
  containerRestartLoop,
  livenessEqualsReadiness,
  livenessKillsSlowStart,
  prestopHookMissing,
  prestopSleepTooShort,
  probePortUnknown,
  readinessProbeMissing,
  terminationGraceTooShort,
} from './lifecycle.js';
import { localTrafficNodeSinglePod, replicasNotSpread, replicasOnSingleNode } from './placement.js';
import { localTrafficRolloutUnsafe, pdbBlocksEviction, pdbMissing, recreateStrategy, rolloutCapacityDip, singleReplica } from './rollout.js';
import {
  endpointsNotReady,
  eniBackendRecommended,
  externalTrafficPolicyCluster,
  lbConnectionDrainOff,
  serviceSelectorNoMatch,
  serviceTargetPortUnresolved,
} from './service.js';
import { slbQuotaPerNode } from './slb-quota.js';
import {
  alibabaEniGracefulShutdownOff,
  alibabaL7HealthCheckOff,
  awsReadinessGateLabelMissing,
  awsReadinessWebhookFailOpen,
  azureClusterProbeNotShared,
  gkeNegGateWithoutHealthCheck,
  lbBackendQuota,
  lbDrainExceedsGrace,
  lbReadinessGateMissing,
  lbRegistrationOutpacesRollout,
  localHealthCheckNotNodeAware,
  tkeDirectAccessGracefulOff,
} from './providers.js';

/**
 * Every rule, in RULES.md's order: its categories in turn, each closed by the provider rules of
 * PROVIDERS.md section 5 in that section's order (docs/rules/README.md lists them the same way).
 * Rule ids are a public contract: never rename one.
 */
export const RULES: readonly Rule[] = [
  // Lifecycle
  readinessProbeMissing,
  prestopHookMissing,
  prestopSleepTooShort,
  terminationGraceTooShort,
  livenessKillsSlowStart,
  livenessEqualsReadiness,
  probePortUnknown,
  containerRestartLoop,
  lbDrainExceedsGrace,
  // Rollout
  recreateStrategy,
  singleReplica,
  rolloutCapacityDip,
  localTrafficRolloutUnsafe,
  pdbMissing,
  pdbBlocksEviction,
  lbReadinessGateMissing,
  awsReadinessGateLabelMissing,
  awsReadinessWebhookFailOpen,
  gkeNegGateWithoutHealthCheck,
  lbRegistrationOutpacesRollout,
  // Placement
  replicasNotSpread,
  replicasOnSingleNode,
  localTrafficNodeSinglePod,
  // Service and load balancer
  serviceSelectorNoMatch,
  serviceTargetPortUnresolved,
  endpointsNotReady,
  externalTrafficPolicyCluster,
  lbConnectionDrainOff,
  eniBackendRecommended,
  slbQuotaPerNode,
  localHealthCheckNotNodeAware,
  azureClusterProbeNotShared,
  tkeDirectAccessGracefulOff,
  alibabaEniGracefulShutdownOff,
  alibabaL7HealthCheckOff,
  lbBackendQuota,
];

export function findRule(id: string): Rule | undefined {
  return RULES.find((rule) => rule.id === id);
}
