/** Keyset pagination: a page asks for one row more than it returns to know if another follows. */
export interface Page<T> {
  items: T[];
  hasMore: boolean;
}

export function toPage<T>(rows: T[], limit: number): Page<T> {
  return rows.length > limit ? { items: rows.slice(0, limit), hasMore: true } : { items: rows, hasMore: false };
}

/** A row's field named K holding V. */
type Field<K extends string, V> = { [P in K]: V };

/** Where a newest-first page left off: its last row's time (the `key` field) and id. */
export type KeysetCursor<K extends string> = Field<K, Date> & { id: string };

/** The order of a newest-first list keyed by (key, id): newest first, ties by id, descending. */
export function newestFirst<K extends string>(key: K): [Field<K, 'desc'>, { id: 'desc' }] {
  return [{ [key]: 'desc' } as Field<K, 'desc'>, { id: 'desc' }];
}

/**
 * The where-clause part for the rows after `cursor` in `newestFirst(key)` order: older, or as
 * old with a lower id. Nothing without a cursor (the first page).
 */
export function keysetAfter<K extends string>(
  key: K,
  cursor: KeysetCursor<K> | undefined,
): { OR?: [Field<K, { lt: Date }>, Field<K, Date> & { id: { lt: string } }] } {
  if (!cursor) return {};
  const at: Date = cursor[key];
  return { OR: [{ [key]: { lt: at } } as Field<K, { lt: Date }>, { [key]: at, id: { lt: cursor.id } } as Field<K, Date> & { id: { lt: string } }] };
}
