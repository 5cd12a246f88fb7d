// An "API server" that answers without end (or declares a huge body) costs a bounded amount:
// the request is cut off at MAX_RESPONSE_BYTES (here a small limit) and fails at once with
// CLUSTER_ERROR, without retries; a slow one is cut off by the request timeout.
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { createCertificateAuthority } from '#rollsafe/testing';
import { sendRequest } from '../src/http/request.js';
import type { ClusterConnection } from '../src/http/connection.js';
import { KubeError } from '../src/errors.js';

describe('answers from an API server are bounded in bytes and time', () => {
  let server: https.Server;
  let connection: ClusterConnection;
  let streamed = 0;

  beforeAll(async () => {
    const ca = await createCertificateAuthority();
    const serving = await ca.issueServer(['127.0.0.1'], ['localhost']);
    server = https.createServer({ cert: serving.certPem, key: serving.keyPem }, (request, response) => {
      if (request.url?.startsWith('/declared')) {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(1024 ** 3) });
        response.write('{');
        return;
      }
      if (request.url?.startsWith('/silent')) return; // never answers
      response.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (!response.destroyed && response.write(chunk)) streamed += chunk.length;
        if (!response.destroyed) response.once('drain', pump);
      };
      response.on('close', () => undefined);
      pump();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const agent = new https.Agent({ ca: ca.certPem, keepAlive: false });
    connection = {
      server: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
      basePath: '',
      hostname: '127.0.0.1',
      port: (server.address() as AddressInfo).port,
      agent,
      headers: {},
      timeoutMs: 2000,
      close: () => agent.destroy(),
    };
  });

  afterAll(async () => {
    connection.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('cuts off an answer that streams without end at the limit', async () => {
    const limit = 1024 * 1024;
    const error = await sendRequest(connection, { method: 'GET', path: '/api/v1/pods' }, limit).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeError);
    expect(error).toMatchObject({ code: 'CLUSTER_ERROR', message: expect.stringContaining(`is over ${limit} bytes: refused`) });
    // what was sent before the cut is about the limit plus what was in flight, not more
    expect(streamed).toBeLessThan(limit * 16);
  });

  it('refuses a declared length over the limit before reading the body', async () => {
    const error = await sendRequest(connection, { method: 'GET', path: '/declared' }, 1024).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CLUSTER_ERROR' });
  });

  it('gives up on a server that does not answer after the request timeout', async () => {
    const started = Date.now();
    const error = await sendRequest({ ...connection, timeoutMs: 300 }, { method: 'GET', path: '/silent' }).catch((e: unknown) => e);
    expect((error as Error).name).toBe('RequestTimeout');
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
