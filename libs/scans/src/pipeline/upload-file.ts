import type { ManifestInput } from '#rollsafe/manifests';

/**
 * An uploaded file still in the bytes it came in: the API hands a large one to the parse thread
 * (transferred, not copied) and its text is decoded there, off the event loop.
 */
export interface UploadBytes {
  name: string;
  bytes: Uint8Array;
  /** A WHATWG encoding label (the body's charset); utf-8 when absent. */
  charset?: string;
  /** Keep a leading byte order mark in the text (as Buffer#toString does for multipart files); a body's is dropped. */
  keepBom?: boolean;
}

/** A file of an upload: its text, or its bytes (decoded where it is parsed). */
export type UploadFile = ManifestInput | UploadBytes;

export function isUploadBytes(file: UploadFile): file is UploadBytes {
  return 'bytes' in file;
}

/** The file with its text, decoded from its bytes if need be. */
export function decodeUpload(file: UploadFile): ManifestInput {
  if (!isUploadBytes(file)) return file;
  return { name: file.name, text: new TextDecoder(file.charset ?? 'utf-8', { ignoreBOM: file.keepBom === true }).decode(file.bytes) };
}

/** The file's size as the API sees it before decoding: UTF-16 units of a text, bytes of bytes (a bound on its text). */
export function uploadLength(file: UploadFile): number {
  return isUploadBytes(file) ? file.bytes.byteLength : file.text.length;
}

/**
 * Bytes that can be handed to a thread instead of copied: the view itself when it covers its
 * buffer whole, else (a pooled small Buffer, a slice) a copy with a buffer of its own, so that
 * no other bytes go with it.
 */
export function ownedBytes(view: Uint8Array): Uint8Array {
  const whole = view.byteOffset === 0 && view.byteLength === view.buffer.byteLength && view.buffer instanceof ArrayBuffer;
  return whole ? view : new Uint8Array(view);
}

/** The files with bytes that can be handed over (ownedBytes), and their buffers to transfer. */
export function transferableFiles(files: UploadFile[]): { files: UploadFile[]; transfer: ArrayBuffer[] } {
  const transfer: ArrayBuffer[] = [];
  const owned = files.map((file) => {
    if (!isUploadBytes(file)) return file;
    const bytes = ownedBytes(file.bytes);
    if (!transfer.includes(bytes.buffer as ArrayBuffer)) transfer.push(bytes.buffer as ArrayBuffer);
    return { ...file, bytes };
  });
  return { files: owned, transfer };
}
