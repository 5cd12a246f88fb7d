// An upload's input row (scan_inputs: its files and the snapshot parsed from them) written with
// COPY in binary format: the megabytes go as they are, in slices (copyIn), while the few bytes
// around them (the row's framing, its id and size) are made here.
import type pg from 'pg';
import { copyIn } from './copy-in.js';

export interface ScanInputRow {
  scanId: string;
  /** The files' JSON (`[{ name, text }]`) in UTF-8. */
  files: Uint8Array;
  sizeBytes: number;
  /** libs/scans' snapshot codec text in UTF-8. */
  snapshot: Uint8Array | null;
}

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** jsonb's binary form: this version byte, then the JSON text. */
const JSONB_VERSION = 1;

export async function writeScanInput(db: Pick<pg.ClientBase, 'query'>, row: ScanInputRow): Promise<void> {
  const uuid = Buffer.from(row.scanId.replace(/-/g, ''), 'hex');
  const beforeFiles = Buffer.alloc(SIGNATURE.length + 4 + 4 + 2 + 4 + 16 + 4 + 1);
  let at = SIGNATURE.copy(beforeFiles, 0);
  at = beforeFiles.writeInt32BE(0, at); // flags
  at = beforeFiles.writeInt32BE(0, at); // header extension
  at = beforeFiles.writeInt16BE(4, at); // fields in the row
  at = beforeFiles.writeInt32BE(16, at);
  at += uuid.copy(beforeFiles, at);
  at = beforeFiles.writeInt32BE(row.files.length + 1, at);
  beforeFiles.writeUInt8(JSONB_VERSION, at);
  const beforeSnapshot = Buffer.alloc(4 + 4 + 4);
  at = beforeSnapshot.writeInt32BE(4, 0);
  at = beforeSnapshot.writeInt32BE(row.sizeBytes, at);
  beforeSnapshot.writeInt32BE(row.snapshot ? row.snapshot.length : -1, at);
  const trailer = Buffer.alloc(2);
  trailer.writeInt16BE(-1, 0);
  const parts = [beforeFiles, row.files, beforeSnapshot, ...(row.snapshot ? [row.snapshot] : []), trailer];
  await copyIn(db, 'COPY scan_inputs (scan_id, files, size_bytes, snapshot) FROM STDIN (FORMAT binary)', parts);
}
