// Every list pages the same way: limits checked alike, cursors read and written by their keyset.
import { DomainError } from './errors.js';
import { bySeq, bySeverityThenNewest, listPage, newestFirst } from './paging.js';
import { type Connection, toConnection } from './contracts/index.js';

const rows = Array.from({ length: 5 }, (_, i) => ({ id: `00000000-0000-4000-8000-00000000000${i}`, createdAt: new Date(Date.UTC(2026, 0, 10 - i)) }));

function pageOf(limit: number, after: { createdAt: Date; id: string } | undefined) {
  const rest = after ? rows.filter((row) => row.createdAt < after.createdAt) : rows;
  return Promise.resolve({ items: rest.slice(0, limit), hasMore: rest.length > limit });
}

/** A connection's pageInfo as GraphQL reads it: field by field (its cursors are getters). */
function pageInfoOf(connection: Connection<unknown>) {
  const { hasNextPage, hasPreviousPage, startCursor, endCursor } = connection.pageInfo;
  return { hasNextPage, hasPreviousPage, startCursor, endCursor };
}

describe('listPage', () => {
  it('walks a newest-first list with the cursor it hands out, and counts it', async () => {
    const spec = {
      defaultLimit: 2,
      keyset: newestFirst('createdAt'),
      page: pageOf,
      count: () => Promise.resolve(rows.length),
      view: (row: { id: string }) => row.id,
    };
    const first = await listPage({}, spec);
    expect(first).toEqual({ items: [rows[0]?.id, rows[1]?.id], nextCursor: expect.any(String), totalCount: 5 });
    const second = await listPage({ cursor: first.nextCursor ?? null }, spec);
    const third = await listPage({ cursor: second.nextCursor ?? null }, spec);
    expect([...second.items, ...third.items]).toEqual(rows.slice(2).map((row) => row.id));
    expect(third.nextCursor).toBeUndefined();
    expect(JSON.parse(JSON.stringify(first))).toEqual({ items: first.items, nextCursor: first.nextCursor, totalCount: 5 });
  });

  it('gives a connection an edge per item whose cursor pages after it (Relay), and a full pageInfo', async () => {
    const spec = { defaultLimit: 2, keyset: newestFirst('createdAt'), page: pageOf, view: (row: { id: string }) => row.id };
    const first = toConnection(await listPage({}, spec));
    expect(first.nodes).toEqual([rows[0]?.id, rows[1]?.id]);
    expect(first.edges.map((edge) => edge.node)).toEqual(first.nodes);
    expect(pageInfoOf(first)).toEqual({ hasNextPage: true, hasPreviousPage: false, startCursor: first.edges[0]?.cursor, endCursor: first.edges[1]?.cursor });
    const afterFirstEdge = await listPage({ cursor: first.edges[0]?.cursor ?? null }, spec);
    expect(afterFirstEdge.items).toEqual([rows[1]?.id, rows[2]?.id]);
    const last = toConnection(await listPage({ cursor: first.pageInfo.endCursor ?? null, limit: 3 }, spec));
    expect(pageInfoOf(last)).toEqual({ hasNextPage: false, hasPreviousPage: true, startCursor: last.edges[0]?.cursor, endCursor: last.edges[2]?.cursor });
    expect(pageInfoOf(toConnection({ items: [], totalCount: 0 }))).toEqual({ hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null });
    expect(() => toConnection({ items: ['x'] })).toThrow(/listPage/);
  });

  it("gives connections no getters of their own: an object's own accessors would keep its page in the old generation", async () => {
    const spec = { defaultLimit: 2, keyset: newestFirst('createdAt'), page: pageOf, view: (row: { id: string }) => row.id };
    const [one, other] = [toConnection(await listPage({}, spec)), toConnection(await listPage({ limit: 3 }, spec))];
    for (const object of [one, other, one.pageInfo, other.pageInfo]) {
      const own = Object.values(Object.getOwnPropertyDescriptors(object));
      expect(own.filter((descriptor) => descriptor.get !== undefined || descriptor.set !== undefined)).toEqual([]);
    }
    expect(Object.getPrototypeOf(one)).toBe(Object.getPrototypeOf(other));
    expect(Object.getPrototypeOf(one.pageInfo)).toBe(Object.getPrototypeOf(other.pageInfo));
  });

  it('encodes a cursor when it is read: a REST page its last one, a connection the ones its query selects', async () => {
    const encoded: string[] = [];
    const keyset = newestFirst('createdAt');
    const counting = { decode: keyset.decode, encode: (row: { createdAt: Date; id: string }) => (encoded.push(row.id), keyset.encode(row)) };
    const spec = { defaultLimit: 4, keyset: counting, page: pageOf, view: (row: { id: string }) => row.id };
    const page = await listPage({}, spec);
    expect(encoded).toEqual([rows[3]?.id]);
    const connection = toConnection(page);
    expect(connection.pageInfo.endCursor).toBe(page.nextCursor);
    expect(encoded).toEqual([rows[3]?.id]);
    expect(connection.pageInfo.startCursor).toBe((await listPage({}, { ...spec, keyset, defaultLimit: 1 })).nextCursor);
    expect(connection.edges.map((edge) => edge.cursor)).toEqual(
      await Promise.all([1, 2, 3, 4].map(async (limit) => (await listPage({}, { ...spec, keyset, defaultLimit: limit })).nextCursor)),
    );
    expect(encoded).toEqual([rows[3]?.id, rows[0]?.id, rows[1]?.id, rows[2]?.id]);
    expect(connection.edges).toBe(connection.edges);
  });

  it('counts the rows of a list only when asked: count exact, or a connection whose totalCount is read', async () => {
    let counted = 0;
    const spec = {
      defaultLimit: 2,
      keyset: newestFirst('createdAt'),
      page: pageOf,
      countRows: () => {
        counted += 1;
        return Promise.resolve(rows.length);
      },
      view: (row: { id: string }) => row.id,
    };
    const plain = await listPage({}, spec);
    expect(plain.totalCount).toBeUndefined();
    expect(counted).toBe(0);
    expect((await listPage({ count: 'exact' }, spec)).totalCount).toBe(5);
    expect(counted).toBe(1);
    // The whole list in the first page: its length is the total, with no count.
    expect((await listPage({ limit: 10 }, spec)).totalCount).toBe(5);
    expect(counted).toBe(1);
    const connection = toConnection(await listPage({}, spec));
    expect(counted).toBe(1);
    expect(await connection.totalCount).toBe(5);
    expect(counted).toBe(2);
  });

  it('answers BAD_INPUT for a limit out of range on every list (none clamps)', async () => {
    const spec = { defaultLimit: 50, keyset: newestFirst('createdAt'), page: pageOf, view: (row: { id: string }) => row.id };
    for (const limit of [0, 201, 2.5]) {
      await expect(listPage({ limit }, spec)).rejects.toMatchObject({ code: 'BAD_INPUT', details: { field: 'limit' } });
    }
    expect((await listPage({}, spec)).totalCount).toBeUndefined();
  });

  it('refuses forged cursors with BAD_INPUT naming the field', () => {
    const forged = [Buffer.from('{"t":"yesterday","i":"x"}').toString('base64url'), 'not base64 json', Buffer.from('[1]').toString('base64url')];
    for (const cursor of forged) {
      for (const keyset of [newestFirst('at'), bySeq, bySeverityThenNewest]) {
        let error: unknown;
        try {
          keyset.decode(cursor);
        } catch (caught) {
          error = caught;
        }
        expect(error).toBeInstanceOf(DomainError);
        expect(error).toMatchObject({ code: 'BAD_INPUT', details: { field: 'cursor' } });
      }
    }
  });

  it('round-trips each keyset', () => {
    const state = { severity: 'warning' as const, firstSeenAt: new Date('2026-12-01T00:00:00Z'), id: rows[0]?.id ?? '' };
    const encode = (value: Record<string, string | number>) => Buffer.from(JSON.stringify(value)).toString('base64url');
    expect(bySeverityThenNewest.decode(encode(bySeverityThenNewest.encode({ state })))).toEqual(state);
    expect(bySeq.decode(encode(bySeq.encode({ seq: 41 })))).toBe(41);
  });
});
