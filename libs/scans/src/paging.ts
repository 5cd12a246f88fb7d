// The one way every list pages: the limit checked, the keyset cursor read and written, and
// the count beside the page (from stored figures, or a COUNT only when asked for).
import type { Page, StateCursor } from '#rollsafe/store';
import { PAGE_POSITION, type ListView, type PagePosition } from './contracts/index.js';
import { Severity, valuesOf } from './contracts/enums.js';
import { DomainError } from './errors.js';
import { UUID, decodeCursor, encodeCursor } from './cursor.js';

export const MAX_PAGE_SIZE = 200;

export interface PageArgs {
  limit?: number | null;
  cursor?: string | null;
  /** `exact`: give the total of a list that is counted only on request (REST's `?count=exact`). */
  count?: 'exact' | null;
}

/** How a list's cursor is read from the API and written from a page's last row. */
export interface Keyset<Row, After> {
  decode(cursor: string): After;
  encode(row: Row): Record<string, string | number>;
}

export interface ListSpec<Row extends KeyRow, KeyRow, After, View> {
  defaultLimit: number;
  keyset: Keyset<KeyRow, After>;
  page(limit: number, after: After | undefined): Promise<Page<Row>>;
  /** The total read from stored figures (no COUNT): given with every page. */
  count?: () => Promise<number>;
  /**
   * The total by counting the rows: run only when asked (`count: 'exact'`, or a connection's
   * totalCount selected); a first page that holds the whole list gives it without counting.
   * Lists with neither report no total.
   */
  countRows?: () => Promise<number>;
  view(row: Row): View;
}

export async function listPage<Row extends KeyRow, KeyRow, After, View>(args: PageArgs, spec: ListSpec<Row, KeyRow, After, View>): Promise<ListView<View>> {
  const limit = pageSize(args.limit, spec.defaultLimit);
  const after = args.cursor ? spec.keyset.decode(args.cursor) : undefined;
  const countNow = spec.count ?? (args.count === 'exact' ? spec.countRows : undefined);
  const [page, counted] = await Promise.all([spec.page(limit, after), countNow?.()]);
  const whole = after === undefined && !page.hasMore && spec.countRows !== undefined;
  const totalCount = counted ?? (whole ? page.items.length : undefined);
  // Each cursor is encoded when asked for, once: a REST page needs its last one only.
  const rows = page.items;
  const cursors: string[] = [];
  const cursorOf = (index: number): string => {
    const row = rows[index];
    if (row === undefined) throw new RangeError(`no item ${index} on this page`);
    return (cursors[index] ??= encodeCursor(spec.keyset.encode(row)));
  };
  const list: ListView<View> = {
    items: rows.map((row) => spec.view(row)),
    ...(page.hasMore && rows.length > 0 ? { nextCursor: cursorOf(rows.length - 1) } : {}),
    ...(totalCount !== undefined ? { totalCount } : {}),
  };
  // for connections' edges and pageInfo: a hidden symbol key, not part of the REST shape
  const countLater = totalCount === undefined ? spec.countRows : undefined;
  const position: PagePosition = { cursorOf, after: after !== undefined, ...(countLater ? { count: countLater } : {}) };
  Object.defineProperty(list, PAGE_POSITION, { value: position, enumerable: false });
  return list;
}

export function pageSize(value: number | null | undefined, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > MAX_PAGE_SIZE) {
    throw new DomainError('BAD_INPUT', `limit must be an integer from 1 to ${MAX_PAGE_SIZE}`, { field: 'limit' });
  }
  return value;
}

function invalidCursor(): DomainError {
  return new DomainError('BAD_INPUT', 'cursor is not valid: pass the nextCursor of a previous page', { field: 'cursor' });
}

function dateOf(value: unknown): Date {
  const date = typeof value === 'string' ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) throw invalidCursor();
  return date;
}

function uuidOf(value: unknown): string {
  if (typeof value !== 'string' || !UUID.test(value)) throw invalidCursor();
  return value;
}

/** Newest first by a time field, ties by id: scans, clusters, webhooks, suppressions (`createdAt`), deliveries (`at`). */
export function newestFirst<K extends string>(key: K): Keyset<{ [P in K]: Date } & { id: string }, { [P in K]: Date } & { id: string }> {
  return {
    decode(cursor) {
      const value = decodeCursor(cursor);
      return { [key]: dateOf(value['t']), id: uuidOf(value['i']) } as { [P in K]: Date } & { id: string };
    },
    encode: (row) => ({ t: row[key].toISOString(), i: row.id }),
  };
}

/** A scan's findings, in the advisor's order. */
export const bySeq: Keyset<{ seq: number }, number> = {
  decode(cursor) {
    const seq = decodeCursor(cursor)['s'];
    // A Postgres integer: a larger one would reach the database as an out-of-range error.
    if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 0 || seq > 2_147_483_647) throw invalidCursor();
    return seq;
  },
  encode: (row) => ({ s: row.seq }),
};

const SEVERITIES: readonly string[] = valuesOf(Severity);

/** Findings across several scans: by scan id, then the advisor's order within a scan. */
export const byScanThenSeq: Keyset<{ scanId: string; seq: number }, { scanId: string; seq: number }> = {
  decode(cursor) {
    const value = decodeCursor(cursor);
    const seq = value['s'];
    if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 0 || seq > 2_147_483_647) throw invalidCursor();
    return { scanId: uuidOf(value['i']), seq };
  },
  encode: (row) => ({ i: row.scanId, s: row.seq }),
};

/** A cluster's finding states: most severe first, then newest. */
export const bySeverityThenNewest: Keyset<{ state: StateCursor }, StateCursor> = {
  decode(cursor) {
    const value = decodeCursor(cursor);
    const severity = value['v'];
    if (typeof severity !== 'string' || !SEVERITIES.includes(severity)) throw invalidCursor();
    return { severity: severity as Severity, firstSeenAt: dateOf(value['t']), id: uuidOf(value['i']) };
  },
  encode: ({ state }) => ({ v: state.severity, t: state.firstSeenAt.toISOString(), i: state.id }),
};
