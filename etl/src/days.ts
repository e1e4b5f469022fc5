// Day numbers of ISO dates by integer arithmetic on their digits (the proleptic Gregorian calendar,
// as PostgreSQL's): for values on every row (the notifications' links, the binary COPY), without a
// Date or a parse of the text.

/** The number written by `n` digits of `s` from `at` (the caller knows they are digits). */
export function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) v = v * 10 + s.charCodeAt(i) - 48;
  return v;
}

/** Days from 1970-01-01 to a calendar date. */
export function epochDays(year: number, month: number, day: number): number {
  // Years from March, so that the leap day is the last day of the year.
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  return era * 146_097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719_468;
}

/**
 * An ISO date, or an ISO timestamp whose first ten characters are its day (as the parser writes
 * them: valid), as days since 1970-01-01.
 */
export function isoDayNumber(iso: string): number {
  return epochDays(digits(iso, 0, 4), digits(iso, 5, 2), digits(iso, 8, 2));
}
