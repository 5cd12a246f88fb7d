import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { OrganizationRepository, type ApiKeyOwner } from '#rollsafe/store';
import { DomainError } from './errors.js';

const KEY_PREFIX = 'rsk_';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * How long an API key's owner is remembered by one API process: a page of findings then costs
 * no key lookup in Postgres on every request. A revoked key is refused by every process within
 * this time.
 */
export const API_KEY_CACHE_MS = 5000;
/**
 * In its last second, a remembered owner is looked up again in the background while requests
 * keep using it: at hundreds of requests a second, an expiry would otherwise send every request
 * of that moment to Postgres at once, and the pool's new connections stall them all.
 */
export const API_KEY_REFRESH_AHEAD_MS = 1000;
const API_KEY_CACHE_ENTRIES = 10_000;

/** Use case: organizations and their API keys (shown once, stored hashed). */
@Injectable()
export class OrganizationService {
  private readonly owners = new Map<string, { owner: ApiKeyOwner; until: number }>();
  /** One lookup in flight per key hash, shared by every request that needs it meanwhile. */
  private readonly lookups = new Map<string, Promise<ApiKeyOwner | undefined>>();

  constructor(private readonly organizations: OrganizationRepository) {}

  async create(name: unknown): Promise<{ id: string; name: string; apiKey: string; createdAt: string }> {
    if (typeof name !== 'string' || name.trim().length === 0 || name.length > 200) {
      throw new DomainError('BAD_INPUT', 'name must be a non-empty string of at most 200 characters', { field: 'name' });
    }
    const apiKey = KEY_PREFIX + randomBytes(32).toString('base64url');
    const organization = await this.organizations.createWithApiKey(name.trim(), {
      prefix: apiKey.slice(0, KEY_PREFIX.length + 6),
      keyHash: hashApiKey(apiKey),
    });
    return { id: organization.id, name: organization.name, apiKey, createdAt: organization.createdAt.toISOString() };
  }

  /** The organization an API key belongs to; UNAUTHENTICATED when the key is unknown or revoked. */
  async authenticate(apiKey: string | undefined): Promise<ApiKeyOwner> {
    if (!apiKey || !apiKey.startsWith(KEY_PREFIX) || apiKey.length > 200) {
      throw new DomainError('UNAUTHENTICATED', 'send a valid API key as "Authorization: Bearer <apiKey>"');
    }
    const hash = hashApiKey(apiKey);
    const cached = this.owners.get(hash);
    const now = Date.now();
    if (cached && cached.until > now) {
      if (cached.until - now <= API_KEY_REFRESH_AHEAD_MS) this.lookUp(hash).catch(() => undefined);
      return cached.owner;
    }
    const owner = await this.lookUp(hash);
    if (!owner) throw new DomainError('UNAUTHENTICATED', 'send a valid API key as "Authorization: Bearer <apiKey>"');
    return owner;
  }

  /** The key's owner from Postgres, remembered for API_KEY_CACHE_MS (forgotten when the key is gone). */
  private lookUp(hash: string): Promise<ApiKeyOwner | undefined> {
    const inFlight = this.lookups.get(hash);
    if (inFlight) return inFlight;
    const lookup = this.organizations
      .findApiKeyOwner(hash)
      .then((owner) => {
        if (!owner) {
          this.owners.delete(hash);
          return undefined;
        }
        if (this.owners.size >= API_KEY_CACHE_ENTRIES) this.owners.clear();
        this.owners.set(hash, { owner, until: Date.now() + API_KEY_CACHE_MS });
        return owner;
      })
      .finally(() => this.lookups.delete(hash));
    this.lookups.set(hash, lookup);
    return lookup;
  }
}
