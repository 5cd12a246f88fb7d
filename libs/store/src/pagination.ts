/** Keyset pagination: a page asks for one row more than it returns to know if another follows. */
export interface Page<T> {
  items: T[];
  hasMore: boolean;
}

export function toPage<T>(rows: T[], limit: number): Page<T> {
  return rows.length > limit ? { items: rows.slice(0, limit), hasMore: true } : { items: rows, hasMore: false };
}
