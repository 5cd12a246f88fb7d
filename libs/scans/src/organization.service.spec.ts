// API key lookups against the real Postgres: one lookup per key however many requests need it at
// once, a refresh ahead of expiry that requests do not wait for, and a revoked key forgotten.
import 'reflect-metadata';
import { jest } from '@jest/globals';
import { Test } from '@nestjs/testing';
import type { INestApplicationContext } from '@nestjs/common';
import { OrganizationRepository, PrismaService, StoreModule } from '#rollsafe/store';
import { createTestDatabase, type TestDatabase } from '#rollsafe/testing';
import { DomainError } from './errors.js';
import { API_KEY_CACHE_MS, API_KEY_REFRESH_AHEAD_MS, OrganizationService, hashApiKey } from './organization.service.js';

describe('OrganizationService.authenticate', () => {
  let db: TestDatabase;
  let app: INestApplicationContext;

  beforeAll(async () => {
    db = await createTestDatabase();
    const moduleRef = await Test.createTestingModule({
      imports: [StoreModule.forRoot({ databaseUrl: db.url, poolSize: 4 })],
      providers: [OrganizationService],
    }).compile();
    app = await moduleRef.init();
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  afterEach(() => jest.restoreAllMocks());

  /** A fresh service (an empty cache) counting its Postgres lookups. */
  function freshService(): { service: OrganizationService; lookups: () => number } {
    const repository = app.get(OrganizationRepository);
    const lookup = jest.spyOn(repository, 'findApiKeyOwner');
    return { service: new OrganizationService(repository), lookups: () => lookup.mock.calls.length };
  }

  it('looks a key up once for fifty requests that need it at the same time', async () => {
    const { id, apiKey } = await app.get(OrganizationService).create('crowd');
    const { service, lookups } = freshService();
    const owners = await Promise.all(Array.from({ length: 50 }, () => service.authenticate(apiKey)));
    expect(new Set(owners.map((owner) => owner.organizationId))).toEqual(new Set([id]));
    expect(lookups()).toBe(1);
  });

  it('refreshes a key in its last second in the background, without making the request wait', async () => {
    const { id, apiKey } = await app.get(OrganizationService).create('refresh');
    const { service, lookups } = freshService();
    const start = Date.now();
    const clock = jest.spyOn(Date, 'now').mockReturnValue(start);
    await service.authenticate(apiKey);
    expect(lookups()).toBe(1);

    clock.mockReturnValue(start + API_KEY_CACHE_MS - API_KEY_REFRESH_AHEAD_MS - 1);
    await service.authenticate(apiKey);
    expect(lookups()).toBe(1); // still fresh: no lookup

    clock.mockReturnValue(start + API_KEY_CACHE_MS - API_KEY_REFRESH_AHEAD_MS + 1);
    const answered = await Promise.all(Array.from({ length: 20 }, () => service.authenticate(apiKey)));
    expect(answered.every((owner) => owner.organizationId === id)).toBe(true);
    expect(lookups()).toBe(2); // one background refresh for all twenty

    // The refresh remembered the key for another API_KEY_CACHE_MS from its own time.
    await new Promise((resolve) => setTimeout(resolve, 50));
    clock.mockReturnValue(start + API_KEY_CACHE_MS + 1);
    await service.authenticate(apiKey);
    expect(lookups()).toBe(2);
  });

  it('refuses a revoked key once its entry expires, and forgets it when a refresh finds it revoked', async () => {
    const { apiKey } = await app.get(OrganizationService).create('revoked');
    const { service, lookups } = freshService();
    const start = Date.now();
    const clock = jest.spyOn(Date, 'now').mockReturnValue(start);
    await service.authenticate(apiKey);
    await app.get(PrismaService).client.apiKey.update({ where: { keyHash: hashApiKey(apiKey) }, data: { revokedAt: new Date() } });

    // In the refresh window the remembered owner still answers, and the refresh finds the key revoked.
    clock.mockReturnValue(start + API_KEY_CACHE_MS - API_KEY_REFRESH_AHEAD_MS + 1);
    await service.authenticate(apiKey);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(lookups()).toBe(2);

    const refused = await service.authenticate(apiKey).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).code).toBe('UNAUTHENTICATED');
    expect(lookups()).toBe(3);
  });
});
