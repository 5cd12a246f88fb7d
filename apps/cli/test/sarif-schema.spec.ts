// The CLI's SARIF, from a file scan and from a cluster scan, validated against the official
// SARIF 2.1.0 JSON schema (vendored: test/vendor/sarif/SOURCE.md) with ajv, the way code
// scanning's upload checks it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { FakeKubeApiServer, kubeScenarios } from '#rollsafe/testing';
import { runCli } from './run-cli.js';

// CommonJS packages whose `default` TypeScript's NodeNext view does not see: load them as Node does.
const require = createRequire(import.meta.url);
const Ajv = require('ajv-draft-04') as typeof import('ajv-draft-04').default;
const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const schema = JSON.parse(fs.readFileSync(path.join(here, 'vendor', 'sarif', 'sarif-schema-2.1.0.json'), 'utf8')) as object;

async function sarifOf(args: string[]): Promise<{ runs: Array<{ results: Array<{ locations?: unknown[] }> }> }> {
  const { stdout } = await runCli(['scan', ...args, '--format', 'sarif', '--fail-on', 'none']);
  return JSON.parse(stdout);
}

describe('SARIF 2.1.0 schema', () => {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  const errorsOf = (log: unknown): string[] => (validate(log) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`));

  it('rejects what it should (the validator is live)', () => {
    expect(errorsOf({ version: '2.1.0', runs: [{ tool: { driver: {} } }] })).not.toEqual([]);
    expect(errorsOf({ version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } }, results: [{ message: { text: 'm' }, level: 'fatal' }] }] })).not.toEqual([]);
  });

  it('accepts a file scan (physical locations) and an empty one', async () => {
    const unsafe = await sarifOf([path.join(here, 'fixtures', 'unsafe.yaml')]);
    expect(unsafe.runs[0]?.results.length).toBeGreaterThan(0);
    expect(errorsOf(unsafe)).toEqual([]);
    expect(errorsOf(await sarifOf([path.join(root, 'examples', 'recommended.yaml')]))).toEqual([]);
  });

  describe('a cluster scan (logical locations)', () => {
    let server: FakeKubeApiServer;
    let dir: string;
    beforeAll(async () => {
      server = await FakeKubeApiServer.start({ scenario: kubeScenarios.smallAlibabaTerway() });
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollsafe-sarif-'));
      fs.writeFileSync(path.join(dir, 'config'), server.kubeconfig({ auth: 'token', contextName: 'fake' }));
    });
    afterAll(async () => {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('is accepted', async () => {
      const log = await sarifOf(['--kubeconfig', path.join(dir, 'config')]);
      expect(log.runs[0]?.results.length).toBeGreaterThan(0);
      expect(errorsOf(log)).toEqual([]);
    });
  });
});
