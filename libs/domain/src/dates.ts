// Calendar-date rules from the KPI catalogue. Dates are ISO strings (YYYY-MM-DD) so no
// time zone can shift a day; timestamps become days in Europe/Copenhagen.

export type IsoDate = string;

const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;

export function parseIso(date: IsoDate): { y: number; m: number; d: number } {
  const match = ISO.exec(date);
  if (!match) throw new Error(`Not an ISO date: ${date}`);
  return { y: Number(match[1]), m: Number(match[2]), d: Number(match[3]) };
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  // Plain arithmetic for a whole year and month (the ETL asks for every date it reads); the
  // Gregorian rule for every year, where Date.UTC would read a year below 100 as 19xx (0 as 1900).
  if (Number.isInteger(month) && month >= 1 && month <= 12 && Number.isInteger(year)) {
    return month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : MONTH_DAYS[month - 1];
  }
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * The years a date typed to the API or named by a CPR number may have: the earliest the product
 * meets is a CPR number's birth date (1858 at the earliest).
 */
export const FIRST_YEAR = 1800;
export const LAST_YEAR = 9999;

/**
 * Whether y-m-d is a day of the (proleptic Gregorian) calendar as PostgreSQL keeps it and four
 * digits write it: years 1 to 9999, no year 0 (Date.UTC would read it as 1900, PostgreSQL refuses
 * it). Any such day may be stored; whether a record may have it is the caller's rule (the ETL
 * rejects one before 1970 as R003, so `01-01-0001`, a case system's "unknown", is R003, not R002).
 */
export function isCalendarDate(y: number, m: number, d: number): boolean {
  if (!Number.isInteger(y) || !Number.isInteger(m) || !Number.isInteger(d) || y < 1 || y > LAST_YEAR) return false;
  return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

/** A calendar date (isCalendarDate) from FIRST_YEAR on: an earlier one is refused as no date. */
export function isValidDate(y: number, m: number, d: number): boolean {
  return y >= FIRST_YEAR && isCalendarDate(y, m, d);
}

/** Whether the text is a date of the calendar in ISO form (YYYY-MM-DD): 2024-02-29 is, 2023-02-29 is not. */
export function isIsoDate(text: string): boolean {
  const match = ISO.exec(text);
  return match !== null && isValidDate(Number(match[1]), Number(match[2]), Number(match[3]));
}

export function formatIso(y: number, m: number, d: number): IsoDate {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** `date + n months`: keeps the day of month, clamped to the target month's last day (31-01 + 1 = 28/29-02). */
export function addMonths(date: IsoDate, months: number): IsoDate {
  const { y, m, d } = parseIso(date);
  const index = y * 12 + (m - 1) + months;
  const ty = Math.floor(index / 12);
  const tm = (index % 12) + 1;
  return formatIso(ty, tm, Math.min(d, daysInMonth(ty, tm)));
}

export function addDays(date: IsoDate, days: number): IsoDate {
  const { y, m, d } = parseIso(date);
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return formatIso(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

/** Whole days from a to b (b - a). */
export function daysBetween(a: IsoDate, b: IsoDate): number {
  const pa = parseIso(a);
  const pb = parseIso(b);
  return Math.round((Date.UTC(pb.y, pb.m - 1, pb.d) - Date.UTC(pa.y, pa.m - 1, pa.d)) / 86_400_000);
}

/** Active at D: start <= D and (end empty or end >= D). */
export function isActiveAt(start: IsoDate, end: IsoDate | null | undefined, d: IsoDate): boolean {
  return start <= d && (end == null || end >= d);
}

export const TIME_ZONE = 'Europe/Copenhagen';

/** The calendar date in Copenhagen of an instant. */
export function copenhagenDate(instant: Date): IsoDate {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    instant,
  );
  return parts;
}

/** Default period: 1 January of D's year up to D. */
export function defaultPeriod(asOf: IsoDate): { from: IsoDate; to: IsoDate } {
  return { from: `${asOf.slice(0, 4)}-01-01`, to: asOf };
}

function lastSunday(year: number, month: number): number {
  const last = daysInMonth(year, month);
  const weekday = new Date(Date.UTC(year, month - 1, last)).getUTCDay();
  return last - weekday;
}

/**
 * UTC offset in hours (1 or 2) of a local Danish wall-clock time. The ambiguous autumn hour
 * (02:00-02:59 on the last Sunday of October) is its first occurrence, summer time (+2).
 * The non-existent spring hour is read as standard time (+1), so no record is lost.
 */
export function copenhagenOffsetHours(y: number, m: number, d: number, hour: number): 1 | 2 {
  if (m < 3 || m > 10) return 1;
  if (m > 3 && m < 10) return 2;
  if (m === 3) {
    const switchDay = lastSunday(y, 3);
    return d > switchDay || (d === switchDay && hour >= 3) ? 2 : 1;
  }
  const switchDay = lastSunday(y, 10);
  return d < switchDay || (d === switchDay && hour < 3) ? 2 : 1;
}

/** The last day of the date's month. */
export function monthEnd(date: IsoDate): IsoDate {
  const { y, m } = parseIso(date);
  return formatIso(y, m, daysInMonth(y, m));
}

/** The last day of the newest month that has ended by the date: the date itself when it is a month end. */
export function lastEndedMonthEnd(date: IsoDate): IsoDate {
  const end = monthEnd(date);
  return end === date ? date : addDays(`${date.slice(0, 7)}-01`, -1);
}

/**
 * Committee dates (KPIS.md, second edition): the committee sees figures as of month ends only, so
 * two answers can differ by whole months of events, never by one chosen day.
 * - D moves back to the last day of the newest month that has ended by D (kept when D is a month end).
 * - P defaults to 1 January of the moved D's year up to the moved D.
 * - from moves to the first day of its month; to moves to the last day of its month, but never past
 *   the moved D. A P that would then start after it ends (from in a month after the moved D) starts
 *   on the first day of its end month instead, so P is always one whole month or more.
 */
export function committeeDates(
  asOf: IsoDate,
  asked: { from?: IsoDate; to?: IsoDate } = {},
): { asOf: IsoDate; period: { from: IsoDate; to: IsoDate } } {
  const d = lastEndedMonthEnd(asOf);
  const toEnd = asked.to === undefined ? d : monthEnd(asked.to);
  const to = toEnd < d ? toEnd : d;
  const fromStart = `${(asked.from ?? defaultPeriod(d).from).slice(0, 7)}-01`;
  const toStart = `${to.slice(0, 7)}-01`;
  return { asOf: d, period: { from: fromStart <= toStart ? fromStart : toStart, to } };
}
