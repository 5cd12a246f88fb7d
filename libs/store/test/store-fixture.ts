// The store's specs against a database of their own: its Prisma service, the scans repository
// and one organization to own what they write.
import { createTestDatabase, type TestDatabase } from '#rollsafe/testing';
import { PrismaService } from '../src/prisma.service.js';
import { OrganizationRepository } from '../src/organization.repository.js';
import { ScanRepository } from '../src/scan.repository.js';

export interface StoreFixture {
  db: TestDatabase;
  prisma: PrismaService;
  scans: ScanRepository;
  organizationId: string;
}

export async function createStoreFixture(poolSize: number): Promise<StoreFixture> {
  const db = await createTestDatabase();
  const prisma = new PrismaService({ databaseUrl: db.url, poolSize });
  const organizationId = (await new OrganizationRepository(prisma).createWithApiKey('acme', { prefix: 'rsk_x', keyHash: 'h1' })).id;
  return { db, prisma, scans: new ScanRepository(prisma), organizationId };
}

export async function dropStoreFixture(fixture: Partial<StoreFixture>): Promise<void> {
  await fixture.prisma?.onModuleDestroy();
  await fixture.db?.drop();
}
