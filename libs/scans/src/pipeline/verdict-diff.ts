import type { ServiceChange, VerdictChanges, VerdictKey } from '#rollsafe/store';

const key = (v: { namespace: string; name: string }) => `${v.namespace}/${v.name}`;

/**
 * Which Services started or stopped dropping traffic on rollout since the target's previous
 * scan: what chat messages lead with. Pure and linear. On a target's first scan every Service
 * that drops has started to.
 */
export function diffVerdicts(previous: VerdictKey[] | undefined, current: VerdictKey[]): VerdictChanges {
  const before = new Map((previous ?? []).map((v) => [key(v), v]));
  const now = new Map(current.map((v) => [key(v), v]));
  const change = (v: VerdictKey, verdict: ServiceChange['verdict']): ServiceChange => ({
    namespace: v.namespace,
    name: v.name,
    verdict,
    droppedTrafficSeconds: v.droppedTrafficSeconds,
  });
  const startedDropping = current.filter((v) => v.verdict === 'drops' && before.get(key(v))?.verdict !== 'drops').map((v) => change(v, 'drops'));
  const stoppedDropping = (previous ?? [])
    .filter((v) => v.verdict === 'drops' && now.get(key(v))?.verdict !== 'drops')
    .map((v) => {
      const latest = now.get(key(v));
      return latest ? change(latest, latest.verdict) : change(v, 'gone');
    });
  return { startedDropping, stoppedDropping };
}
