import { CPR_SEPARATOR_SOURCE, JOB_TITLES, maskCprLike, mayHoldCpr } from '@bu/domain';
import { codeFrom } from './codes';
import type { Row } from './file-reader';
import { isCprNumber } from './pseudonym';
import type { Parsed } from './values';

/** Parses a field, rejecting the row (with the parser's rule) on failure; empty is null, or REQUIRED. */
export function field<T>(
  row: Row,
  column: string,
  parse: (t: string) => Parsed<T>,
  required = false,
): { readonly ok: boolean; readonly value: T | null } {
  const text = row.get(column);
  if (text === '') {
    if (required) row.reject('REQUIRED', column, text);
    return required ? FAILED : EMPTY;
  }
  const parsed = parse(text);
  if (!parsed.ok) {
    row.reject(parsed.rule, column, text);
    return FAILED;
  }
  // The parser's own answer ({ ok: true, value }): no copy per field.
  return parsed;
}

// Shared answers (read only; not frozen, so they keep the shape of the parsers' answers): no
// object per field for an empty or a rejected value.
const EMPTY: { readonly ok: boolean; readonly value: null } = { ok: true, value: null };
const FAILED: { readonly ok: boolean; readonly value: null } = { ok: false, value: null };

/**
 * A required text field (an id, a name): null (and the row rejected) when empty, or when it is a
 * CPR number written as one (R032, isCprWritten): an id is shown and kept as it stands, and a raw
 * CPR number must not be. Ten digits with nothing between them are let through: a numeric id
 * (CSC's are sequence numbers) cannot be told from a CPR number.
 */
export function required(row: Row, column: string): string | null {
  const text = row.get(column);
  if (text === '') row.reject('REQUIRED', column, text);
  else if (isCprWritten(text)) return row.reject('ID_IS_CPR', column, text);
  return text === '' ? null : text;
}

const CPR_SEPARATOR = new RegExp(`^${CPR_SEPARATOR_SOURCE}$`);

/**
 * Whether an id is a CPR number written as one: ten digits with a valid birth date and a separator
 * between them (DDMMYY-XXXX, DDMMYY XXXX, DD.MM.YY-XXXX, a no-break space or a dash: any of
 * @bu/domain's CPR separators), as a person would type it; see required().
 */
export function isCprWritten(text: string): boolean {
  const n = text.length;
  // Most ids are shorter, or hold a letter early: no work for them.
  if (n < 11 || n > 24) return false;
  let digits = '';
  let gap = false;
  let separated = false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      // Only a separator between digits counts: padding around ten digits is a plain number.
      if (gap && digits.length > 0) separated = true;
      gap = false;
      digits += text[i];
      if (digits.length > 10) return false;
    } else if (CPR_SEPARATOR.test(text[i])) gap = true;
    else return false;
  }
  return digits.length === 10 && separated && isCprNumber(digits);
}

/**
 * A free text of an export as it is stored (a supplier, a source, an occasion, a legal basis or a
 * measure type not in the catalogue): anything in it that may be a CPR number (the API's own rule
 * for free text, CPR_LIKE_SOURCE) masked as ******-****, with a warning (W008). Caseworkers write
 * CPR numbers into such fields; a raw CPR number must never reach the database.
 */
export function freeText(row: Row, column: string, text = row.get(column)): string {
  if (!mayHoldCpr(text)) return text;
  row.warn('CPR_IN_TEXT', column, text);
  return maskCprLike(text);
}

/**
 * A caseworker row, the same in every format (columns keyed id, name, team, title, from, to):
 * the staging row, or null when rejected.
 */
export function caseworkerRow(
  row: Row,
  municipality: number | null,
  source: string,
  parseDate: (t: string) => Parsed<string | null>,
): unknown[] | null {
  const id = required(row, 'id');
  const name = required(row, 'name');
  if (id === null || name === null) return null;
  const title = codeFrom(row, 'title', JOB_TITLES);
  const from = field(row, 'from', parseDate);
  const to = field(row, 'to', parseDate);
  if (!from.ok || !to.ok) return null;
  if (from.value !== null && to.value !== null && to.value < from.value)
    return row.reject('END_BEFORE_START', 'to', row.get('to'), `${row.label('from')} ${row.get('from')}`);
  return [municipality, source, id, name, row.get('team') || null, title, from.value, to.value, row.file, row.line];
}
