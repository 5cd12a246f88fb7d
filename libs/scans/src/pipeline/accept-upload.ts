import { DEFAULT_LIMITS, parseManifests, type ManifestError } from '#rollsafe/manifests';
import { keepSnapshot } from './snapshot-codec.js';
import { decodeUpload, type UploadFile } from './upload-file.js';

export interface AcceptRequest {
  id: number;
  /** Texts, or bytes decoded here. */
  files: UploadFile[];
  /** false: only measure the files (the request is refused for another reason whatever they hold). */
  parse: boolean;
}

/** An upload as the store keeps it, in UTF-8: the files as JSON (`[{ name, text }]`) and the snapshot as `keepSnapshot` text. */
export interface StoredUpload {
  files: Uint8Array;
  snapshot: Uint8Array;
}

/** What accepting an upload takes from its megabytes: structured-cloneable, its bytes transferable. */
export interface AcceptedUpload {
  id: number;
  /** Every file is empty or white space. */
  blank: boolean;
  /** The files' size in UTF-8. */
  sizeBytes: number;
  errors: ManifestError[];
  documentCount: number;
  /** Present when the files were parsed without errors. */
  stored?: StoredUpload;
}

const utf8 = new TextEncoder();

/**
 * Everything an upload's accepting does with its bytes, so that a large one costs the API's
 * event loop none of it (UploadParser runs this on its thread): the decoding of its text, the
 * checks of its size and emptiness, the parse, and the encoding of what is stored. Not parsed
 * when blank, over the upload limit, or not asked to.
 */
export function acceptUpload(request: AcceptRequest): AcceptedUpload {
  const { id } = request;
  const files = request.files.map(decodeUpload);
  const blank = files.every((file) => file.text.trim() === '');
  const sizeBytes = files.reduce((sum, file) => sum + Buffer.byteLength(file.text, 'utf8'), 0);
  const measured: AcceptedUpload = { id, blank, sizeBytes, errors: [], documentCount: 0 };
  if (!request.parse || blank || sizeBytes > DEFAULT_LIMITS.maxBytes) return measured;
  const parsed = parseManifests(files, DEFAULT_LIMITS);
  if (parsed.errors.length > 0) return { ...measured, errors: parsed.errors, documentCount: parsed.documentCount };
  return {
    ...measured,
    documentCount: parsed.documentCount,
    // TextEncoder and keepSnapshot give each array a buffer of its own: the thread can transfer them.
    stored: { files: utf8.encode(JSON.stringify(files)), snapshot: keepSnapshot(parsed.snapshot) },
  };
}

/** The buffers an answer can hand over instead of copying. */
export function transferablesOf(accepted: AcceptedUpload): ArrayBuffer[] {
  return accepted.stored ? [accepted.stored.files.buffer as ArrayBuffer, accepted.stored.snapshot.buffer as ArrayBuffer] : [];
}
