// The API's HTTP server builds each request and response with its Express app's prototypes, so
// that Express's own Object.setPrototypeOf in app.handle changes nothing (an object whose
// prototype is changed ends up in V8's old generation with what it references).
import http, { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { ExpressAdapterWithAppPrototypes, constructorWithPrototype } from './express-http-server.js';

describe('ExpressAdapterWithAppPrototypes', () => {
  it("builds requests and responses with the app's prototypes before Express sees them, and Express answers as before", async () => {
    const app = express();
    app.get('/page', (request, response) => {
      response.setHeader('x-seen-by', request.get('x-sent') ?? 'none');
      response.status(201).json({ path: request.path, query: request.query });
    });
    const adapter = new ExpressAdapterWithAppPrototypes(app);
    adapter.initHttpServer({});
    const server = adapter.getHttpServer() as http.Server;
    const prototypes: boolean[] = [];
    // Before Express's own listener: what Node built.
    server.prependListener('request', (request, response) => {
      prototypes.push(Object.getPrototypeOf(request) === app.request, Object.getPrototypeOf(response) === app.response);
      prototypes.push(request instanceof IncomingMessage, response instanceof ServerResponse);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      for (const attempt of [1, 2]) {
        const answer = await fetch(`${base}/page?n=${attempt}`, { headers: { 'x-sent': `yes ${attempt}` } });
        expect(answer.status).toBe(201);
        expect(answer.headers.get('x-seen-by')).toBe(`yes ${attempt}`);
        expect(await answer.json()).toEqual({ path: '/page', query: { n: String(attempt) } });
      }
      expect(prototypes).toEqual(Array.from({ length: 8 }, () => true));
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("refuses a prototype that is not the base's", () => {
    expect(() => constructorWithPrototype(IncomingMessage, Object.create(ServerResponse.prototype) as object)).toThrow(/IncomingMessage/);
    expect(() => constructorWithPrototype(ServerResponse, {})).toThrow(/ServerResponse/);
  });
});
