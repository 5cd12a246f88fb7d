import { Injectable } from '@nestjs/common';
import { PrismaService } from './prisma.service.js';
import { newestFirstPage, type Page } from './pagination.js';
import { Prisma } from './generated/prisma/client.js';
import { keepAnswer, type AnswerToKeep } from './idempotency.repository.js';

/** A cluster as every read returns it: never with its credentials. */
export interface ClusterRow {
  id: string;
  organizationId: string;
  targetId: string;
  name: string;
  server: string;
  contextName: string;
  provider: string | null;
  slbAttachmentQuota: number | null;
  kubernetesVersion: string | null;
  unlistableKinds: string[];
  accessWarnings: string[];
  verifiedAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

/** The encrypted credentials of a cluster, for the one use case that decrypts them. */
export interface SealedCredentials {
  ciphertext: Uint8Array;
  keyId: string;
}

/** What registration verified about the credentials. */
export interface ClusterAccess {
  server: string;
  contextName: string;
  kubernetesVersion: string | null;
  unlistableKinds: string[];
  accessWarnings: string[];
  verifiedAt: Date;
  credentials: SealedCredentials;
}

export interface NewCluster extends ClusterAccess {
  /** Chosen by the caller: it is bound into the ciphertext as associated data. */
  id: string;
  organizationId: string;
  name: string;
  provider: string | null;
  slbAttachmentQuota: number | null;
}

export interface ClusterPatch {
  name?: string;
  provider?: string | null;
  slbAttachmentQuota?: number | null;
  access?: ClusterAccess;
}

/** `name-taken`: the organization already has a cluster by that name. */
export type ClusterWrite = ClusterRow | 'name-taken';

const publicFields = {
  id: true,
  organizationId: true,
  targetId: true,
  name: true,
  server: true,
  contextName: true,
  provider: true,
  slbAttachmentQuota: true,
  kubernetesVersion: true,
  unlistableKinds: true,
  accessWarnings: true,
  verifiedAt: true,
  createdAt: true,
  updatedAt: true,
} as const satisfies Prisma.ClusterSelect;

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

function accessData(access: ClusterAccess) {
  return {
    server: access.server,
    contextName: access.contextName,
    kubernetesVersion: access.kubernetesVersion,
    unlistableKinds: access.unlistableKinds,
    accessWarnings: access.accessWarnings,
    verifiedAt: access.verifiedAt,
    credentialsCiphertext: Uint8Array.from(access.credentials.ciphertext),
    credentialsKeyId: access.credentials.keyId,
  };
}

/** Registered clusters, scoped by organization. Reads never select the credentials. */
@Injectable()
export class ClusterRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Creates the cluster, its target (kind `cluster`, named by the cluster id) and the request's answer to keep together. */
  async create(input: NewCluster, answer?: AnswerToKeep<ClusterRow>): Promise<ClusterWrite> {
    try {
      return await this.prisma.client.$transaction(async (tx) => {
        const target = await tx.target.create({
          data: { organizationId: input.organizationId, kind: 'cluster', name: input.id },
          select: { id: true },
        });
        const cluster = await tx.cluster.create({
          data: {
            id: input.id,
            organizationId: input.organizationId,
            targetId: target.id,
            name: input.name,
            provider: input.provider,
            slbAttachmentQuota: input.slbAttachmentQuota,
            ...accessData(input),
          },
          select: publicFields,
        });
        await keepAnswer(tx, answer, cluster);
        return cluster;
      });
    } catch (error) {
      if (isUniqueViolation(error)) return 'name-taken';
      throw error;
    }
  }

  async findForOrganization(organizationId: string, id: string): Promise<ClusterRow | undefined> {
    return (await this.prisma.client.cluster.findFirst({ where: { id, organizationId }, select: publicFields })) ?? undefined;
  }

  /** How many of these ids are clusters of the organization. */
  async countOwned(organizationId: string, ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    return this.prisma.client.cluster.count({ where: { organizationId, id: { in: ids } } });
  }

  async nameInUse(organizationId: string, name: string): Promise<boolean> {
    return (await this.prisma.client.cluster.count({ where: { organizationId, name } })) > 0;
  }

  async listForOrganization(organizationId: string, limit: number, after?: { createdAt: Date; id: string }): Promise<Page<ClusterRow>> {
    return newestFirstPage('createdAt', limit, after, ({ after: older, ...page }) =>
      this.prisma.client.cluster.findMany({ where: { organizationId, ...older }, ...page, select: publicFields }),
    );
  }

  async countForOrganization(organizationId: string): Promise<number> {
    return this.prisma.client.cluster.count({ where: { organizationId } });
  }

  /** Undefined when the organization has no cluster by that id. */
  async update(organizationId: string, id: string, patch: ClusterPatch): Promise<ClusterWrite | undefined> {
    try {
      const result = await this.prisma.client.cluster.updateMany({
        where: { id, organizationId },
        data: {
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.provider !== undefined ? { provider: patch.provider } : {}),
          ...(patch.slbAttachmentQuota !== undefined ? { slbAttachmentQuota: patch.slbAttachmentQuota } : {}),
          ...(patch.access ? accessData(patch.access) : {}),
        },
      });
      if (result.count === 0) return undefined;
    } catch (error) {
      if (isUniqueViolation(error)) return 'name-taken';
      throw error;
    }
    return this.findForOrganization(organizationId, id);
  }

  /** Deletes the cluster with its target, scans, findings and finding states. */
  async delete(organizationId: string, id: string): Promise<boolean> {
    const cluster = await this.prisma.client.cluster.findFirst({ where: { id, organizationId }, select: { targetId: true } });
    if (!cluster) return false;
    const result = await this.prisma.client.target.deleteMany({ where: { id: cluster.targetId, organizationId } });
    return result.count > 0;
  }

  /** The sealed credentials (worker side: a scan decrypts them just before it connects). */
  async sealedCredentials(id: string): Promise<(SealedCredentials & { cluster: ClusterRow }) | undefined> {
    const row = await this.prisma.client.cluster.findUnique({
      where: { id },
      select: { ...publicFields, credentialsCiphertext: true, credentialsKeyId: true },
    });
    if (!row) return undefined;
    const { credentialsCiphertext, credentialsKeyId, ...cluster } = row;
    return { ciphertext: credentialsCiphertext, keyId: credentialsKeyId, cluster };
  }

  /** Re-seals credentials under a new key, unless they changed meanwhile (compare-and-set on the key id). */
  async reseal(id: string, previousKeyId: string, sealed: SealedCredentials): Promise<boolean> {
    const result = await this.prisma.client.cluster.updateMany({
      where: { id, credentialsKeyId: previousKeyId },
      data: { credentialsCiphertext: Uint8Array.from(sealed.ciphertext), credentialsKeyId: sealed.keyId },
    });
    return result.count > 0;
  }

  /** What the last scan learnt about the cluster. */
  async recordScanFacts(id: string, facts: { kubernetesVersion?: string }): Promise<void> {
    if (facts.kubernetesVersion === undefined) return;
    await this.prisma.client.cluster.updateMany({ where: { id }, data: { kubernetesVersion: facts.kubernetesVersion } });
  }
}
