// Multipart uploads bounded as a whole: multer's own limits are per file (and per field), so
// 200 files of 10 MiB each would be buffered before the 413. This storage keeps files in
// memory like multer's, but counts every file of a request against one total and stops
// reading at the limit: the request fails with 413 and multer drains (discards) the rest.
import type { Request, RequestHandler } from 'express';
import type { StorageEngine } from 'multer';
import { DomainError, MAX_UPLOAD_BYTES } from '#rollsafe/scans';

const received = new WeakMap<Request, number>();

function tooLarge(limit: number): DomainError {
  return new DomainError('PAYLOAD_TOO_LARGE', `manifests are over ${limit} bytes in all; the limit is ${limit}`, { limit });
}

/** In-memory storage with one byte budget for all the files of a request. */
export function boundedMemoryStorage(limit = MAX_UPLOAD_BYTES): StorageEngine {
  return {
    _handleFile(req, file, callback) {
      const chunks: Buffer[] = [];
      let done = false;
      const finish = (error: Error | null, info?: { buffer: Buffer; size: number }) => {
        if (done) return;
        done = true;
        if (error) {
          chunks.length = 0;
          file.stream.resume(); // discard the rest of this file
          callback(error);
        } else callback(null, info);
      };
      file.stream.on('data', (chunk: Buffer) => {
        if (done) return;
        const total = (received.get(req) ?? 0) + chunk.length;
        received.set(req, total);
        if (total > limit) return finish(tooLarge(limit));
        chunks.push(chunk);
      });
      file.stream.on('error', (error: Error) => finish(error));
      file.stream.on('end', () => {
        const buffer = Buffer.concat(chunks);
        finish(null, { buffer, size: buffer.length });
      });
    },
    _removeFile(_req, file, callback) {
      delete (file as { buffer?: Buffer }).buffer;
      callback(null);
    },
  };
}

/**
 * Refuses an upload whose declared Content-Length is over the limit before reading a byte of
 * it (413, and the connection is closed rather than drained). Bodies without a length are
 * bounded while they are read (the body parsers' limit, boundedMemoryStorage).
 */
export function declaredLengthLimit(limit: number): RequestHandler {
  return (request, response, next) => {
    const declared = Number(request.headers['content-length'] ?? NaN);
    if (request.method === 'POST' && Number.isFinite(declared) && declared > limit) {
      response.setHeader('Connection', 'close');
      response
        .status(413)
        .json({ error: { code: 'PAYLOAD_TOO_LARGE', message: `request body is ${declared} bytes; the limit is ${limit}`, details: { limit } } });
      return;
    }
    next();
  };
}
