import { isAscii } from 'node:buffer';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ManifestError } from './errors.js';
import { looksLikeJson, type ManifestInput, type TextPart } from './parse-text.js';
import { joinParts, partedInput } from './parted-input.js';

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
const SKIPPED_DIRECTORIES = new Set(['node_modules']);

export interface ReadResult {
  inputs: ManifestInput[];
  errors: ManifestError[];
}

/**
 * Reads files, directories (recursively: .yaml, .yml, .json; hidden directories and
 * node_modules are skipped) and `-` (stdin). A path that cannot be read is an error; the
 * others are still read. Files come in a stable order so output is reproducible.
 */
export async function readManifestPaths(paths: string[], readStdin: () => Promise<string>, options: ReadOptions = {}): Promise<ReadResult> {
  const inputs: ManifestInput[] = [];
  const errors: ManifestError[] = [];
  for (const given of paths) {
    if (given === '-') {
      inputs.push({ name: '-', text: await readStdin() });
      continue;
    }
    let stat;
    try {
      stat = await fs.stat(given);
    } catch (error) {
      errors.push({ code: 'UNREADABLE', file: given, message: describeFsError(error) });
      continue;
    }
    const files = stat.isDirectory() ? await listManifestFiles(given, errors) : [given];
    for (const file of files) {
      try {
        inputs.push(await readInput(file, options.chunkBytes ?? READ_CHUNK_BYTES));
      } catch (error) {
        errors.push({ code: 'UNREADABLE', file, message: describeFsError(error) });
      }
    }
  }
  return { inputs, errors };
}

const READ_CHUNK_BYTES = 4 << 20;

export interface ReadOptions {
  /** Bytes read at a time; a file larger than one read may be kept in parts. Default 4 MiB. */
  chunkBytes?: number;
}

const NEWLINE = 0x0a;
const DASH = 0x2d;
const DOT = 0x2e;

/**
 * A file's text. A file that takes more than one read is cut at the last `---` marker of each
 * read and kept in parts (see parted-input.ts): joining them into one string copied every
 * character into memory touched for the first time, about 0.3 s of an 80 MB scan. A file the
 * parts would not parse alike (JSON, a `%` directive, a `...` marker, a NUL byte) is joined.
 *
 * ASCII parts (nearly every manifest) become Latin-1 strings, one byte a character, with no
 * UTF-8 decoding; the others are decoded as UTF-8. The cuts are at ASCII bytes, so no character
 * is split. `readFile(file, 'utf8')` took a fresh buffer a chunk and decoded all of it.
 */
async function readInput(name: string, chunkBytes: number): Promise<ManifestInput> {
  const handle = await fs.open(name, 'r');
  try {
    let buffer = Buffer.allocUnsafe(chunkBytes);
    let held = 0; // bytes at the buffer's start after the last cut
    let line = 1; // the file line of buffer[0]
    let partsParseAlike = true;
    const parts: TextPart[] = [];
    /**
     * `cut`: more parts follow or went before, so they must parse alike (a file of one part is its
     * whole text). `last`: no part follows, so no line number is needed after it.
     */
    const take = (bytes: Buffer, cut: boolean, last: boolean): void => {
      if (cut) partsParseAlike &&= parsesAlikeInParts(bytes, parts.length === 0);
      const text = decode(bytes);
      parts.push({ text, firstLine: line });
      if (!last) line += countNewlines(text);
    };
    for (;;) {
      if (held === buffer.length) {
        const larger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(larger, 0, 0, held);
        buffer = larger;
      }
      const { bytesRead } = await handle.read(buffer, held, buffer.length - held, null);
      if (bytesRead === 0) break;
      const end = held + bytesRead;
      // Only the new bytes can hold the next marker (the held ones were searched); from 4 back, for a marker cut by the read.
      const cut = lastMarkerLine(buffer, Math.max(0, held - 4), end);
      if (cut <= 0) {
        held = end;
        continue;
      }
      take(buffer.subarray(0, cut), true, false);
      buffer.copy(buffer, 0, cut, end);
      held = end - cut;
    }
    if (held > 0 || parts.length === 0) take(buffer.subarray(0, held), parts.length > 0, true);
    const first = parts[0]?.text ?? '';
    if (parts.length === 1) return { name, text: first };
    if (!partsParseAlike || looksLikeJson(name, first)) return { name, text: joinParts(parts) };
    return partedInput(name, parts);
  } finally {
    await handle.close();
  }
}

function decode(bytes: Buffer): string {
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}

/**
 * Where the last line that starts with a `---` document marker begins (`---` then a space, a tab
 * or a line break), after `from` and before `end`, or -1. Only a marker whose next byte has been
 * read counts.
 */
function lastMarkerLine(buffer: Buffer, from: number, end: number): number {
  // lastIndexOf counts a negative offset from the buffer's end: never give it one.
  for (let at = end - 5; at >= from; at--) {
    const newline = buffer.lastIndexOf(NEWLINE, at);
    if (newline < from) return -1;
    if (buffer[newline + 1] === DASH && buffer[newline + 2] === DASH && buffer[newline + 3] === DASH && isMarkerEnd(buffer[newline + 4])) return newline + 1;
    at = newline;
  }
  return -1;
}

/**
 * The bytes hold nothing that makes parts parse differently from the whole text: no NUL (the
 * whole is refused as binary), no `%` directive and no `...` marker (the whole goes to the
 * reference parser). `atFileStart`: the bytes begin the file (later parts begin with `---`).
 */
function parsesAlikeInParts(bytes: Buffer, atFileStart: boolean): boolean {
  if (bytes.indexOf(0) !== -1) return false;
  if (atFileStart && (bytes[0] === 0x25 /* % */ || isEndMarkerAt(bytes, 0))) return false;
  if (bytes.indexOf('\n%', 0, 'latin1') !== -1) return false;
  for (let at = bytes.indexOf('\n...', 0, 'latin1'); at !== -1; at = bytes.indexOf('\n...', at + 1, 'latin1')) if (isEndMarkerAt(bytes, at + 1)) return false;
  return true;
}

function isEndMarkerAt(bytes: Buffer, at: number): boolean {
  return bytes[at] === DOT && bytes[at + 1] === DOT && bytes[at + 2] === DOT && (at + 3 >= bytes.length || isMarkerEnd(bytes[at + 3]));
}

/** A space, a tab or a line break: what may follow a `---` or `...` marker (split.ts). */
function isMarkerEnd(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x09 || byte === NEWLINE || byte === 0x0d;
}

/** Counted in the decoded text: String.prototype.indexOf is a builtin, Buffer's a call into C++ each time (4 MB: 1.3 against 1.7 ms, 2.2 against 6.2 ms cold). */
function countNewlines(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) count++;
  return count;
}

async function listManifestFiles(directory: string, errors: ManifestError[]): Promise<string[]> {
  let entries;
  try {
    entries = await fs.readdir(directory, { withFileTypes: true });
  } catch (error) {
    errors.push({ code: 'UNREADABLE', file: directory, message: describeFsError(error) });
    return [];
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const entry of entries) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) {
      if (entry.name.startsWith('.') || SKIPPED_DIRECTORIES.has(entry.name)) continue;
      files.push(...(await listManifestFiles(full, errors)));
    } else if (MANIFEST_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) {
      files.push(full);
    }
  }
  return files;
}

function describeFsError(error: unknown): string {
  const code = (error as { code?: string }).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
