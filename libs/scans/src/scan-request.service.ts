import { Injectable, Logger } from '@nestjs/common';
import type { Provider } from '#rollsafe/advisor';
import type { ManifestError } from '#rollsafe/manifests';
import { ScanRepository } from '#rollsafe/store';
import { DomainError, type ErrorDetails } from './errors.js';
import { answerToKeep } from './idempotency-scope.js';
import { JobQueue } from './jobs/job-queue.js';
import { MAX_UPLOAD_BYTES, providerChoice } from './scan-engine.js';
import { UploadParser } from './pipeline/upload-parser.js';
import type { UploadFile } from './pipeline/upload-file.js';
import { toScanView } from './views.js';
import type { ScanView } from './contracts/index.js';

export interface ScanRequest {
  organizationId: string;
  files: UploadFile[];
  provider?: string | null;
  target?: string | null;
  trigger: 'upload' | 'manual';
}

const TARGET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const TOO_LARGE_CODES = new Set(['TOO_LARGE', 'TOO_MANY_DOCUMENTS']);

/** Use case: accept manifests, refuse bad ones before anything is queued, queue a scan. */
@Injectable()
export class ScanRequestService {
  private readonly logger = new Logger(ScanRequestService.name);

  constructor(
    private readonly scans: ScanRepository,
    private readonly parser: UploadParser,
    private readonly jobs: JobQueue,
  ) {}

  async request(request: ScanRequest): Promise<ScanView> {
    const { files } = request;
    if (files.length === 0) throw blankManifests();
    const settings = scanSettings(request);
    // Measured, parsed and encoded for the store once, here (off the event loop when large); the
    // checks answer in the same order whatever holds the text.
    const accepted = await this.parser.accept(files, { parse: !(settings instanceof DomainError) });
    if (accepted.blank) throw blankManifests();
    if (accepted.sizeBytes > MAX_UPLOAD_BYTES) {
      throw new DomainError('PAYLOAD_TOO_LARGE', `manifests are ${accepted.sizeBytes} bytes; the limit is ${MAX_UPLOAD_BYTES}`, {
        limit: MAX_UPLOAD_BYTES,
      });
    }
    if (settings instanceof DomainError) throw settings;
    const { provider, target } = settings;
    if (accepted.errors.length > 0) throw manifestErrors(accepted.errors);
    if (accepted.documentCount === 0 || !accepted.stored) {
      throw new DomainError('INVALID_MANIFESTS', 'no YAML or JSON document found in the manifests', { errors: [] });
    }

    const scan = await this.scans.createQueued(
      {
        organizationId: request.organizationId,
        target: { kind: 'manifests', name: target },
        trigger: request.trigger,
        ...(provider ? { provider } : {}),
        files: accepted.stored.files,
        snapshot: accepted.stored.snapshot,
        sizeBytes: accepted.sizeBytes,
        documentCount: accepted.documentCount,
      },
      answerToKeep(request.organizationId, toScanView),
    );
    try {
      await this.jobs.enqueue('scan.run', { scanId: scan.id }, scan.id);
    } catch (error) {
      // Accepted all the same: the row is the source of truth, and the worker's reconciler
      // queues a scan that stays queued with no job once Redis answers again.
      this.logger.warn({ msg: 'scan accepted but not queued yet: the reconciler will queue it', scanId: scan.id, error: String(error) });
    }
    return toScanView(scan);
  }
}

function blankManifests(): DomainError {
  return new DomainError('BAD_INPUT', 'manifests are empty: send YAML or JSON text', { field: 'manifests' });
}

/** The request's provider and target, or why they are refused (after the manifests' own checks). */
function scanSettings(request: ScanRequest): { provider: Provider | undefined; target: string } | DomainError {
  try {
    const provider = providerChoice(request.provider) ?? undefined;
    const target = request.target ?? 'default';
    if (!TARGET_NAME.test(target)) {
      throw new DomainError('BAD_INPUT', 'target must be 1-63 letters, digits, ".", "_" or "-"', { field: 'target' });
    }
    return { provider, target };
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
}

export function manifestErrors(errors: ManifestError[]): DomainError {
  const details: ErrorDetails = errors.map((error) => ({
    code: error.code,
    message: error.message,
    file: error.file,
    ...(error.line !== undefined ? { line: error.line } : {}),
    ...(error.column !== undefined ? { column: error.column } : {}),
  }));
  const first = errors[0];
  const where = first ? `${first.file}${first.line !== undefined ? ` line ${first.line}` : ''}` : '';
  const message = first ? `${where}: ${first.message}` : 'manifests could not be parsed';
  if (errors.some((error) => TOO_LARGE_CODES.has(error.code))) {
    return new DomainError('PAYLOAD_TOO_LARGE', message, { errors: details });
  }
  return new DomainError('INVALID_MANIFESTS', message, { errors: details });
}
