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

/** Every rule of RULES.md, in catalog order. Rule ids are a public contract: never rename one. */
export const RULES: readonly Rule[] = [
  readinessProbeMissing,
  prestopHookMissing,
  prestopSleepTooShort,
  terminationGraceTooShort,
  livenessKillsSlowStart,
  livenessEqualsReadiness,
  probePortUnknown,
  containerRestartLoop,
  recreateStrategy,
  singleReplica,
  rolloutCapacityDip,
  localTrafficRolloutUnsafe,
  pdbMissing,
  pdbBlocksEviction,
  replicasNotSpread,
  replicasOnSingleNode,
  localTrafficNodeSinglePod,
  serviceSelectorNoMatch,
  serviceTargetPortUnresolved,
  endpointsNotReady,
  externalTrafficPolicyCluster,
  lbConnectionDrainOff,
  eniBackendRecommended,
  slbQuotaPerNode,
  // Provider load balancers (PROVIDERS.md section 5), in its order.
  lbReadinessGateMissing,
  awsReadinessGateLabelMissing,
  awsReadinessWebhookFailOpen,
  gkeNegGateWithoutHealthCheck,
  lbDrainExceedsGrace,
  lbRegistrationOutpacesRollout,
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
