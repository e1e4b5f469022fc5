import type { ClientBase } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Writable } from 'stream';
import { binaryDate, BinaryType, int16, int32, numericRoom, writeNumeric, writeTimestamp } from './binary-values';

// COPY ... FROM STDIN in text format, or in binary format when the columns' types are given,
// written in ~1 MB pieces with backpressure.

export interface CopyOptions {
  /** Positions in `columns` (and in each row) whose value is the table's default and is not sent. */
  omit?: readonly number[];
  /** COPY ... WITH (FREEZE): the table was made or emptied in the same transaction. */
  freeze?: boolean;
  /** The sent columns' types (binary-values.ts): the binary format. */
  types?: readonly BinaryType[] | null;
}

/** The binary format's signature, flags and header extension length. */
const BINARY_HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);

const SPECIAL = /[\\\t\n\r]/;

/** Whether COPY's text format has to escape the text (a backslash, tab, newline or carriage return). */
export const needsEscape = (s: string): boolean => SPECIAL.test(s);

function escapeText(s: string): string {
  return needsEscape(s) ? s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : s;
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
  /** The stream's error, once it has reported one: pg-copy-streams emits it once and never drains after. */
  private failure: Error | null = null;
  rows = 0;

  /** Which of a row's values are sent (the others are the table's defaults, see `omit`). */
  private readonly sent: boolean[];
  /** The binary format's type of each of a row's values (undefined where not sent); null: text format. */
  private readonly types: (BinaryType | undefined)[] | null;

  constructor(client: ClientBase, table: string, columns: string[], { omit = [], freeze = false, types = null }: CopyOptions = {}) {
    this.sent = columns.map((_, i) => !omit.includes(i));
    const sentColumns = columns.filter((_, i) => this.sent[i]);
    if (types && types.length !== sentColumns.length) throw new Error(`${table}: ${types.length} types for ${sentColumns.length} columns`);
    let next = 0;
    this.types = types ? columns.map((_, i) => (this.sent[i] ? types[next++] : undefined)) : null;
    const options = [...(freeze ? ['FREEZE'] : []), ...(types ? ['FORMAT binary'] : [])];
    this.stream = client.query(
      copyFrom(`COPY ${table} (${sentColumns.join(', ')}) FROM STDIN${options.length ? ` WITH (${options.join(', ')})` : ''}`),
    );
    if (types) {
      BINARY_HEADER.copy(this.piece, 0);
      this.size = BINARY_HEADER.length;
    }
    this.done = new Promise((resolve, reject) => {
      this.stream.on('finish', resolve);
      this.stream.on('error', (error) => {
        this.failure ??= error;
        reject(error);
      });
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
    // The connection died (the server stopped): stop the producer now, not at the end of its file.
    if (this.failure) return Promise.reject(this.failure);
    if (this.types) return this.writeBinary(values, this.types);
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

  /** A row in the binary format: the field count, then each value's length (-1: NULL) and bytes. */
  private writeBinary(values: unknown[], types: (BinaryType | undefined)[]): Promise<void> | undefined {
    // The room a row needs at most: texts at 3 bytes a UTF-16 unit, numerics numericRoom, the rest
    // at most 8 bytes; 4 for each length.
    let room = 2;
    let fields = 0;
    for (let i = 0; i < values.length; i++) {
      const type = types[i];
      if (type === undefined) continue;
      fields++;
      const v = values[i];
      if (v === null || v === undefined) room += 4;
      else if (type === 'text') room += 4 + (typeof v === 'string' ? v.length : String(v).length) * 3;
      else if (type === 'numeric') room += 4 + numericRoom(String(v));
      else room += 12;
    }
    this.rows++;
    let sent = true;
    if (room > PIECE - this.size) {
      sent = this.send();
      // A row longer than a piece (a huge free text) gets a piece of its own size.
      if (room > PIECE) this.piece = Buffer.allocUnsafe(room);
    }
    const piece = this.piece;
    let at = this.size;
    int16(piece, at, fields);
    at += 2;
    for (let i = 0; i < values.length; i++) {
      const type = types[i];
      if (type === undefined) continue;
      const v = values[i];
      if (v === null || v === undefined) {
        int32(piece, at, -1);
        at += 4;
      } else if (type === 'text') {
        const end = this.utf8(typeof v === 'string' ? v : String(v), at + 4);
        int32(piece, at, end - at - 4);
        at = end;
      } else if (type === 'date') {
        int32(piece, at, 4);
        int32(piece, at + 4, binaryDate(v as string));
        at += 8;
      } else if (type === 'int4') {
        int32(piece, at, 4);
        int32(piece, at + 4, Number(v));
        at += 8;
      } else if (type === 'int2') {
        int32(piece, at, 2);
        int16(piece, at + 4, Number(v));
        at += 6;
      } else if (type === 'bool') {
        int32(piece, at, 1);
        piece[at + 4] = v === true || v === 't' || v === 'true' ? 1 : 0;
        at += 5;
      } else if (type === 'timestamptz') {
        int32(piece, at, 8);
        writeTimestamp(piece, at + 4, v as string);
        at += 12;
      } else {
        const end = writeNumeric(piece, at + 4, String(v));
        int32(piece, at, end - at - 4);
        at = end;
      }
    }
    this.size = at;
    if (!sent || (this.size >= PIECE - 4096 && !this.send())) return this.drained();
    return undefined;
  }

  /** A text as UTF-8 into the piece from `at` (room checked); where it ends. */
  private utf8(s: string, at: number): number {
    const piece = this.piece;
    const length = s.length;
    if (length > NATIVE) return at + piece.write(s, at);
    let p = at;
    for (let k = 0; k < length; k++) {
      const c = s.charCodeAt(k);
      if (c < 0x80) {
        piece[p++] = c;
      } else if (c < 0x800) {
        piece[p++] = 0xc0 | (c >> 6);
        piece[p++] = 0x80 | (c & 0x3f);
      } else {
        // From U+0800 on (three or four bytes, surrogates) the native encoder writes the whole text.
        return at + piece.write(s, at);
      }
    }
    return p;
  }

  /** Encodes the row's texts as UTF-8 into the piece (room checked) with tabs and a newline; the new size. */
  private put(texts: string[], n: number): number {
    let at = this.size;
    for (let i = 0; i < n; i++) {
      if (i > 0) this.piece[at++] = 9;
      at = this.utf8(texts[i], at);
    }
    this.piece[at++] = 10;
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
    // An error reported before this wait began ends it: no 'drain' would ever come.
    if (this.failure) return Promise.reject(this.failure);
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
    options: CopyOptions = {},
  ): Promise<number> {
    const writer = new CopyWriter(client, table, columns, options);
    try {
      await produce(writer);
    } catch (error) {
      await writer.abort(error as Error);
      throw error;
    }
    return writer.end();
  }

  async end(): Promise<number> {
    // The connection died after the last row: its error, not the stream's on a connection gone.
    if (this.failure) throw this.failure;
    if (this.types) {
      // The binary format's trailer.
      if (this.size + 2 > this.piece.length) this.send();
      this.piece.writeInt16BE(-1, this.size);
      this.size += 2;
    }
    this.send();
    this.stream.end();
    await this.done;
    return this.rows;
  }
}
