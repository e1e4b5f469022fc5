// Field parsers for the export formats. Each returns the canonical value or a rule key.
import * as domain from '@bu/domain';
import { memo } from './memo';
import type { RuleKey } from './rules';

// Module constants, not `domain.x(...)` per call: the compiled import reads each function through
// a getter of the module object, which costs on every date of every row.
const copenhagenOffsetHours = domain.copenhagenOffsetHours;
const formatIso = domain.formatIso;
const isCalendarDate = domain.isCalendarDate;

export type Parsed<T> = { ok: true; value: T } | { ok: false; rule: RuleKey };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(rule: RuleKey): Parsed<T> => ({ ok: false, rule });
/** Empty text: null (one shared, read-only answer). */
const NULL: Parsed<null> = ok(null);

const DK_DATE = /^(\d{1,2})-(\d{1,2})-(\d{4})$/;
const DK_TIMESTAMP = /^(\d{1,2})-(\d{1,2})-(\d{4})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * The rule a date breaks, or null: R002 when it is no day of the calendar (31-02, month 13, year
 * 0), R003 when it is one before 1970 (EXPORTS.md), a case system's 01-01-0001 for "unknown" too.
 * Only dates from 1970 on pass, so no year PostgreSQL or Date mishandles (0, 5 digits) gets further.
 */
function dateFault(y: number, m: number, d: number): RuleKey | null {
  if (!isCalendarDate(y, m, d)) return 'DATE_INVALID';
  return y < 1970 ? 'DATE_BEFORE_1970' : null;
}

function checkedDate(y: number, m: number, d: number): Parsed<string> {
  const fault = dateFault(y, m, d);
  return fault === null ? ok(formatIso(y, m, d)) : fail(fault);
}

/** The number written by `count` ASCII digits at `at`, or -1. */
function digitsAt(text: string, at: number, count: number): number {
  let n = 0;
  for (let i = at; i < at + count; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** Dates read so far and their answers (a file has a few thousand distinct dates, read again on row after row). */
const DK_DATES_KEPT = 20_000;
/** The usual spelling's, by y * 10000 + m * 100 + d (bounded: when full, it starts over). */
const DK_DAYS = new Map<number, Parsed<string | null>>();

/** DD-MM-YYYY (DUBU). Empty → null. The answer is shared by every field with the same text (read only). */
export function dkDate(text: string): Parsed<string | null> {
  if (text === '') return NULL;
  // The usual spelling, two-digit day and month: remembered by the date as a number, which is
  // cheaper to look up than the text (a fresh slice of the file whose hash is computed every time).
  if (text.length === 10 && text.charCodeAt(2) === 45 && text.charCodeAt(5) === 45) {
    const d = digitsAt(text, 0, 2);
    const mo = digitsAt(text, 3, 2);
    const y = digitsAt(text, 6, 4);
    if (d >= 0 && mo >= 0 && y >= 0) {
      const day = y * 10_000 + mo * 100 + d;
      const seen = DK_DAYS.get(day);
      if (seen !== undefined) return seen;
      const fault = dateFault(y, mo, d);
      const parsed: Parsed<string | null> =
        fault === null ? ok(`${text.slice(6, 10)}-${text.slice(3, 5)}-${text.slice(0, 2)}`) : fail(fault);
      if (DK_DAYS.size >= DK_DATES_KEPT) DK_DAYS.clear();
      DK_DAYS.set(day, parsed);
      return parsed;
    }
  }
  return otherDkDate(text);
}

/** Other spellings (one-digit day or month), by their text. */
const otherDkDate = memo((text: string): Parsed<string | null> => {
  const m = DK_DATE.exec(text);
  if (!m) return fail('DATE_INVALID');
  return checkedDate(Number(m[3]), Number(m[2]), Number(m[1]));
}, DK_DATES_KEPT);

/** YYYY-MM-DD (CSC). Empty → null. */
export function isoDate(text: string): Parsed<string | null> {
  if (text === '') return NULL;
  const m = ISO_DATE.exec(text);
  if (!m) return fail('DATE_INVALID');
  return checkedDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

/**
 * DD-MM-YYYY HH:MM local Danish time → an ISO timestamp with its explicit UTC offset
 * (copenhagenOffsetHours: the ambiguous autumn hour is its first occurrence).
 */
export function dkTimestamp(text: string): Parsed<string | null> {
  if (text === '') return NULL;
  // The usual spelling, DD-MM-YYYY HH:MM, read without a regular expression.
  if (
    text.length === 16 &&
    text.charCodeAt(2) === 45 &&
    text.charCodeAt(5) === 45 &&
    (text[10] === ' ' || text[10] === 'T') &&
    text.charCodeAt(13) === 58
  ) {
    const d = digitsAt(text, 0, 2);
    const mo = digitsAt(text, 3, 2);
    const y = digitsAt(text, 6, 4);
    const hh = digitsAt(text, 11, 2);
    const mm = digitsAt(text, 14, 2);
    if (d >= 0 && mo >= 0 && y >= 0 && hh >= 0 && mm >= 0) {
      const fault = dateFault(y, mo, d);
      if (fault !== null) return fail(fault);
      if (hh > 23 || mm > 59) return fail('DATE_INVALID');
      return ok(
        `${text.slice(6, 10)}-${text.slice(3, 5)}-${text.slice(0, 2)} ${text.slice(11, 16)}:00+0${copenhagenOffsetHours(y, mo, d, hh)}`,
      );
    }
  }
  const m = DK_TIMESTAMP.exec(text);
  if (!m) return fail('DATE_INVALID');
  const date = checkedDate(Number(m[3]), Number(m[2]), Number(m[1]));
  if (!date.ok) return date;
  const hh = Number(m[4]);
  const mm = Number(m[5]);
  const ss = m[6] ? Number(m[6]) : 0;
  if (hh > 23 || mm > 59 || ss > 59) return fail('DATE_INVALID');
  const offset = copenhagenOffsetHours(Number(m[3]), Number(m[2]), Number(m[1]), hh);
  return ok(`${date.value} ${String(hh).padStart(2, '0')}:${m[5]}:${String(ss).padStart(2, '0')}+0${offset}`);
}

/**
 * The usual spelling read without regular expressions: digits in groups of three after the first
 * one to three, dots between them (or no dots at all), an optional decimal comma with digits, an
 * optional leading minus, and nothing else. Its canonical text, or null for anything else (then
 * the regular expressions below decide).
 */
function plainDecimal(text: string): string | null {
  const n = text.length;
  let i = text.charCodeAt(0) === 45 ? 1 : 0;
  const start = i;
  let group = 0; // digits since the last dot
  let dots = 0;
  let out = '';
  let from = i; // start of the digits not yet copied to out
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      group++;
    } else if (c === 46) {
      if (dots === 0 ? group < 1 || group > 3 : group !== 3) return null;
      dots++;
      group = 0;
      out += text.slice(from, i);
      from = i + 1;
    } else break;
  }
  if (group === 0 || (dots > 0 && group !== 3)) return null;
  out += text.slice(from, i);
  if (i < n) {
    if (text.charCodeAt(i) !== 44 || i + 1 === n) return null;
    for (let j = i + 1; j < n; j++) {
      const c = text.charCodeAt(j);
      if (c < 48 || c > 57) return null;
    }
    out += '.' + text.slice(i + 1);
  }
  return start === 1 ? '-' + out : out;
}

/** Decimal comma with optional thousands dots: 12.345,50 → "12345.50". Empty → null. */
export function dkDecimal(text: string): Parsed<string | null> {
  if (text === '') return NULL;
  const quick = plainDecimal(text);
  if (quick !== null) return ok(quick);
  const compact = text.replace(/\s/g, '');
  if (!/^-?\d{1,3}(\.\d{3})*(,\d+)?$/.test(compact) && !/^-?\d+(,\d+)?$/.test(compact)) return fail('NUMBER_INVALID');
  return ok(compact.replace(/\./g, '').replace(',', '.'));
}

export function jaNej(text: string): Parsed<boolean | null> {
  if (text === '') return NULL;
  const t = text.toLowerCase();
  if (t === 'ja') return ok(true);
  if (t === 'nej') return ok(false);
  return fail('BOOLEAN_INVALID');
}

export function integer(text: string): Parsed<number | null> {
  if (text === '') return NULL;
  if (!/^-?\d+$/.test(text)) return fail('NUMBER_INVALID');
  return ok(Number(text));
}
