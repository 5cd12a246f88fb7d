import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ManifestInput } from '#rollsafe/manifests';
import { parseUpload, type ParsedUpload } from './parse-upload.js';

/** Below this many bytes an upload is parsed in place: a thread hop would cost more than the parse (a few ms). */
export const INLINE_PARSE_BYTES = 256 * 1024;

/**
 * Parses uploads once, when the API accepts them, off the event loop: large uploads go to a
 * thread (started on first use and kept), so other requests are answered meanwhile. Uploads
 * are parsed one at a time per thread, in arrival order.
 */
@Injectable()
export class UploadParser implements OnModuleDestroy {
  private readonly logger = new Logger(UploadParser.name);
  private worker: Worker | undefined;
  private readonly pending = new Map<number, { resolve: (parsed: ParsedUpload) => void; reject: (error: Error) => void }>();
  private nextId = 1;

  async parse(files: ManifestInput[]): Promise<ParsedUpload> {
    const bytes = files.reduce((sum, file) => sum + file.text.length, 0);
    if (bytes < INLINE_PARSE_BYTES) return parseUpload({ id: 0, files });
    const id = this.nextId++;
    const worker = this.thread();
    return new Promise<ParsedUpload>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, files });
    });
  }

  async onModuleDestroy(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(threadScript());
    worker.unref();
    worker.on('message', (parsed: ParsedUpload) => {
      const waiter = this.pending.get(parsed.id);
      this.pending.delete(parsed.id);
      waiter?.resolve(parsed);
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
