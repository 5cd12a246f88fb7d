import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { OrganizationRepository, type ApiKeyOwner } from '#rollsafe/store';
import { DomainError } from './errors.js';

const KEY_PREFIX = 'rsk_';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Use case: organizations and their API keys (shown once, stored hashed). */
@Injectable()
export class OrganizationService {
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
    const owner = await this.organizations.findApiKeyOwner(hashApiKey(apiKey));
    if (!owner) throw new DomainError('UNAUTHENTICATED', 'send a valid API key as "Authorization: Bearer <apiKey>"');
    return owner;
  }
}
