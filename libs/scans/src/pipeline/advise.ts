// The CPU work of one scan, the same in place and on the advisor thread: the rules and the
// per-Service verdicts over one SnapshotIndex (built once, as the CLI does).
import { RULES, runAdvisor, SnapshotIndex, type AdvisorResult, type ProfileOverrides, type Snapshot } from '#rollsafe/advisor';
import { serviceVerdicts, type ServiceVerdict } from '#rollsafe/simulator';
import type { EngineOptions } from '../scan-engine.js';

/** What the verdicts need beside the findings: the target's provider setting and the organization's profile values. */
export interface VerdictSettings {
  /** The target's provider; when unset, the provider the rules ran for. */
  provider?: string | null;
  profileOverrides?: ProfileOverrides;
}

/** The verdicts, or why they could not be computed (the findings stand without them). */
export type VerdictOutcome = { verdicts: ServiceVerdict[] } | { error: string };

export interface EngineResult extends AdvisorResult {
  /** Present when verdicts were asked for. */
  verdicts?: VerdictOutcome;
}

export function advise(snapshot: Snapshot, options: EngineOptions, verdicts?: VerdictSettings): EngineResult {
  const index = new SnapshotIndex(snapshot, {});
  const result = runAdvisor(snapshot, options, RULES, index);
  if (!verdicts) return result;
  const provider = verdicts.provider ?? result.provider;
  try {
    const judged = serviceVerdicts(snapshot, {
      ...(provider ? { provider } : {}),
      findings: result.findings,
      index,
      ...(verdicts.profileOverrides ? { overrides: { profileOverrides: verdicts.profileOverrides } } : {}),
    });
    return { ...result, verdicts: { verdicts: judged.verdicts } };
  } catch (error) {
    return { ...result, verdicts: { error: error instanceof Error ? error.message : String(error) } };
  }
}
