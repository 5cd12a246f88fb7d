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

/** What a newest-first page adds to its query: the rows after the cursor, the order and how many to take. */
export interface NewestFirstQuery<K extends string> {
  /** To spread into the where-clause: older than the cursor, or as old with a lower id (nothing on the first page). */
  after: { OR?: [Field<K, { lt: Date }>, Field<K, Date> & { id: { lt: string } }] };
  orderBy: [Field<K, 'desc'>, { id: 'desc' }];
  take: number;
}

/**
 * One page of a list keyed by (key, id), newest first, ties by id: `find` runs the query with
 * the keyset parts of `NewestFirstQuery`, and the page is what it found less the extra row.
 */
export async function newestFirstPage<K extends string, T>(
  key: K,
  limit: number,
  cursor: KeysetCursor<K> | undefined,
  find: (query: NewestFirstQuery<K>) => Promise<T[]>,
): Promise<Page<T>> {
  let after: NewestFirstQuery<K>['after'] = {};
  if (cursor) {
    const at: Date = cursor[key];
    after = { OR: [{ [key]: { lt: at } } as Field<K, { lt: Date }>, { [key]: at, id: { lt: cursor.id } } as Field<K, Date> & { id: { lt: string } }] };
  }
  const rows = await find({ after, orderBy: [{ [key]: 'desc' } as Field<K, 'desc'>, { id: 'desc' }], take: limit + 1 });
  return toPage(rows, limit);
}
