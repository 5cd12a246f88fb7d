import { isRecord, type RawObject } from './corpus.js';
import { kindOf, nameOf, namespaceOf, podLabels, spec } from './scope.js';

/**
 * Conditions under which a peer check asks its question at all, read from the peer's own code.
 * Where the condition does not hold, the peer's "pass" is a non-answer, not a verdict.
 */
export const PEER_CONDITIONS: Record<string, (fixture: RawObject[]) => boolean> = {
  /**
   * polaris pkg/validator/pdb_hpa_validator.go: the check returns success unless a PDB with
   * minAvailable is attached to the Deployment (any one matchLabels pair equal to a template
   * label) and an HPA with minReplicas targets it.
   */
  'polaris-pdb-and-hpa-attached': (fixture) =>
    fixture
      .filter((o) => kindOf(o) === 'Deployment')
      .some((deployment) => {
        const labels = podLabels(deployment);
        const pdb = fixture.find((o) => {
          if (kindOf(o) !== 'PodDisruptionBudget') return false;
          const selector = spec(o)['selector'];
          const matchLabels = isRecord(selector) && isRecord(selector['matchLabels']) ? selector['matchLabels'] : undefined;
          return matchLabels !== undefined && Object.entries(matchLabels).some(([key, value]) => labels[key] === String(value));
        });
        const hpa = fixture.find((o) => {
          const ref = spec(o)['scaleTargetRef'];
          return (
            kindOf(o) === 'HorizontalPodAutoscaler' &&
            isRecord(ref) &&
            ref['kind'] === 'Deployment' &&
            ref['name'] === nameOf(deployment) &&
            namespaceOf(o) === namespaceOf(deployment)
          );
        });
        return pdb !== undefined && spec(pdb)['minAvailable'] !== undefined && hpa !== undefined && spec(hpa)['minReplicas'] !== undefined;
      }),
};
