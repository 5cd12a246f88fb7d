// COPY ... FROM STDIN through node-postgres, as a submittable query (what pg-copy-streams does,
// without the dependency). The data goes to the connection's socket as slices of the caller's
// bytes, CHUNK_BYTES at a time with the socket's backpressure: megabytes reach Postgres without
// being copied into one message on the event loop (on a VM whose fresh pages cost about 5 ms
// per MB to touch, a 20 MB Bind held the loop for 100-300 ms), and other events are handled
// between the chunks (the kernel's copy of each chunk, about 1 ms, is all one of them costs).
import { once } from 'node:events';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Duplex } from 'node:stream';
import type pg from 'pg';

const CHUNK_BYTES = 256 * 1024;
const COPY_DATA = 0x64; // 'd'

/** node-postgres' Connection, with the COPY message its types leave out. */
type Connection = pg.Connection & { readonly stream: Duplex; endCopyFrom(): void };

type Callback = (error: Error | null, rowCount?: number) => void;

/** The query object node-postgres drives: it calls submit, then one handler per backend message. */
class CopyInQuery implements pg.Submittable {
  callback: Callback | undefined;
  private failure: Error | undefined;
  private rowCount = 0;
  private settled = false;

  constructor(
    private readonly text: string,
    private readonly parts: readonly Uint8Array[],
  ) {}

  submit(connection: pg.Connection): void {
    connection.query(this.text);
  }

  handleCopyInResponse(connection: Connection): void {
    this.send(connection).catch((error: Error) => this.handleError(error));
  }

  handleCommandComplete(message: { text?: string }): void {
    this.rowCount = Number(/\d+$/.exec(message.text ?? '')?.[0] ?? 0);
  }

  /** Postgres refused the data (the transaction is then aborted), or the connection broke. */
  handleError(error: Error): void {
    this.failure ??= error;
    this.settle();
  }

  handleReadyForQuery(): void {
    this.settle();
  }

  // COPY FROM answers none of these; node-postgres calls them on any query it drives.
  handleRowDescription(): void {
    // nothing to do
  }
  handleDataRow(): void {
    // nothing to do
  }
  handleEmptyQuery(): void {
    // nothing to do
  }
  handlePortalSuspended(): void {
    // nothing to do
  }
  handleCopyData(): void {
    // nothing to do
  }

  private async send(connection: Connection): Promise<void> {
    const socket = connection.stream;
    for (const part of this.parts) {
      for (let at = 0; at < part.length && !this.failure; at += CHUNK_BYTES) {
        const slice = part.subarray(at, at + CHUNK_BYTES);
        const header = Buffer.allocUnsafe(5);
        header[0] = COPY_DATA;
        header.writeInt32BE(slice.length + 4, 1);
        socket.write(header);
        // The socket takes megabytes at once when Postgres reads fast: yield to other events between chunks all the same.
        if (socket.write(slice)) await nextTurn();
        else await once(socket, 'drain');
      }
    }
    // After an error Postgres still waits for the end of the data before it is ready again.
    connection.endCopyFrom();
  }

  private settle(): void {
    if (this.settled) return;
    this.settled = true;
    this.callback?.(this.failure ?? null, this.rowCount);
  }
}

/** Runs `COPY ... FROM STDIN` with `parts` as its data, one after the other; resolves with the rows copied. */
export function copyIn(client: Pick<pg.ClientBase, 'query'>, sql: string, parts: readonly Uint8Array[]): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const query = new CopyInQuery(sql, parts);
    query.callback = (error, rowCount) => (error ? reject(error) : resolve(rowCount ?? 0));
    client.query(query);
  });
}
