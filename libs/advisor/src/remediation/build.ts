import type { JsonObject, Remediation, ResourceRef } from '../model/finding.js';
import { toYaml } from './to-yaml.js';

/** A remediation that needs no human decision: the patch, and the same patch as YAML. */
export function patchRemediation(summary: string, target: ResourceRef, patch: JsonObject, note?: string): Remediation {
  const yaml = toYaml(patch) + (note ? `\n${note}` : '');
  return { summary, yaml, target, patchType: 'strategic-merge', patch };
}

/** A remediation that adds a new object (a PodDisruptionBudget next to its workload). */
export function createRemediation(summary: string, target: ResourceRef, object: JsonObject): Remediation {
  return { summary, yaml: toYaml(object), target, patchType: 'create', patch: object };
}

/** A remediation only the team can apply: why, and a suggestion. */
export function decisionRemediation(summary: string, needsDecision: string, yaml: string): Remediation {
  return { summary, yaml, needsDecision };
}

/**
 * A pod spec patch for a workload: `spec.template.spec` (a bare Pod: `spec`). A container
 * patch goes under `containers`, or under `initContainers` for a native sidecar (by name).
 */
export function podPatch(
  workload: { kind: string; podSpec?: { initContainers?: Array<{ name?: string; restartPolicy?: string }> } | undefined },
  podFields: JsonObject,
  container?: { name: string; fields: JsonObject },
): JsonObject {
  const podSpec: JsonObject = { ...podFields };
  if (container) {
    const sidecar = (workload.podSpec?.initContainers ?? []).some((c) => c.name === container.name && c.restartPolicy === 'Always');
    podSpec[sidecar ? 'initContainers' : 'containers'] = [{ name: container.name, ...container.fields }];
  }
  return workload.kind === 'Pod' ? { spec: podSpec } : { spec: { template: { spec: podSpec } } };
}
