import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Writable } from 'stream';

// COPY ... FROM STDIN in text format, written in ~1 MB pieces with backpressure.

const SPECIAL = /[\\\t\n\r]/;

function escapeText(s: string): string {
  return SPECIAL.test(s) ? s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : s;
}

function escapeCopy(value: unknown): string {
  if (typeof value === 'string') return escapeText(value);
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return escapeText(String(value));
}

/** Bytes sent to the server at a time. */
const PIECE = 1 << 20;
/** Rows are gathered as text up to this many UTF-16 code units, then encoded into the piece at once. */
const TEXT = 1 << 14;

export class CopyWriter {
  // Rows are encoded into a buffer outside the JavaScript heap, a few rows at a time (one call to
  // the encoder per ~16 K characters instead of one per row): the row text dies young (a list of
  // rows waiting for the next piece would outlive the small young generation that the 128 MB heap
  // cap gives, and cost old-generation collections).
  private piece = Buffer.allocUnsafe(PIECE);
  private size = 0;
  /** Rows not yet encoded into the piece. */
  private text = '';
  private readonly stream: Writable;
  private readonly done: Promise<void>;
  rows = 0;

  constructor(client: PoolClient, table: string, columns: string[]) {
    this.stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
    this.done = new Promise((resolve, reject) => {
      this.stream.on('finish', resolve);
      this.stream.on('error', reject);
    });
    // An early error must not surface as an unhandled rejection before end() awaits it.
    this.done.catch(() => undefined);
  }

  /**
   * Adds a row; a promise only when a piece went to the server and it asks to wait (await it then).
   * `plain`: the caller knows that no string among the values holds a backslash, tab, newline or
   * carriage return (they come from a record without any, see Row.plain), so they are not checked.
   */
  write(values: unknown[], plain = false): Promise<void> | undefined {
    let text = this.text;
    if (plain) {
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        const s = typeof v === 'string' ? v : v === null || v === undefined ? '\\N' : typeof v === 'number' || typeof v === 'boolean' ? String(v) : escapeCopy(v);
        text += i === 0 ? s : '\t' + s;
      }
    } else {
      for (let i = 0; i < values.length; i++) text += i === 0 ? escapeCopy(values[i]) : '\t' + escapeCopy(values[i]);
    }
    this.text = text + '\n';
    this.rows++;
    if (this.text.length < TEXT) return undefined;
    return this.encode() ? undefined : this.drained();
  }

  /** Encodes the gathered rows into the piece (sending a piece that is full); false when the stream asks to wait for 'drain'. */
  private encode(): boolean {
    const text = this.text;
    this.text = '';
    // A UTF-16 code unit is at most 3 bytes of UTF-8.
    if (text.length * 3 > PIECE - this.size) {
      let sent = this.send();
      if (text.length * 3 > PIECE) {
        // A row longer than a piece (a huge free text) goes on its own.
        sent = this.stream.write(text) && sent;
      } else {
        this.size += this.piece.write(text, this.size);
      }
      return sent;
    }
    this.size += this.piece.write(text, this.size);
    return this.size < PIECE - 4 * TEXT || this.send();
  }

  /** Sends the piece so far; false when the stream asks to wait for 'drain'. */
  private send(): boolean {
    if (this.size === 0) return true;
    const out = this.piece.subarray(0, this.size);
    this.piece = Buffer.allocUnsafe(PIECE);
    this.size = 0;
    return this.stream.write(out);
  }

  /** Registered right after the write that asked to wait: the next 'drain' is for it. */
  private drained(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onError = (e: Error): void => reject(e);
      this.stream.once('error', onError);
      this.stream.once('drain', () => {
        this.stream.off('error', onError);
        resolve();
      });
    });
  }

  /** Abandons the COPY (CopyFail), so the connection can roll back instead of waiting for more rows. */
  async abort(reason: Error): Promise<void> {
    this.size = 0;
    this.text = '';
    this.stream.destroy(reason);
    await this.done.catch(() => undefined);
  }

  /** Streams rows from `produce` into the table; on any error the COPY is abandoned and the error rethrown. */
  static async run(client: PoolClient, table: string, columns: string[], produce: (writer: CopyWriter) => Promise<void>): Promise<number> {
    const writer = new CopyWriter(client, table, columns);
    try {
      await produce(writer);
    } catch (error) {
      await writer.abort(error as Error);
      throw error;
    }
    return writer.end();
  }

  async end(): Promise<number> {
    this.encode();
    this.send();
    this.stream.end();
    await this.done;
    return this.rows;
  }
}
