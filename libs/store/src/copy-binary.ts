// Rows in PostgreSQL's binary COPY format, made field by field into slices of about
// SLICE_BYTES: no row object, no JSON of the whole table, no escaping, and no multi-MB buffer
// grown by doubling (each slice is written once and goes to copyIn as it is). Postgres reads
// the fields as they are: it parses only the jsonb columns' text.

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const SLICE_BYTES = 256 * 1024;
/** jsonb's binary form: this version byte, then the JSON text. */
const JSONB_VERSION = 1;
/** Each character code's hex digit value, -1 for anything else. */
const HEX_DIGIT = Int8Array.from({ length: 128 }, (_, code) => {
  const digit = Number.parseInt(String.fromCharCode(code), 16);
  return Number.isNaN(digit) ? -1 : digit;
});

/** A uuid's 16 bytes from its text form (8-4-4-4-12 hex digits). */
export function uuidBytes(value: string): Uint8Array {
  const bytes = Buffer.alloc(16);
  writeUuid(value, bytes, 0);
  return bytes;
}

function writeUuid(value: string, into: Uint8Array, start: number): void {
  if (value.length !== 36) throw new TypeError(`not a uuid: ${value}`);
  let at = start;
  for (let i = 0; i < 36; i += 2) {
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (value.charCodeAt(i) !== 45) throw new TypeError(`not a uuid: ${value}`);
      i -= 1; // the next pair starts after the dash
      continue;
    }
    const high = HEX_DIGIT[value.charCodeAt(i)] ?? -1;
    const low = HEX_DIGIT[value.charCodeAt(i + 1)] ?? -1;
    if (high < 0 || low < 0) throw new TypeError(`not a uuid: ${value}`);
    into[at++] = (high << 4) | low;
  }
}

/** The data of `COPY table (columns) FROM STDIN (FORMAT binary)`: call row() before each row's fields, then slices(). */
export class BinaryCopyRows {
  private readonly done: Uint8Array[] = [];
  private slice = Buffer.allocUnsafe(SLICE_BYTES);
  private at = 0;
  private rowCount = 0;

  constructor(private readonly columns: number) {
    this.at = SIGNATURE.copy(this.slice, 0);
    this.at = this.slice.writeInt32BE(0, this.at); // flags
    this.at = this.slice.writeInt32BE(0, this.at); // header extension
  }

  get rows(): number {
    return this.rowCount;
  }

  row(): this {
    this.room(2);
    this.at = this.slice.writeInt16BE(this.columns, this.at);
    this.rowCount += 1;
    return this;
  }

  /** A uuid in its text form (8-4-4-4-12 hex digits), or its 16 bytes (uuidBytes: for a value of every row). */
  uuid(value: string | Uint8Array): this {
    this.room(4 + 16);
    this.at = this.slice.writeInt32BE(16, this.at);
    if (typeof value === 'string') writeUuid(value, this.slice, this.at);
    else if (value.length !== 16) throw new TypeError('not a uuid: not 16 bytes');
    else this.slice.set(value, this.at);
    this.at += 16;
    return this;
  }

  int4(value: number | null | undefined): this {
    if (value === null || value === undefined) return this.null();
    this.room(4 + 4);
    this.at = this.slice.writeInt32BE(4, this.at);
    this.at = this.slice.writeInt32BE(value, this.at);
    return this;
  }

  float8(value: number): this {
    this.room(4 + 8);
    this.at = this.slice.writeInt32BE(8, this.at);
    this.at = this.slice.writeDoubleBE(value, this.at);
    return this;
  }

  /** text, varchar and enum columns (an enum's binary form is its label). */
  text(value: string | null | undefined): this {
    return value === null || value === undefined ? this.null() : this.bytes(value, undefined);
  }

  /** A jsonb column from JSON text; undefined (what JSON.stringify gives for undefined) is NULL. */
  jsonb(json: string | null | undefined): this {
    return json === null || json === undefined ? this.null() : this.bytes(json, JSONB_VERSION);
  }

  /** A text or bytea column whose UTF-8 the caller already has: sent as it is, not copied. */
  textBytes(bytes: Uint8Array | null): this {
    return bytes === null ? this.null() : this.external(bytes, undefined);
  }

  /** A jsonb column whose JSON text the caller already has in UTF-8: sent as it is, not copied. */
  jsonbBytes(bytes: Uint8Array): this {
    return this.external(bytes, JSONB_VERSION);
  }

  null(): this {
    this.room(4);
    this.at = this.slice.writeInt32BE(-1, this.at);
    return this;
  }

  /** The data with its trailer; the encoder is spent afterwards. */
  slices(): Uint8Array[] {
    this.room(2);
    this.at = this.slice.writeInt16BE(-1, this.at);
    this.done.push(this.slice.subarray(0, this.at));
    return this.done;
  }

  /** A length, an optional prefix byte, then the string's UTF-8 (at most 3 bytes per UTF-16 unit). */
  private bytes(value: string, prefix: number | undefined): this {
    const extra = prefix === undefined ? 0 : 1;
    this.room(4 + extra + value.length * 3);
    const lengthAt = this.at;
    let at = lengthAt + 4;
    if (prefix !== undefined) at = this.slice.writeUInt8(prefix, at);
    const written = this.slice.write(value, at, 'utf8');
    this.slice.writeInt32BE(extra + written, lengthAt);
    this.at = at + written;
    return this;
  }

  /** A length, an optional prefix byte, then the caller's bytes as a slice of their own. */
  private external(bytes: Uint8Array, prefix: number | undefined): this {
    const extra = prefix === undefined ? 0 : 1;
    this.room(4 + extra);
    this.at = this.slice.writeInt32BE(extra + bytes.length, this.at);
    if (prefix !== undefined) this.at = this.slice.writeUInt8(prefix, this.at);
    this.done.push(this.slice.subarray(0, this.at), bytes);
    this.slice = this.slice.subarray(this.at); // the rest of the slice takes the fields after
    this.at = 0;
    return this;
  }

  private room(bytes: number): void {
    if (this.at + bytes <= this.slice.length) return;
    this.done.push(this.slice.subarray(0, this.at));
    this.slice = Buffer.allocUnsafe(Math.max(SLICE_BYTES, bytes));
    this.at = 0;
  }
}
