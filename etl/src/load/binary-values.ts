import type { ClientBase } from 'pg';
import { digits, epochDays, isoDayNumber } from '../days';

// Values in PostgreSQL's binary COPY format, for the column types the staging tables have. The
// server then reads each value as it is instead of parsing its text (dates, timestamps with their
// time zone, amounts): about a fifth of the server's time for the COPY of the benchmark's
// measures. The mappers' values stay what they are for the text format (ISO dates, the Danish
// local timestamps dkTimestamp writes, decimal strings): they are converted here.

export type BinaryType = 'text' | 'int2' | 'int4' | 'bool' | 'date' | 'timestamptz' | 'numeric';

const BY_NAME: Record<string, BinaryType> = {
  text: 'text',
  character: 'text',
  'character varying': 'text',
  smallint: 'int2',
  integer: 'int4',
  boolean: 'bool',
  date: 'date',
  'timestamp with time zone': 'timestamptz',
  numeric: 'numeric',
};

/** The binary types of a table's columns, in the order given; null when one has a type not handled here (then: text format). */
export async function binaryTypes(client: ClientBase, table: string, columns: string[]): Promise<BinaryType[] | null> {
  const { rows } = await client.query(
    `SELECT attname AS column, format_type(atttypid, NULL) AS type FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped`,
    [table],
  );
  const types = new Map<string, string>(rows.map((r) => [r.column, r.type]));
  const binary = columns.map((c) => BY_NAME[types.get(c) ?? '']);
  return binary.every((t) => t !== undefined) ? binary : null;
}

/** PostgreSQL's dates and timestamps count from 2000-01-01. */
const PG_EPOCH_DAYS = 10_957;

/** Big-endian integers into a buffer (no bounds checks: the caller made room). */
export function int16(piece: Buffer, at: number, v: number): void {
  piece[at] = (v >> 8) & 0xff;
  piece[at + 1] = v & 0xff;
}

export function int32(piece: Buffer, at: number, v: number): void {
  piece[at] = (v >>> 24) & 0xff;
  piece[at + 1] = (v >>> 16) & 0xff;
  piece[at + 2] = (v >>> 8) & 0xff;
  piece[at + 3] = v & 0xff;
}

/** An ISO date (YYYY-MM-DD) as PostgreSQL's binary date: days since 2000-01-01. */
export function binaryDate(iso: string): number {
  if (iso.length !== 10 || iso.charCodeAt(4) !== 45 || iso.charCodeAt(7) !== 45) throw new Error(`not an ISO date: ${iso}`);
  return isoDayNumber(iso) - PG_EPOCH_DAYS;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?([+-])(\d{2})(?::?(\d{2}))?$/;

/**
 * A timestamp with its UTC offset ("2024-10-27 02:30:00+02", as dkTimestamp writes them) as
 * PostgreSQL's binary timestamptz: microseconds since 2000-01-01 00:00 UTC (exact in a double for
 * centuries either side).
 */
export function binaryTimestamp(text: string): number {
  // dkTimestamp's spelling read by position; any other by the regular expression.
  if (
    text.length === 22 &&
    text.charCodeAt(10) === 32 &&
    text.charCodeAt(13) === 58 &&
    text.charCodeAt(16) === 58 &&
    (text.charCodeAt(19) === 43 || text.charCodeAt(19) === 45)
  ) {
    const days = epochDays(digits(text, 0, 4), digits(text, 5, 2), digits(text, 8, 2)) - PG_EPOCH_DAYS;
    const offset = (text.charCodeAt(19) === 45 ? -60 : 60) * digits(text, 20, 2);
    const minutes = days * 1440 + digits(text, 11, 2) * 60 + digits(text, 14, 2) - offset;
    return (minutes * 60 + digits(text, 17, 2)) * 1_000_000;
  }
  const m = TIMESTAMP.exec(text);
  if (!m) throw new Error(`not a timestamp with an offset: ${text}`);
  const days = epochDays(Number(m[1]), Number(m[2]), Number(m[3])) - PG_EPOCH_DAYS;
  const offset = (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9] ?? 0));
  const minutes = days * 1440 + Number(m[4]) * 60 + Number(m[5]) - offset;
  return (minutes * 60 + Number(m[6] ?? 0)) * 1_000_000;
}

/** A timestamp (binaryTimestamp) as its 8 bytes at `at`. */
export function writeTimestamp(piece: Buffer, at: number, text: string): void {
  const micros = binaryTimestamp(text);
  const high = Math.floor(micros / 4_294_967_296);
  int32(piece, at, high);
  int32(piece, at + 4, micros - high * 4_294_967_296);
}

/** The bytes a decimal text takes in the binary numeric format at most (header and base-10000 digits). */
export const numericRoom = (text: string): number => 12 + text.length;

/**
 * A decimal text ("-12345.50", "7") as PostgreSQL's binary numeric at `at` (room: numericRoom):
 * the number of base-10000 digits, the weight of the first, the sign, the scale, the digits. No
 * leading or trailing zero digits (zero has none); where it ends.
 */
export function writeNumeric(piece: Buffer, at: number, text: string): number {
  const n = text.length;
  const negative = text.charCodeAt(0) === 45;
  const from = negative ? 1 : 0;
  let point = text.indexOf('.', from);
  if (point < 0) point = n;
  const scale = point < n ? n - point - 1 : 0;
  if (point === from || (point < n && scale === 0)) throw new Error(`not a decimal: ${text}`);
  // Digit k (0 = the first of the whole part) by its place: whole digits right-aligned on groups of
  // four, fraction digits left-aligned after them.
  const wholeDigits = point - from;
  const lead = (4 - (wholeDigits % 4)) % 4;
  const groups = (lead + wholeDigits) / 4 + Math.ceil(scale / 4);
  let first = -1;
  let last = -1;
  let count = 0;
  const start = at + 8;
  for (let g = 0; g < groups; g++) {
    let v = 0;
    for (let j = 0; j < 4; j++) {
      const k = g * 4 + j - lead; // place among the whole then fraction digits
      let c = 48;
      if (k >= 0 && k < wholeDigits) c = text.charCodeAt(from + k);
      else if (k >= wholeDigits && k - wholeDigits < scale) c = text.charCodeAt(point + 1 + k - wholeDigits);
      if (c < 48 || c > 57) throw new Error(`not a decimal: ${text}`);
      v = v * 10 + c - 48;
    }
    if (v !== 0) {
      if (first < 0) first = g;
      last = g;
    }
    if (first >= 0) {
      int16(piece, start + count * 2, v);
      count++;
    }
  }
  const ndigits = first < 0 ? 0 : last - first + 1;
  const weight = first < 0 ? 0 : (lead + wholeDigits) / 4 - 1 - first;
  int16(piece, at, ndigits);
  int16(piece, at + 2, weight);
  int16(piece, at + 4, negative && ndigits > 0 ? 0x4000 : 0);
  int16(piece, at + 6, scale);
  return start + ndigits * 2;
}
