import type { UploadBytes } from './upload-file.js';

export interface JsonUploadRequest {
  id: number;
  /** The body as it came. */
  bytes: Uint8Array;
  /** Its charset (a WHATWG label of a UTF encoding); utf-8 when absent. */
  charset?: string;
}

/**
 * What the API reads of a JSON upload body, `{ "manifests": "<yaml or json>", "provider"?,
 * "target"? }`: structured-cloneable, the manifests' bytes transferable. `body` stands for the
 * parsed body with what the API checks of it, and no more (a megabyte of something else is not
 * copied back): an array is an empty array; of an object, `provider` and `target` when they
 * are strings or null, `false` for any other value. A string `manifests` is in `manifests`, as
 * UTF-8; any other value of it is left out (it is refused as missing is).
 */
export type JsonUpload = { id: number; valid: false } | { id: number; valid: true; body: unknown; manifests?: UploadBytes };

const JSON_WHITE_SPACE = /^[ \t\n\r]*/;
const utf8 = new TextEncoder();

/**
 * Parses a JSON upload body (the UploadParser runs this on its thread for a large one) as the
 * API's JSON body parser does: an empty body is `{}`; anything but an object or an array at the
 * top, or text that is not JSON, is not valid.
 */
export function readJsonUpload(request: JsonUploadRequest): JsonUpload {
  const { id } = request;
  const text = new TextDecoder(request.charset ?? 'utf-8').decode(request.bytes);
  if (text.length === 0) return { id, valid: true, body: {} };
  const first = text.charAt(JSON_WHITE_SPACE.exec(text)?.[0].length ?? 0);
  if (first !== '{' && first !== '[') return { id, valid: false };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { id, valid: false };
  }
  if (Array.isArray(parsed)) return { id, valid: true, body: [] };
  const { manifests, provider, target } = parsed as Record<string, unknown>;
  const body = { ...checked('provider', provider), ...checked('target', target) };
  if (typeof manifests !== 'string') return { id, valid: true, body };
  // TextEncoder gives the array a buffer of its own (transferable). A leading U+FEFF of the
  // string is text, not a byte order mark.
  return { id, valid: true, body, manifests: { name: 'upload', bytes: utf8.encode(manifests), keepBom: true } };
}

function checked(name: string, value: unknown): Record<string, string | null | false> {
  if (value === undefined) return {};
  return { [name]: typeof value === 'string' || value === null ? value : false };
}
