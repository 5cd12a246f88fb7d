// The body of an upload (POST /api/v1/scans as YAML or JSON) read as bytes, not decoded: the
// scans controller hands them to the parse thread, which decodes them there. A text body
// parser would decode 10 MB into a string on the event loop (tens of ms) for it to be copied
// to the thread again. With a declared length the bytes go into one buffer as they arrive (its
// pages touched a chunk at a time), which the thread then takes over. As the body parsers it
// replaces on this route: bodies over the limit are refused with 413 (a declared one without
// keeping any of it; the rest of a request is read off before the answer), gzip, deflate and
// br bodies are inflated, an unknown charset or encoding is 415.
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Transform } from 'node:stream';
import type { Request, RequestHandler } from 'express';

/** The content types read as YAML text (as the API's text body parser took them). */
export const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml', 'text/plain'];

export interface UploadBody {
  bytes: Buffer;
  /** An application/json body, else YAML text. */
  json: boolean;
  /** The body's charset, as a WHATWG label (lower case); utf-8 unless the request said otherwise. */
  charset: string;
}

const bodies = new WeakMap<Request, UploadBody>();

/** The upload body read by uploadBodyReader for this request, if any. */
export function uploadBodyOf(request: Request): UploadBody | undefined {
  return bodies.get(request);
}

interface HttpError extends Error {
  status: number;
  type: string;
}

function httpError(status: number, type: string, message: string): HttpError {
  return Object.assign(new Error(message), { status, type });
}

/**
 * Reads a YAML or JSON POST body into `request.body` as a Buffer (for the handler and the
 * Idempotency-Key hash alike; uploadBodyOf says how to decode it). Mounted at the upload's
 * path: other paths, methods and content types pass by.
 */
export function uploadBodyReader(limit: number): RequestHandler {
  return (request, response, next) => {
    if (request.method !== 'POST' || request.path !== '/' || !hasBody(request)) return next();
    const json = request.is('application/json') === 'application/json';
    if (!json && !request.is(YAML_TYPES)) return next();
    const charset = charsetOf(request);
    if (!(json ? charset.startsWith('utf-') : decodable(charset))) {
      return next(httpError(415, 'charset.unsupported', `unsupported charset "${charset.toUpperCase()}"`));
    }
    let inflating: Transform | undefined;
    try {
      inflating = inflatingOf(request);
    } catch (error) {
      return next(error);
    }
    read(request, inflating, limit).then(
      (bytes) => {
        bodies.set(request, { bytes, json, charset });
        request.body = bytes;
        next();
      },
      // The rest of the request is read and dropped before the answer, as the body parsers do.
      (error: Error) => drain(request, () => next(error)),
    );
  };
}

/** A body is announced by its length or by chunked transfer (type-is' hasBody). */
function hasBody(request: Request): boolean {
  return request.headers['transfer-encoding'] !== undefined || !Number.isNaN(Number.parseInt(request.headers['content-length'] ?? '', 10));
}

function charsetOf(request: Request): string {
  const match = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(request.headers['content-type'] ?? '');
  return (match?.[1] ?? match?.[2] ?? 'utf-8').toLowerCase() || 'utf-8';
}

function decodable(charset: string): boolean {
  try {
    new TextDecoder(charset);
    return true;
  } catch {
    return false;
  }
}

/** The stream that inflates the request's content, when it is encoded. */
function inflatingOf(request: Request): Transform | undefined {
  const encoding = (request.headers['content-encoding'] ?? 'identity').toLowerCase();
  switch (encoding) {
    case 'identity':
      return undefined;
    case 'gzip':
      return request.pipe(createGunzip());
    case 'deflate':
      return request.pipe(createInflate());
    case 'br':
      return request.pipe(createBrotliDecompress());
    default:
      throw httpError(415, 'encoding.unsupported', `unsupported content encoding "${encoding}"`);
  }
}

function read(request: Request, inflating: Transform | undefined, limit: number): Promise<Buffer> {
  const stream = inflating ?? request;
  const declared = inflating ? Number.NaN : Number.parseInt(request.headers['content-length'] ?? '', 10);
  if (declared > limit) return Promise.reject(tooLarge());
  return new Promise<Buffer>((resolve, reject) => {
    // With a declared length, one buffer filled as the chunks come; else the chunks, joined at the end.
    const into = Number.isNaN(declared) ? undefined : Buffer.allocUnsafeSlow(declared);
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const settle = (error: Error | undefined, bytes?: Buffer) => {
      if (settled) return;
      settled = true;
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      request.off('close', onClose);
      if (inflating) {
        request.unpipe(inflating);
        inflating.destroy();
      }
      if (error) reject(error);
      else resolve(bytes ?? Buffer.alloc(0));
    };
    const onData = (chunk: Buffer) => {
      if (received + chunk.length > (into ? into.length : limit)) {
        settle(into ? sizeMismatch() : tooLarge());
        return;
      }
      if (into) chunk.copy(into, received);
      else chunks.push(chunk);
      received += chunk.length;
    };
    const onEnd = () => {
      if (into && received !== into.length) settle(sizeMismatch());
      else settle(undefined, into ?? Buffer.concat(chunks, received));
    };
    const onError = (error: Error) => settle(httpError(400, 'stream.error', error.message));
    const onClose = () => {
      if (!request.complete) settle(httpError(400, 'request.aborted', 'request aborted'));
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    request.on('close', onClose);
  });
}

function tooLarge(): HttpError {
  return httpError(413, 'entity.too.large', 'request entity too large');
}

function sizeMismatch(): HttpError {
  return httpError(400, 'request.size.invalid', 'request size did not match content length');
}

/** Reads off what is left of the request, then calls `done` (once). */
function drain(request: Request, done: () => void): void {
  if (request.complete || request.destroyed) return done();
  let called = false;
  const once = () => {
    if (called) return;
    called = true;
    done();
  };
  request.once('end', once);
  request.once('close', once);
  request.resume();
}
