// IdempotencyService against the real Postgres: requests in flight at once with one key do
// the work once, a duplicate that waits too long gets a 409 to retry, a failed request keeps
// nothing, a claim left by a dead process is taken over by the same request only.
import 'reflect-metadata';
import { IdempotencyRepository, OrganizationRepository, PrismaService } from '#rollsafe/store';
import { createTestDatabase, type TestDatabase } from '#rollsafe/testing';
import { DomainError } from './errors.js';
import { IDEMPOTENCY_ABANDONED_MS, IdempotencyService, requestHashOf, type KeptAnswer } from './idempotency.service.js';

describe('IdempotencyService', () => {
  let db: TestDatabase;
  let prisma: PrismaService;
  let service: IdempotencyService;
  let organizationId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    prisma = new PrismaService({ databaseUrl: db.url, poolSize: 8 });
    service = new IdempotencyService(new IdempotencyRepository(prisma));
    organizationId = (await new OrganizationRepository(prisma).createWithApiKey('acme', { prefix: 'rsk_x', keyHash: 'h1' })).id;
  });

  afterAll(async () => {
    await prisma?.onModuleDestroy();
    await db?.drop();
  });

  /** Work that takes `ms` and counts its runs. */
  function slowWork(ms: number, answer: KeptAnswer): { runs: () => number; work: () => Promise<KeptAnswer> } {
    let runs = 0;
    return {
      runs: () => runs,
      work: async () => {
        runs += 1;
        await new Promise((resolve) => setTimeout(resolve, ms));
        return answer;
      },
    };
  }

  it('does the work once for requests in flight at once, and gives each the same answer', async () => {
    const request = { organizationId, key: 'in-flight', requestHash: requestHashOf('POST /x', { a: 1 }) };
    const { runs, work } = slowWork(300, { status: 201, body: '{"id":"one"}' });
    const answers = await Promise.all(Array.from({ length: 6 }, () => service.perform(request, work)));
    expect(runs()).toBe(1);
    expect(answers.filter((answer) => !answer.replayed)).toHaveLength(1);
    expect(answers.map(({ status, body }) => ({ status, body }))).toEqual(Array.from({ length: 6 }, () => ({ status: 201, body: '{"id":"one"}' })));
  });

  it('hashes objects independently of key order, and tells other input apart', () => {
    expect(requestHashOf('POST /x', { a: 1, b: [1, { c: 2, d: 3 }] })).toBe(requestHashOf('POST /x', { b: [1, { d: 3, c: 2 }], a: 1 }));
    expect(requestHashOf('POST /x', { a: 1 })).not.toBe(requestHashOf('POST /y', { a: 1 }));
    expect(requestHashOf('POST /x', { a: 1 })).not.toBe(requestHashOf('POST /x', { a: 2 }));
  });

  it('answers 409 CONFLICT with a retry delay to a duplicate that waited its limit, then the answer once there is one', async () => {
    const request = { organizationId, key: 'slow', requestHash: requestHashOf('POST /x', {}) };
    const { work } = slowWork(600, { status: 202, body: '{"id":"slow"}' });
    const first = service.perform(request, work);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const impatient = await service.perform(request, work, 100).catch((error: unknown) => error);
    expect(impatient).toBeInstanceOf(DomainError);
    expect(impatient).toMatchObject({ code: 'CONFLICT', details: { field: 'Idempotency-Key' }, retryAfterSeconds: 1 });
    await first;
    expect(await service.perform(request, work, 100)).toEqual({ status: 202, body: '{"id":"slow"}', replayed: true });
  });

  it('keeps nothing of a failed request: the retry runs again', async () => {
    const request = { organizationId, key: 'fails-once', requestHash: requestHashOf('POST /x', {}) };
    await expect(service.perform(request, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    const { runs, work } = slowWork(0, { status: 201, body: '{}' });
    expect(await service.perform(request, work)).toMatchObject({ replayed: false });
    expect(runs()).toBe(1);
  });

  it('lets the same request take over a claim left pending by a process that died, and refuses another', async () => {
    const hash = requestHashOf('POST /x', { same: true });
    await prisma.client.idempotencyKey.create({
      data: {
        organizationId,
        key: 'abandoned',
        requestHash: hash,
        claimedAt: new Date(Date.now() - IDEMPOTENCY_ABANDONED_MS - 1000),
        expiresAt: new Date(Date.now() + 3600_000),
      },
    });
    const otherRequest = { organizationId, key: 'abandoned', requestHash: requestHashOf('POST /x', { same: false }) };
    await expect(service.perform(otherRequest, () => Promise.resolve({ status: 201, body: '{}' }))).rejects.toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
      details: { field: 'Idempotency-Key' },
    });
    const { runs, work } = slowWork(0, { status: 201, body: '{"id":"again"}' });
    expect(await service.perform({ organizationId, key: 'abandoned', requestHash: hash }, work)).toEqual({
      status: 201,
      body: '{"id":"again"}',
      replayed: false,
    });
    expect(runs()).toBe(1);
  });
});
