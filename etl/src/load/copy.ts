import type { ClientBase } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Writable } from 'stream';

// COPY ... FROM STDIN in text format, written in ~1 MB pieces with backpressure.

const SPECIAL = /[\\\t\n\r]/;

function escapeText(s: string): string {
  return SPECIAL.test(s) ? s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : s;
}

/** A value as COPY text: \N for null, backslash, tab, newline and carriage return escaped. */
export function escapeCopy(value: unknown): string {
  if (typeof value === 'string') return escapeText(value);
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return escapeText(String(value));
}

/** Bytes sent to the server at a time. */
const PIECE = 1 << 20;
/** Texts longer than this are encoded natively; shorter ones byte by byte (no call per value). */
const NATIVE = 64;

export class CopyWriter {
  // Rows are encoded straight into a buffer outside the JavaScript heap, byte by byte for short
  // texts: no row string is built (one would be a chain of pieces the encoder has to flatten
  // first, and garbage); strings waiting for the next piece would outlive the small young
  // generation that the 128 MB heap cap gives, and cost old-generation collections.
  private piece = Buffer.allocUnsafe(PIECE);
  private size = 0;
  /** The current row's texts (reused). */
  private readonly texts: string[] = [];
  private readonly stream: Writable;
  private readonly done: Promise<void>;
  rows = 0;

  /** Which of a row's values are sent (the others are the table's defaults, see `omit`). */
  private readonly sent: boolean[];

  /** `omit`: positions in `columns` (and in each row) whose value is the table's default and is not sent. */
  constructor(client: ClientBase, table: string, columns: string[], omit: readonly number[] = [], freeze = false) {
    this.sent = columns.map((_, i) => !omit.includes(i));
    this.stream = client.query(copyFrom(`COPY ${table} (${columns.filter((_, i) => this.sent[i]).join(', ')}) FROM STDIN${freeze ? ' WITH (FREEZE)' : ''}`));
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
    const texts = this.texts;
    const sent = this.sent;
    let n = 0;
    let length = 0;
    for (let i = 0; i < values.length; i++) {
      if (!sent[i]) continue;
      const v = values[i];
      const s = plain && typeof v === 'string' ? v : escapeCopy(v);
      texts[n++] = s;
      length += s.length + 1;
    }
    this.rows++;
    // A UTF-16 code unit is at most 3 bytes of UTF-8.
    if (length * 3 > PIECE - this.size) {
      let sent = this.send();
      if (length * 3 > PIECE) {
        // A row longer than a piece (a huge free text) goes on its own.
        texts.length = n;
        sent = this.stream.write(texts.join('\t') + '\n') && sent;
        texts.length = 0;
      } else {
        this.size = this.put(texts, n);
      }
      return sent ? undefined : this.drained();
    }
    this.size = this.put(texts, n);
    if (this.size >= PIECE - 4096 && !this.send()) return this.drained();
    return undefined;
  }

  /** Encodes the row's texts as UTF-8 into the piece (room checked) with tabs and a newline; the new size. */
  private put(texts: string[], n: number): number {
    const piece = this.piece;
    let at = this.size;
    for (let i = 0; i < n; i++) {
      if (i > 0) piece[at++] = 9;
      const s = texts[i];
      const length = s.length;
      if (length > NATIVE) {
        at += piece.write(s, at);
        continue;
      }
      let p = at;
      let k = 0;
      for (; k < length; k++) {
        const c = s.charCodeAt(k);
        if (c < 0x80) {
          piece[p++] = c;
        } else if (c < 0x800) {
          piece[p++] = 0xc0 | (c >> 6);
          piece[p++] = 0x80 | (c & 0x3f);
        } else {
          break;
        }
      }
      // From U+0800 on (three or four bytes, surrogates) the native encoder writes the whole text.
      at = k === length ? p : at + piece.write(s, at);
    }
    piece[at++] = 10;
    return at;
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
    this.stream.destroy(reason);
    await this.done.catch(() => undefined);
  }

  /** Streams rows from `produce` into the table; on any error the COPY is abandoned and the error rethrown. */
  static async run(
    client: ClientBase,
    table: string,
    columns: string[],
    produce: (writer: CopyWriter) => Promise<void>,
    omit: readonly number[] = [],
    freeze = false,
  ): Promise<number> {
    const writer = new CopyWriter(client, table, columns, omit, freeze);
    try {
      await produce(writer);
    } catch (error) {
      await writer.abort(error as Error);
      throw error;
    }
    return writer.end();
  }

  async end(): Promise<number> {
    this.send();
    this.stream.end();
    await this.done;
    return this.rows;
  }
}
