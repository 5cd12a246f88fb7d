// User overrides of provider profile values: a profile file (`--profile FILE`), CLI flags, or
// the organization's settings in the service. An override replaces an estimate (or any value)
// for one row, one provider, or every row ('*'); the most specific key wins. Overridden values
// carry confidence `user` and name where they came from.
import { isRecord } from '../model/snapshot.js';
import { PROFILES, profileById, type Num, type ProviderProfile } from './profiles.js';

/** The numbers a user may set, by their flat names. */
export const OVERRIDABLE_FIELDS = [
  'endpointPropagationSeconds',
  'datapathSyncSeconds',
  'lbRemoveLatencySeconds',
  'lbAddLatencySeconds',
  'hcIntervalSeconds',
  'hcTimeoutSeconds',
  'hcHealthyThreshold',
  'hcUnhealthyThreshold',
  'drainDefaultSeconds',
  'backendQuota',
] as const;
export type OverridableField = (typeof OVERRIDABLE_FIELDS)[number];
export type ProfileOverride = Partial<Record<OverridableField, number>>;

/** Keyed by a profile id (`aws.lbc.nlb.ip`), a provider (`aws`) or `*`. */
export interface ProfileOverrides {
  /** Where these values came from, e.g. "profile file team.yaml" or "organization settings". */
  source?: string;
  values: Record<string, ProfileOverride>;
}

const PROVIDER_KEYS = new Set(['alibaba', 'aws', 'gcp', 'azure', 'tencent']);

/**
 * Reads a profile file's content (already parsed from YAML or JSON):
 * `{ overrides: { "<profile id>|<provider>|*": { lbRemoveLatencySeconds: 20, ... } } }`
 * (a bare mapping of keys works too). Throws with every problem named.
 */
export function parseProfileOverrides(data: unknown, source: string): ProfileOverrides {
  const problems: string[] = [];
  const root = isRecord(data) && isRecord(data['overrides']) ? data['overrides'] : data;
  if (!isRecord(root)) throw new Error(`${source}: expected a mapping of profile ids to values (overrides: {aws.lbc.nlb.ip: {lbRemoveLatencySeconds: 20}})`);
  const values: Record<string, ProfileOverride> = {};
  for (const [key, entry] of Object.entries(root)) {
    if (key === 'version' && !isRecord(entry)) continue;
    if (key !== '*' && !PROVIDER_KEYS.has(key) && !profileById(key)) {
      problems.push(`unknown profile "${key}" (one of *, ${[...PROVIDER_KEYS].join(', ')}, ${PROFILES.map((p) => p.id).join(', ')})`);
      continue;
    }
    if (!isRecord(entry)) {
      problems.push(`${key}: expected a mapping of fields to numbers`);
      continue;
    }
    const override: ProfileOverride = {};
    for (const [field, value] of Object.entries(entry)) {
      if (!(OVERRIDABLE_FIELDS as readonly string[]).includes(field)) {
        problems.push(`${key}.${field}: not a profile field (${OVERRIDABLE_FIELDS.join(', ')})`);
        continue;
      }
      const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof number !== 'number' || !Number.isFinite(number) || number < 0) {
        problems.push(`${key}.${field}: expected a non-negative number (got ${JSON.stringify(value)})`);
        continue;
      }
      override[field as OverridableField] = number;
    }
    values[key] = override;
  }
  if (problems.length > 0) throw new Error(`${source}: ${problems.join('; ')}`);
  return { source, values };
}

/** Merges override sets; later ones win field by field (organization settings, then file, then flags). */
export function mergeProfileOverrides(...sets: Array<ProfileOverrides | undefined>): ProfileOverrides | undefined {
  const present = sets.filter((s): s is ProfileOverrides => s !== undefined && Object.keys(s.values).length > 0);
  if (present.length === 0) return undefined;
  const values: Record<string, ProfileOverride> = {};
  for (const set of present) for (const [key, override] of Object.entries(set.values)) values[key] = { ...values[key], ...override };
  return { source: present.map((s) => s.source ?? 'override').join(' + '), values };
}

/** The row with the user's values applied (the row itself when nothing applies). */
export function applyProfileOverrides(profile: ProviderProfile, overrides: ProfileOverrides | undefined): ProviderProfile {
  if (!overrides) return profile;
  const merged: ProfileOverride = { ...overrides.values['*'], ...overrides.values[profile.provider], ...overrides.values[profile.id] };
  if (Object.keys(merged).length === 0) return profile;
  const user = (value: number): Num => ({ value, source: overrides.source ?? 'override', confidence: 'user' });
  const next: ProviderProfile = { ...profile, hc: { ...profile.hc }, drain: { ...profile.drain } };
  if (merged.endpointPropagationSeconds !== undefined) next.endpointPropagationSeconds = user(merged.endpointPropagationSeconds);
  if (merged.datapathSyncSeconds !== undefined) next.datapathSyncSeconds = user(merged.datapathSyncSeconds);
  if (merged.lbRemoveLatencySeconds !== undefined) next.lbRemoveLatencySeconds = user(merged.lbRemoveLatencySeconds);
  if (merged.lbAddLatencySeconds !== undefined) next.lbAddLatencySeconds = user(merged.lbAddLatencySeconds);
  if (merged.hcIntervalSeconds !== undefined) next.hc.intervalSeconds = user(merged.hcIntervalSeconds);
  if (merged.hcTimeoutSeconds !== undefined) next.hc.timeoutSeconds = user(merged.hcTimeoutSeconds);
  if (merged.hcHealthyThreshold !== undefined) next.hc.healthyThreshold = user(merged.hcHealthyThreshold);
  if (merged.hcUnhealthyThreshold !== undefined) next.hc.unhealthyThreshold = user(merged.hcUnhealthyThreshold);
  if (merged.drainDefaultSeconds !== undefined) next.drain.defaultSeconds = user(merged.drainDefaultSeconds);
  if (merged.backendQuota !== undefined) next.backendQuota = user(merged.backendQuota);
  return next;
}
