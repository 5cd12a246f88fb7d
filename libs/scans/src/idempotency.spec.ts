// IdempotencyService against the real Postgres: requests in flight at once with one key do
// the work once, a duplicate that waits too long gets a 409 to retry, a failed request keeps
// nothing, a claim left by a dead process is taken over by the same request only, and the
// answer is kept by the work's own write (a process that dies after it leaves the answer).
import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { IdempotencyRepository, OrganizationRepository, PrismaService, SuppressionRepository } from '#rollsafe/store';
import { createTestDatabase, type TestDatabase } from '#rollsafe/testing';
import { DomainError } from './errors.js';
import { IDEMPOTENCY_ABANDONED_MS, IdempotencyService, requestHashOf, type KeptAnswer } from './idempotency.service.js';
import { IdempotencyScope, answerToKeep, type AnswerShape } from './idempotency-scope.js';
import { SuppressionService } from './suppression.service.js';

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

  it('hashes a large string or a byte body as it is, stably, and small input as its stable JSON (as before)', () => {
    const manifests = 'kind: List\nitems: []\n'.repeat(5000);
    expect(manifests.length).toBeGreaterThan(64 * 1024);
    const json = requestHashOf('POST /x', { body: { manifests, target: 'a' } });
    expect(requestHashOf('POST /x', { body: { target: 'a', manifests: JSON.parse(JSON.stringify(manifests)) as string } })).toBe(json);
    expect(requestHashOf('POST /x', { body: { manifests: `${manifests} `, target: 'a' } })).not.toBe(json);
    expect(requestHashOf('POST /x', { body: manifests })).toBe(requestHashOf('POST /x', { body: `${manifests}` }));
    expect(requestHashOf('POST /x', { body: manifests })).not.toBe(requestHashOf('POST /x', { body: `${manifests}#` }));
    expect(requestHashOf('POST /x', { body: Buffer.from(manifests) })).toBe(requestHashOf('POST /x', { body: Buffer.from(manifests) }));
    expect(requestHashOf('POST /x', { body: Buffer.from('a: 1') })).not.toBe(requestHashOf('POST /x', { body: Buffer.from('a: 2') }));
    // Keys kept before this hashing still match their retries.
    const stableJson = '{"a":1,"b":[1,{"c":2,"d":"x"}],"e":null}';
    expect(requestHashOf('POST /x', { e: null, b: [1, { d: 'x', c: 2 }], a: 1, f: undefined })).toBe(
      createHash('sha256').update(`POST /x\n${stableJson}`).digest('hex'),
    );
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

  describe('the answer kept by the work', () => {
    const created: AnswerShape = { status: 201, body: (result) => JSON.stringify(result) };
    let suppressions: SuppressionService;

    beforeAll(() => {
      suppressions = new SuppressionService(new SuppressionRepository(prisma), prisma);
    });

    it('survives a process that dies right after the work committed: the retry replays it and the work is not done again', async () => {
      const request = { organizationId, key: 'dies-after-commit', requestHash: requestHashOf('POST /suppressions', { reason: 'dies' }), answer: created };
      let committed!: () => void;
      const written = new Promise<void>((resolve) => (committed = resolve));
      // The first process stops once its write committed: nothing after it runs, neither
      // complete() nor release().
      void service.perform(request, async () => {
        await suppressions.create(organizationId, { ruleId: 'readiness-probe-missing', reason: 'dies' });
        committed();
        return new Promise<KeptAnswer>(() => undefined);
      });
      await written;
      // So long ago that a key still pending would be taken over, and the work done again.
      await prisma.client.idempotencyKey.updateMany({
        where: { organizationId, key: request.key },
        data: { claimedAt: new Date(Date.now() - IDEMPOTENCY_ABANDONED_MS - 1000) },
      });
      const retry = await service.perform(request, () => Promise.reject(new Error('the work ran again')));
      expect(retry).toMatchObject({ status: 201, replayed: true });
      const kept = JSON.parse(retry.body) as Record<string, unknown>;
      expect(kept).toMatchObject({ id: expect.any(String), ruleId: 'readiness-probe-missing', reason: 'dies' });
      expect(await prisma.client.suppression.count({ where: { organizationId, reason: 'dies' } })).toBe(1);
      const row = await prisma.client.suppression.findFirstOrThrow({ where: { organizationId, reason: 'dies' } });
      expect(kept['id']).toBe(row.id);
    });

    it('keeps exactly the answer the request sends', async () => {
      const request = { organizationId, key: 'kept-exactly', requestHash: requestHashOf('POST /suppressions', { reason: 'exact' }), answer: created };
      const answer = await service.perform(request, async () => {
        const view = await suppressions.create(organizationId, { ruleId: 'readiness-probe-missing', reason: 'exact', name: 'web' });
        return { status: 201, body: JSON.stringify(view) };
      });
      const row = await prisma.client.idempotencyKey.findUniqueOrThrow({ where: { organizationId_key: { organizationId, key: request.key } } });
      expect(row).toMatchObject({ responseStatus: 201, responseBody: answer.body });
    });

    it('keeps the answer sent when the one the work kept differs from it, and says so', async () => {
      const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      const request = {
        organizationId,
        key: 'kept-differs',
        requestHash: requestHashOf('POST /suppressions', { reason: 'differs' }),
        answer: { status: 201, body: () => '{"kept":true}' },
      };
      await service.perform(request, async () => {
        await suppressions.create(organizationId, { ruleId: 'readiness-probe-missing', reason: 'differs' });
        return { status: 201, body: '{"sent":true}' };
      });
      expect(await service.perform(request, () => Promise.reject(new Error('ran again')))).toEqual({ status: 201, body: '{"sent":true}', replayed: true });
      expect(logged).toHaveBeenCalledTimes(1);
      logged.mockRestore();
    });

    it("hands the answer to the first write of the request's organization only, within the request's work only", async () => {
      const scope = new IdempotencyScope(organizationId, 'k', created);
      await scope.run(() => {
        expect(answerToKeep('another-organization', (row) => row)).toBeUndefined();
        const answer = answerToKeep(organizationId, (row: { id: string }) => ({ id: row.id }));
        expect(answer).toMatchObject({ organizationId, key: 'k', status: 201 });
        expect(answer?.body({ id: 'a' })).toBe('{"id":"a"}');
        expect(answerToKeep(organizationId, (row) => row)).toBeUndefined();
        return Promise.resolve();
      });
      expect(scope.kept).toBe('{"id":"a"}');
      expect(answerToKeep(organizationId, (row) => row)).toBeUndefined();
    });
  });
});
