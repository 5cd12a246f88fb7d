import type { ChangeSet, NotifiedFinding, NotifiedService, VerdictChangeSet } from '../model.js';

/**
 * Rollsafe's own JSON for any other receiver. Not capped: it is for programs, and carries every
 * selected finding. Signed over the raw body (see signing.ts).
 */

export const GENERIC_EVENT = 'rollsafe.scan.changes';

export interface GenericPayload {
  event: typeof GENERIC_EVENT;
  organization: { id: string; name: string };
  cluster: { id: string; name: string } | null;
  scan: { id: string; url: string | null; finishedAt: string };
  /** Services that started or stopped dropping traffic on rollout (first: what matters most). */
  verdicts: VerdictChangeSet;
  new: NotifiedFinding[];
  resolved: NotifiedFinding[];
}

function plain(finding: NotifiedFinding): NotifiedFinding {
  return {
    ruleId: finding.ruleId,
    severity: finding.severity,
    resource: { kind: finding.resource.kind, namespace: finding.resource.namespace, name: finding.resource.name },
    ...(finding.container !== undefined ? { container: finding.container } : {}),
    message: finding.message,
    docs: finding.docs,
    fingerprint: finding.fingerprint,
  };
}

function plainService(service: NotifiedService): NotifiedService {
  return {
    namespace: service.namespace,
    name: service.name,
    verdict: service.verdict,
    droppedTrafficSeconds: service.droppedTrafficSeconds,
    link: service.link,
  };
}

export function formatGeneric(changes: ChangeSet): GenericPayload {
  return {
    event: GENERIC_EVENT,
    organization: { id: changes.organization.id, name: changes.organization.name },
    cluster: changes.cluster ? { id: changes.cluster.id, name: changes.cluster.name } : null,
    scan: { id: changes.scan.id, url: changes.scan.url ?? null, finishedAt: changes.scan.finishedAt },
    verdicts: {
      startedDropping: (changes.verdicts?.startedDropping ?? []).map(plainService),
      stoppedDropping: (changes.verdicts?.stoppedDropping ?? []).map(plainService),
    },
    new: changes.new.map(plain),
    resolved: changes.resolved.map(plain),
  };
}
