// Use case: an organization's provider profile values (issue 12, docs/providers.md). They are
// stored as the profile file's `overrides` mapping and applied by the organization's later
// scans over the built-in rows (a scan's own flags do not exist in the service: these are
// the organization's measured values, e.g. its AWS deregistration latency).
import { Injectable } from '@nestjs/common';
import { parseProfileOverrides, PROFILES_VERSION, type ProfileOverride, type ProfileOverrides } from '#rollsafe/advisor';
import { PrismaService } from '#rollsafe/store';
import { DomainError } from './errors.js';

export const ORGANIZATION_PROFILE_SOURCE = 'organization settings';

export interface ProviderProfileView {
  /** The built-in table the values apply over. */
  profilesVersion: string;
  /** Keyed by a profile row id, a provider or "*"; empty when the organization set none. */
  overrides: Record<string, ProfileOverride>;
  updatedAt: string | null;
}

/** Reads a stored (or submitted) overrides mapping; undefined when there is none. */
export function organizationProfileOverrides(stored: unknown): ProfileOverrides | undefined {
  if (stored === null || stored === undefined) return undefined;
  try {
    const parsed = parseProfileOverrides(stored, ORGANIZATION_PROFILE_SOURCE);
    return Object.keys(parsed.values).length > 0 ? parsed : undefined;
  } catch {
    // Stored values were valid when written; a later table version may have dropped a row.
    return undefined;
  }
}

@Injectable()
export class ProviderProfileService {
  constructor(private readonly prisma: PrismaService) {}

  async get(organizationId: string): Promise<ProviderProfileView> {
    const row = await this.prisma.client.providerProfileSetting.findUnique({ where: { organizationId } });
    return {
      profilesVersion: PROFILES_VERSION,
      overrides: (organizationProfileOverrides(row?.overrides)?.values ?? {}) as Record<string, ProfileOverride>,
      updatedAt: row ? row.updatedAt.toISOString() : null,
    };
  }

  /** Replaces the organization's values: `{ overrides: { "aws.lbc.nlb.ip": { lbRemoveLatencySeconds: 20 } } }`. */
  async put(organizationId: string, body: unknown): Promise<ProviderProfileView> {
    let parsed: ProfileOverrides;
    try {
      parsed = parseProfileOverrides(body, 'overrides');
    } catch (error) {
      throw new DomainError('BAD_INPUT', (error as Error).message, { field: 'overrides' });
    }
    // As stored: every row's given fields and their numbers (JSON).
    const overrides = Object.fromEntries(
      Object.entries(parsed.values).map(([row, fields]) => [
        row,
        Object.fromEntries(Object.entries(fields).filter((entry): entry is [string, number] => typeof entry[1] === 'number')),
      ]),
    );
    await this.prisma.client.providerProfileSetting.upsert({
      where: { organizationId },
      create: { organizationId, overrides },
      update: { overrides },
    });
    return this.get(organizationId);
  }

  async delete(organizationId: string): Promise<void> {
    await this.prisma.client.providerProfileSetting.deleteMany({ where: { organizationId } });
  }
}
