// "Critical when the simulator predicts no healthy backend" (PROVIDERS.md section 5, settled in
// section 7: live scans may use the simulator's prediction). The advisor cannot import the
// simulator, so this is the simulator's own arithmetic for this one question, in closed form
// (SIMULATOR.md "Model" and "Settled details", with its defaults): a rolling update whose new
// pods carry no LB readiness gate deletes old pods once the new ones are Ready; the load
// balancer keeps an old pod until W_remove after its deletion and sends to a new one only
// W_add after it is Ready. When the last old pod leaves before the first new one is
// registered, the load balancer has no healthy backend.
import type { Container } from '../model/k8s.js';
import type { Deployment } from '../model/k8s.js';
import type { JsonObject } from '../model/finding.js';
import type { Workload } from '../snapshot-index/workloads.js';
import { asCount } from '../util/numbers.js';
import { registrationWindow, removalWindow, type LbPath } from '../profiles/backend.js';
import { resolveDeploymentRollout } from './rollout.js';

/** The simulator's defaults (docs/simulator.md): container running 2 s after scheduling, app serving 10 s later. */
const POD_START_SECONDS = 2;
const APP_WARMUP_SECONDS = 10;
const DEFAULT_PROBE_PERIOD_SECONDS = 10;

export interface UngatedRolloutPrediction {
  noHealthyBackend: boolean;
  /** When the load balancer drops the last old pod (its deletion + W_remove). */
  lastOldRemovedAt: number;
  /** When the load balancer first sends to a new pod (Ready + W_add). */
  firstNewServedAt: number;
  evidence: JsonObject;
}

/** Seconds from a new pod's creation until it is Ready, as the simulator computes it. */
function readySeconds(container: Container | undefined): number {
  const probe = container?.readinessProbe;
  if (!probe) return POD_START_SECONDS;
  const initial = asCount(probe.initialDelaySeconds) ?? 0;
  const period = Math.max(1, asCount(probe.periodSeconds) ?? DEFAULT_PROBE_PERIOD_SECONDS);
  const firstPass = initial >= APP_WARMUP_SECONDS ? initial : initial + Math.ceil((APP_WARMUP_SECONDS - initial) / period) * period;
  return POD_START_SECONDS + firstPass + ((asCount(probe.successThreshold) ?? 1) - 1) * period;
}

/**
 * The ungated rollout of a Deployment (StatefulSets: one pod at a time) behind a pod-direct
 * path. Each reconcile replaces maxSurge + maxUnavailable pods once the previous wave is
 * available (Ready + minReadySeconds); the first wave deletes maxUnavailable at once.
 * Undefined for kinds the simulator does not replay this way (DaemonSets, ReplicaSets, Pods).
 */
export function predictUngatedRollout(
  workload: Workload,
  replicas: number,
  container: Container | undefined,
  path: LbPath,
): UngatedRolloutPrediction | undefined {
  let surge: number;
  let unavailable: number;
  if (workload.kind === 'Deployment') {
    const deployment = workload.object as Deployment;
    if (deployment.spec?.strategy?.type === 'Recreate') return undefined;
    ({ maxSurge: surge, maxUnavailable: unavailable } = resolveDeploymentRollout(deployment, replicas));
  } else if (workload.kind === 'StatefulSet') {
    [surge, unavailable] = [0, 1];
  } else return undefined;
  const spec = (workload.object as { spec?: { minReadySeconds?: unknown } }).spec;
  const ready = readySeconds(container);
  const wave = ready + (asCount(spec?.minReadySeconds) ?? 0);
  const waves = unavailable >= replicas ? 0 : Math.ceil((replicas - unavailable) / Math.max(1, surge + unavailable));
  const remove = removalWindow(path.profile);
  const add = registrationWindow(path.profile);
  const lastOldRemovedAt = waves * wave + remove.seconds;
  const firstNewServedAt = ready + add.seconds;
  return {
    noHealthyBackend: lastOldRemovedAt < firstNewServedAt,
    lastOldRemovedAt,
    firstNewServedAt,
    evidence: {
      lastOldRemovedAt,
      firstNewServedAt,
      formula: `last old pod deleted at ${waves} wave(s) x ${wave} s (Ready ${ready} s with the simulator's podStart ${POD_START_SECONDS} s and warm-up ${APP_WARMUP_SECONDS} s, + minReadySeconds), + W_remove ${remove.seconds} s; first new pod served at Ready ${ready} s + W_add ${add.seconds} s`,
      estimate: remove.estimate || add.estimate,
    },
  };
}
