import { DEFAULT_LIMITS, parseManifests, type ManifestError, type ManifestInput } from '#rollsafe/manifests';
import { encodeSnapshot } from './snapshot-codec.js';

export interface ParseRequest {
  id: number;
  files: ManifestInput[];
}

/** What parsing an upload gives: structured-cloneable, so a thread can send it back. */
export interface ParsedUpload {
  id: number;
  errors: ManifestError[];
  documentCount: number;
  /** The snapshot as `encodeSnapshot` text; absent when there were errors. */
  snapshot?: string;
}

export function parseUpload(request: ParseRequest): ParsedUpload {
  const parsed = parseManifests(request.files, DEFAULT_LIMITS);
  return {
    id: request.id,
    errors: parsed.errors,
    documentCount: parsed.documentCount,
    ...(parsed.errors.length === 0 ? { snapshot: encodeSnapshot(parsed.snapshot) } : {}),
  };
}
