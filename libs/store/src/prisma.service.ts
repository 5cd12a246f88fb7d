import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client.js';

export interface StoreOptions {
  databaseUrl: string;
  /** Pool size per process. */
  poolSize: number;
}

export const STORE_OPTIONS = Symbol('STORE_OPTIONS');

export function createPrismaClient(options: StoreOptions): PrismaClient {
  const adapter = new PrismaPg({ connectionString: options.databaseUrl, max: options.poolSize, connectionTimeoutMillis: 5000 });
  return new PrismaClient({ adapter });
}

/** The one Prisma client of a process; closed when Nest shuts down. */
@Injectable()
export class PrismaService implements OnModuleDestroy {
  readonly client: PrismaClient;

  constructor(options: StoreOptions) {
    this.client = createPrismaClient(options);
  }

  async onModuleDestroy(): Promise<void> {
    await this.client.$disconnect();
  }
}
