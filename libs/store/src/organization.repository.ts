import { Injectable } from '@nestjs/common';
import { PrismaService } from './prisma.service.js';

export interface ApiKeyOwner {
  apiKeyId: string;
  organizationId: string;
}

@Injectable()
export class OrganizationRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Creates an organization and its first API key (only the key's hash is stored). */
  async createWithApiKey(name: string, key: { prefix: string; keyHash: string }): Promise<{ id: string; name: string; createdAt: Date }> {
    return this.prisma.client.organization.create({
      data: { name, apiKeys: { create: { prefix: key.prefix, keyHash: key.keyHash } } },
      select: { id: true, name: true, createdAt: true },
    });
  }

  async find(id: string): Promise<{ id: string; name: string } | undefined> {
    return (await this.prisma.client.organization.findUnique({ where: { id }, select: { id: true, name: true } })) ?? undefined;
  }

  async findApiKeyOwner(keyHash: string): Promise<ApiKeyOwner | undefined> {
    const key = await this.prisma.client.apiKey.findUnique({
      where: { keyHash },
      select: { id: true, organizationId: true, revokedAt: true },
    });
    if (!key || key.revokedAt) return undefined;
    return { apiKeyId: key.id, organizationId: key.organizationId };
  }
}
