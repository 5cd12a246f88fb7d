import http, { IncomingMessage, ServerResponse } from 'node:http';
import type { NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { Express } from 'express';

/**
 * Express gives every request and response its app's prototypes as it dispatches them
 * (`Object.setPrototypeOf(req, app.request)` in `app.handle`). An object whose prototype is
 * changed ends up in V8's old generation, and whatever it references in the young generation
 * with it, until the next full collection: every request, response and page the API served
 * (bench/load: 14 MB/s of the old generation at 200 GraphQL pages a second, a full collection
 * every 20 s). Here Node's server builds them with those prototypes in the first place, so
 * Express's `setPrototypeOf` finds the prototype already in place and changes nothing.
 */
export class ExpressAdapterWithAppPrototypes extends ExpressAdapter {
  override initHttpServer(options: NestApplicationOptions): void {
    if (options.httpsOptions || options.return503OnClosing || options.forceCloseConnections) {
      super.initHttpServer(options);
      return;
    }
    const app = this.getInstance<Express>();
    this.httpServer = http.createServer(
      {
        IncomingMessage: constructorWithPrototype(IncomingMessage, app.request),
        ServerResponse: constructorWithPrototype<typeof ServerResponse<IncomingMessage>>(ServerResponse, app.response),
      },
      app,
    );
  }
}

type HttpMessageClass = new (...args: never[]) => IncomingMessage | ServerResponse;

/**
 * A constructor for `base`'s objects whose prototype is `prototype` (one of `base.prototype`'s
 * descendants). Node's IncomingMessage and ServerResponse are plain constructor functions,
 * so `base` runs on the object `new` made. (A Proxy of `base` whose construct trap passes a new
 * target of that prototype cost 0.4-0.5 ms more CPU a page in bench/load.)
 */
export function constructorWithPrototype<T extends HttpMessageClass>(base: T, prototype: object): T {
  if (!(prototype instanceof base)) throw new TypeError(`the prototype does not descend from ${base.name}`);
  function Constructed(this: object, ...args: unknown[]): void {
    Reflect.apply(base, this, args);
  }
  Constructed.prototype = prototype;
  const constructor: unknown = Constructed;
  if (!constructsLike(constructor, base)) throw new TypeError(`${base.name} is not a constructor`);
  return constructor;
}

/** Narrows a plain function to the class it stands in for: `new` on either builds the same objects. */
function constructsLike<T extends HttpMessageClass>(candidate: unknown, _base: T): candidate is T {
  return typeof candidate === 'function';
}
