// Field parsers for the export formats. Each returns the canonical value or a rule key.
import { copenhagenOffsetHours, formatIso, isValidDate } from '@bu/domain';
import type { RuleKey } from './rules';

export type Parsed<T> = { ok: true; value: T } | { ok: false; rule: RuleKey };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(rule: RuleKey): Parsed<T> => ({ ok: false, rule });

const DK_DATE = /^(\d{1,2})-(\d{1,2})-(\d{4})$/;
const DK_TIMESTAMP = /^(\d{1,2})-(\d{1,2})-(\d{4})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function checkedDate(y: number, m: number, d: number): Parsed<string> {
  if (!isValidDate(y, m, d)) return fail('DATE_INVALID');
  if (y < 1970) return fail('DATE_BEFORE_1970');
  return ok(formatIso(y, m, d));
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

/** DD-MM-YYYY (DUBU). Empty → null. */
export function dkDate(text: string): Parsed<string | null> {
  if (text === '') return ok(null);
  // The usual spelling, two-digit day and month, read without a regular expression.
  if (text.length === 10 && text.charCodeAt(2) === 45 && text.charCodeAt(5) === 45) {
    const d = digitsAt(text, 0, 2);
    const mo = digitsAt(text, 3, 2);
    const y = digitsAt(text, 6, 4);
    if (d >= 0 && mo >= 0 && y >= 0) {
      if (!isValidDate(y, mo, d)) return fail('DATE_INVALID');
      if (y < 1970) return fail('DATE_BEFORE_1970');
      return ok(`${text.slice(6, 10)}-${text.slice(3, 5)}-${text.slice(0, 2)}`);
    }
  }
  const m = DK_DATE.exec(text);
  if (!m) return fail('DATE_INVALID');
  return checkedDate(Number(m[3]), Number(m[2]), Number(m[1]));
}

/** YYYY-MM-DD (CSC). Empty → null. */
export function isoDate(text: string): Parsed<string | null> {
  if (text === '') return ok(null);
  const m = ISO_DATE.exec(text);
  if (!m) return fail('DATE_INVALID');
  return checkedDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

/**
 * DD-MM-YYYY HH:MM local Danish time → an ISO timestamp with its explicit UTC offset
 * (copenhagenOffsetHours: the ambiguous autumn hour is its first occurrence).
 */
export function dkTimestamp(text: string): Parsed<string | null> {
  if (text === '') return ok(null);
  // The usual spelling, DD-MM-YYYY HH:MM, read without a regular expression.
  if (text.length === 16 && text.charCodeAt(2) === 45 && text.charCodeAt(5) === 45 && (text[10] === ' ' || text[10] === 'T') && text.charCodeAt(13) === 58) {
    const d = digitsAt(text, 0, 2);
    const mo = digitsAt(text, 3, 2);
    const y = digitsAt(text, 6, 4);
    const hh = digitsAt(text, 11, 2);
    const mm = digitsAt(text, 14, 2);
    if (d >= 0 && mo >= 0 && y >= 0 && hh >= 0 && mm >= 0) {
      if (!isValidDate(y, mo, d)) return fail('DATE_INVALID');
      if (y < 1970) return fail('DATE_BEFORE_1970');
      if (hh > 23 || mm > 59) return fail('DATE_INVALID');
      return ok(`${text.slice(6, 10)}-${text.slice(3, 5)}-${text.slice(0, 2)} ${text.slice(11, 16)}:00+0${copenhagenOffsetHours(y, mo, d, hh)}`);
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

/** Decimal comma with optional thousands dots: 12.345,50 → "12345.50". Empty → null. */
export function dkDecimal(text: string): Parsed<string | null> {
  if (text === '') return ok(null);
  const compact = text.replace(/\s/g, '');
  if (!/^-?\d{1,3}(\.\d{3})*(,\d+)?$/.test(compact) && !/^-?\d+(,\d+)?$/.test(compact)) return fail('NUMBER_INVALID');
  return ok(compact.replace(/\./g, '').replace(',', '.'));
}

export function jaNej(text: string): Parsed<boolean | null> {
  if (text === '') return ok(null);
  const t = text.toLowerCase();
  if (t === 'ja') return ok(true);
  if (t === 'nej') return ok(false);
  return fail('BOOLEAN_INVALID');
}

export function integer(text: string): Parsed<number | null> {
  if (text === '') return ok(null);
  if (!/^-?\d+$/.test(text)) return fail('NUMBER_INVALID');
  return ok(Number(text));
}
