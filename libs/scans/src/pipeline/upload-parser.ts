import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ManifestInput } from '#rollsafe/manifests';
import { acceptUpload, type AcceptedUpload } from './accept-upload.js';
import { readJsonUpload, type JsonUpload } from './json-upload.js';
import { parseUpload, type ParsedUpload } from './parse-upload.js';
import type { ParserThreadRequest } from './parse-thread.js';
import { ownedBytes, transferableFiles, uploadLength, type UploadFile } from './upload-file.js';

/** Below this many bytes an upload is parsed in place: a thread hop would cost more than the parse (a few ms). */
export const INLINE_PARSE_BYTES = 256 * 1024;

type Answer = ParsedUpload | AcceptedUpload | JsonUpload;
type Waiter = { resolve: (answer: Answer) => void; reject: (error: Error) => void };

/**
 * Parses uploads once, when the API accepts them, off the event loop: large uploads go to a
 * thread (started on first use and kept), so other requests are answered meanwhile. Uploads
 * are parsed one at a time per thread, in arrival order. Bytes are handed to the thread, not
 * copied: the caller's buffers are detached (empty) afterwards.
 */
@Injectable()
export class UploadParser implements OnModuleDestroy {
  private readonly logger = new Logger(UploadParser.name);
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Waiter>();
  private nextId = 1;

  /** The snapshot of a few manifests, as codec text (a simulation). */
  async parse(files: ManifestInput[]): Promise<ParsedUpload> {
    if (inline(files)) return parseUpload({ id: 0, files });
    return this.onThread({ kind: 'parse', id: this.nextId++, files }) as Promise<ParsedUpload>;
  }

  /**
   * An upload to scan: its text (decoded from its bytes), size and emptiness, and (when
   * `parse`) its parse and the bytes the store keeps. Of a large upload given as bytes the event
   * loop touches none: they are handed over; a text is copied to the thread.
   */
  async accept(files: UploadFile[], { parse }: { parse: boolean }): Promise<AcceptedUpload> {
    if (inline(files)) return acceptUpload({ id: 0, files, parse });
    const handed = transferableFiles(files);
    return this.onThread({ kind: 'accept', id: this.nextId++, files: handed.files, parse }, handed.transfer) as Promise<AcceptedUpload>;
  }

  /** A JSON upload body's fields (see JsonUpload), parsed off the event loop when large; `bytes` are handed over. */
  async readJson(bytes: Uint8Array, charset?: string): Promise<JsonUpload> {
    const encoding = charset ? { charset } : {};
    if (bytes.byteLength < INLINE_PARSE_BYTES) return readJsonUpload({ id: 0, bytes, ...encoding });
    const owned = ownedBytes(bytes);
    return this.onThread({ kind: 'json', id: this.nextId++, bytes: owned, ...encoding }, [owned.buffer as ArrayBuffer]) as Promise<JsonUpload>;
  }

  async onModuleDestroy(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  private onThread(request: ParserThreadRequest, transfer: ArrayBuffer[] = []): Promise<Answer> {
    const worker = this.thread();
    return new Promise((resolve, reject) => {
      this.pending.set(request.id, { resolve, reject });
      worker.postMessage(request, transfer);
    });
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(threadScript());
    worker.unref();
    worker.on('message', (answer: Answer) => {
      const waiter = this.pending.get(answer.id);
      this.pending.delete(answer.id);
      waiter?.resolve(answer);
    });
    const failAll = (error: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const waiter of this.pending.values()) waiter.reject(error);
      this.pending.clear();
    };
    worker.on('error', (error) => {
      this.logger.error({ msg: 'upload parser thread failed', error: error.message });
      failAll(error);
    });
    worker.on('exit', (code) => failAll(new Error(`the upload parser thread exited (${code})`)));
    this.worker = worker;
    return worker;
  }
}

/** Small enough to parse in place (a text's `length` counts UTF-16 units: it does not flatten a string). */
function inline(files: UploadFile[]): boolean {
  return files.reduce((sum, file) => sum + uploadLength(file), 0) < INLINE_PARSE_BYTES;
}

/**
 * The compiled thread script beside this module. Tests run this module from its TypeScript
 * source (jest + swc), where the script is the build's copy in dist/ (`npm test` builds first).
 */
function threadScript(): URL {
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith('.ts')) return new URL('./parse-thread.js', import.meta.url);
  const compiled = here.replace(/[\\/]libs[\\/]scans[\\/]src[\\/]pipeline[\\/]upload-parser\.ts$/, '/dist/libs/scans/src/pipeline/parse-thread.js');
  return new URL(`file://${compiled}`);
}
