import { isJsonObject } from './strategic-merge.js';

const PROBE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'];
const HOOK_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'sleep'];

function get(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) current = isJsonObject(current) ? current[key] : undefined;
  return current;
}

function podSpecOf(object: unknown): unknown {
  return get(object, 'kind') === 'Pod' ? get(object, 'spec') : get(object, 'spec', 'template', 'spec');
}

function httpPaths(value: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(value)) for (const item of value) httpPaths(item, into);
  else if (isJsonObject(value)) {
    const path = get(value, 'httpGet', 'path');
    if (typeof path === 'string') into.add(path);
    for (const child of Object.values(value)) httpPaths(child, into);
  }
  return into;
}

function isZero(value: unknown): boolean {
  return value === 0 || value === '0' || value === '0%';
}

/**
 * What the API server (or the rollout) would refuse in an object a remediation patched,
 * compared with the object before: a probe or hook with other than one handler, a PDB with
 * both fields, an HTTP path the input never used, a Recreate strategy with rollingUpdate,
 * maxSurge and maxUnavailable both 0, a surge on a workload whose pods hold host ports.
 * Returns one message per problem; empty when the object is valid.
 */
export function validatePatchedObject(original: unknown, patched: unknown): string[] {
  const problems: string[] = [];
  const kind = get(patched, 'kind');
  const podSpec = podSpecOf(patched);
  const containers = [...((get(podSpec, 'containers') as unknown[]) ?? []), ...((get(podSpec, 'initContainers') as unknown[]) ?? [])];
  let hostPorts = get(podSpec, 'hostNetwork') === true;
  const names = new Set<string>();
  for (const container of containers) {
    const name = String(get(container, 'name') ?? '');
    if (names.has(name)) problems.push(`two containers are named "${name}"`);
    names.add(name);
    for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
      const value = get(container, probe);
      if (value === undefined) continue;
      const handlers = PROBE_HANDLERS.filter((h) => get(value, h) !== undefined);
      if (handlers.length !== 1) problems.push(`container "${name}" ${probe} has ${handlers.length} handlers (${handlers.join(', ')})`);
    }
    for (const hook of ['preStop', 'postStart']) {
      const value = get(container, 'lifecycle', hook);
      if (value === undefined) continue;
      const handlers = HOOK_HANDLERS.filter((h) => get(value, h) !== undefined);
      if (handlers.length !== 1) problems.push(`container "${name}" ${hook} has ${handlers.length} handlers (${handlers.join(', ')})`);
    }
    const ports = get(container, 'ports');
    if (Array.isArray(ports) && ports.some((p) => get(p, 'hostPort') !== undefined)) hostPorts = true;
  }
  if (kind === 'PodDisruptionBudget' && get(patched, 'spec', 'minAvailable') !== undefined && get(patched, 'spec', 'maxUnavailable') !== undefined) {
    problems.push('the PodDisruptionBudget sets both minAvailable and maxUnavailable');
  }
  const strategy = kind === 'DaemonSet' ? get(patched, 'spec', 'updateStrategy') : get(patched, 'spec', 'strategy');
  if (kind === 'Deployment' && get(strategy, 'type') === 'Recreate' && get(strategy, 'rollingUpdate') !== undefined) {
    problems.push('a Recreate strategy with rollingUpdate');
  }
  const rollingUpdate = get(strategy, 'rollingUpdate');
  if (rollingUpdate !== undefined) {
    const surge = get(rollingUpdate, 'maxSurge');
    const unavailable = get(rollingUpdate, 'maxUnavailable');
    if (surge !== undefined && unavailable !== undefined && isZero(surge) && isZero(unavailable)) problems.push('maxSurge and maxUnavailable are both 0');
    const surgeAfter = surge ?? (kind === 'Deployment' ? '25%' : 0);
    const surgeBefore =
      get(original, 'spec', kind === 'DaemonSet' ? 'updateStrategy' : 'strategy', 'rollingUpdate', 'maxSurge') ?? (kind === 'Deployment' ? '25%' : 0);
    if (hostPorts && !isZero(surgeAfter) && surgeAfter !== surgeBefore)
      problems.push('a surge on a workload whose pods hold host ports cannot start on the same node');
  }
  const known = httpPaths(original, new Set());
  for (const path of httpPaths(patched, new Set())) if (!known.has(path)) problems.push(`HTTP path "${path}" that the input did not use`);
  return problems;
}
