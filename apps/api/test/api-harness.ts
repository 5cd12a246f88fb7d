// The end-to-end suites' harness: a database and key prefix of the suite's own, API apps
// started on port 0 with their log lines kept, plain HTTP and GraphQL calls, and a BullMQ
// worker running the `scans` queue's jobs (libs/scans' ScanJobs, as apps/worker does).
// Test code only: under test/, so neither jest nor the production build takes it as a suite
// or a source.
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { Worker } from 'bullmq';
import { createLogger } from '#rollsafe/runtime';
import { QUEUES, ScanJobs, dispatch } from '#rollsafe/scans';
import { createTestDatabase, createTestRedis, testConfig, type TestDatabase, type TestRedis } from '#rollsafe/testing';
import { createApiApp } from '../src/app.factory.js';
import type { ApiOptions } from '../src/api.options.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef0123456789';

export type Json = Record<string, unknown>;

export interface CallInit {
  key?: string;
  json?: unknown;
  body?: RequestInit['body'];
  headers?: Record<string, string>;
  /** Another started app's base URL (the first app started otherwise). */
  at?: string;
}

export interface CallResult {
  status: number;
  /** The JSON body ({} when empty, `{ text }` when not JSON). */
  body: Json;
  text: string;
  headers: Headers;
}

export interface StartedApi {
  app: INestApplication;
  base: string;
}

export interface ApiHarnessSettings {
  /** The suite's own options over the defaults, computed afresh for each app started. */
  options?: () => Partial<ApiOptions>;
  logLevel?: 'info' | 'debug';
  /** How many times waitForScan looks (every 100 ms) before giving up. */
  scanPolls?: number;
}

/** One suite's API under test. Its members are bound, so a suite may destructure them. */
export class ApiHarness {
  /** Every line the started apps logged. */
  readonly logLines: string[] = [];
  private database: TestDatabase | undefined;
  private store: TestRedis | undefined;
  private readonly apps: INestApplication[] = [];
  private worker: Worker | undefined;
  private defaultBase: string | undefined;

  constructor(private readonly settings: ApiHarnessSettings = {}) {}

  get db(): TestDatabase {
    if (!this.database) throw new Error('ApiHarness: setUp() first');
    return this.database;
  }

  get redis(): TestRedis {
    if (!this.store) throw new Error('ApiHarness: setUp() first');
    return this.store;
  }

  /** Creates the suite's database and Redis key prefix. */
  setUp = async (): Promise<void> => {
    this.database = await createTestDatabase();
    this.store = createTestRedis();
  };

  /** Closes the worker and every app, then drops the database and the Redis keys. */
  tearDown = async (): Promise<void> => {
    await this.worker?.close();
    for (const app of this.apps) await app.close();
    await this.database?.drop();
    await this.store?.cleanup();
  };

  options = (overrides: Partial<ApiOptions> = {}): ApiOptions =>
    testConfig({
      databaseUrl: this.db.url,
      redisUrl: this.redis.url,
      queuePrefix: this.redis.prefix,
      adminToken: ADMIN_TOKEN,
      rateLimitPerMinute: 10_000,
      ...this.settings.options?.(),
      ...overrides,
    });

  /** Starts an app on a free port of 127.0.0.1; the first one started is the one `call` talks to. */
  start = async (overrides: Partial<ApiOptions> = {}): Promise<StartedApi> => {
    const logLines = this.logLines;
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    const app = await createApiApp(this.options(overrides), createLogger({ level: this.settings.logLevel ?? 'info', app: 'api', destination: sink }));
    await app.listen(0, '127.0.0.1');
    this.apps.push(app);
    const base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    this.defaultBase ??= base;
    return { app, base };
  };

  /** Runs the `scans` queue's jobs with the handlers of the app's ScanJobs (closed by tearDown). */
  startScanWorker = (app: INestApplication): Worker => {
    const handlers = app.get(ScanJobs).handlers();
    this.worker = new Worker(QUEUES.scans, (job) => dispatch(handlers, job), {
      connection: { url: this.redis.url, maxRetriesPerRequest: null },
      prefix: this.redis.prefix,
      concurrency: 2,
    });
    return this.worker;
  };

  call = async (method: string, url: string, init: CallInit = {}): Promise<CallResult> => {
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    if (init.key) headers['authorization'] = `Bearer ${init.key}`;
    let body = init.body;
    if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    }
    const response = await fetch(`${init.at ?? this.defaultBase}${url}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await response.text();
    let parsed: Json = {};
    try {
      parsed = text ? (JSON.parse(text) as Json) : {};
    } catch {
      parsed = { text };
    }
    return { status: response.status, body: parsed, text, headers: response.headers };
  };

  graphql = async (key: string | undefined, query: string, variables: Record<string, unknown> = {}): Promise<CallResult> =>
    this.call('POST', '/graphql', { ...(key ? { key } : {}), json: { query, variables } });

  /** The scan's REST view once it succeeded or failed. */
  waitForScan = async (key: string, id: string): Promise<Json> => {
    for (let attempt = 0; attempt < (this.settings.scanPolls ?? 100); attempt += 1) {
      const { body } = await this.call('GET', `/api/v1/scans/${id}`, { key });
      if (body['status'] === 'succeeded' || body['status'] === 'failed') return body;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`scan ${id} did not finish`);
  };

  /** Creates an organization with the admin token (expecting 201) and returns its API key. */
  createOrg = async (name: string): Promise<string> => {
    const { status, body } = await this.call('POST', '/api/v1/organizations', { key: ADMIN_TOKEN, json: { name } });
    expect(status).toBe(201);
    return body['apiKey'] as string;
  };
}
