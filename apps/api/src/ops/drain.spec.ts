// The API's drain on SIGTERM, on a plain HTTP server: a request in flight finishes (its
// answer says Connection: close), one sent during the accept grace is served, the listener
// then closes, and the drain ends once the last request is answered.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { drainHttp, trackConnections, MIN_ACCEPT_MS } from './drain.js';

describe('drainHttp', () => {
  it('finishes the requests in flight, serves those sent during the grace, then stops accepting', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const server = http.createServer((request, response) => {
      const answer = () => response.end(request.url);
      if (request.url === '/slow') void held.then(answer);
      else answer();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const tracker = trackConnections(server);
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const slow = fetch(`${base}/slow`);
    await new Promise((resolve) => setTimeout(resolve, 50)); // the slow request is in flight
    const started = Date.now();
    const drained = drainHttp(server, tracker, Date.now() + 10_000);
    const during = await fetch(`${base}/during`);
    expect(await during.text()).toBe('/during');
    expect(during.headers.get('connection')).toBe('close');

    await new Promise((resolve) => setTimeout(resolve, MIN_ACCEPT_MS + 500));
    const refused = await fetch(`${base}/after`).then(
      () => 'answered',
      (error: { cause?: { code?: string } }) => error.cause?.code,
    );
    expect(refused).toBe('ECONNREFUSED');

    let done = false;
    void drained.then(() => (done = true));
    expect(done).toBe(false); // still waiting for /slow
    release();
    const answer = await slow;
    expect(await answer.text()).toBe('/slow');
    await drained;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(server.listening).toBe(false);
  });
});
