// An upload's input row (scan_inputs: its files and the snapshot parsed from them) written with
// COPY in binary format: the megabytes go as they are, in slices (copyIn), while the few bytes
// around them (the row's framing, its id and size) are made by BinaryCopyRows.
import type pg from 'pg';
import { BinaryCopyRows } from './copy-binary.js';
import { copyIn } from './copy-in.js';

export interface ScanInputRow {
  scanId: string;
  /** The files' JSON (`[{ name, text }]`) in UTF-8. */
  files: Uint8Array;
  sizeBytes: number;
  /** libs/scans' snapshot codec text in UTF-8. */
  snapshot: Uint8Array | null;
}

export async function writeScanInput(db: Pick<pg.ClientBase, 'query'>, row: ScanInputRow): Promise<void> {
  const data = new BinaryCopyRows(4).row().uuid(row.scanId).jsonbBytes(row.files).int4(row.sizeBytes).textBytes(row.snapshot);
  await copyIn(db, 'COPY scan_inputs (scan_id, files, size_bytes, snapshot) FROM STDIN (FORMAT binary)', data.slices());
}
