import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  committeeDates,
  copenhagenOffsetHours,
  daysBetween,
  daysInMonth,
  isActiveAt,
  isCalendarDate,
  isIsoDate,
  isValidDate,
  lastEndedMonthEnd,
  monthEnd,
} from './dates';

describe('addMonths (KPIS.md: keeps the day, clamped to the month end)', () => {
  it.each([
    ['2024-01-31', 1, '2024-02-29'], // leap year
    ['2023-01-31', 1, '2023-02-28'],
    ['2024-02-29', 12, '2025-02-28'],
    ['2024-10-31', 4, '2025-02-28'], // investigation deadline: 4 months, not 120 days
    ['2024-03-15', 4, '2024-07-15'],
    ['2024-11-30', 3, '2025-02-28'],
    ['2024-05-31', -6, '2023-11-30'], // "D - 6 months" windows
    ['2024-08-31', -6, '2024-02-29'],
  ])('%s + %i months = %s', (date, n, expected) => {
    expect(addMonths(date, n)).toBe(expected);
  });
});

describe('isActiveAt (start <= D and (end empty or end >= D))', () => {
  it('counts both ends inclusive and open ends', () => {
    expect(isActiveAt('2024-02-29', null, '2024-02-29')).toBe(true);
    expect(isActiveAt('2024-01-01', '2024-02-29', '2024-02-29')).toBe(true);
    expect(isActiveAt('2024-01-01', '2024-02-28', '2024-02-29')).toBe(false);
    expect(isActiveAt('2024-03-01', null, '2024-02-29')).toBe(false);
  });
});

describe('daysBetween', () => {
  it('counts calendar days across a leap day and a clock change', () => {
    expect(daysBetween('2024-02-28', '2024-03-01')).toBe(2);
    expect(daysBetween('2024-03-30', '2024-04-01')).toBe(2);
  });
});

describe('copenhagenOffsetHours', () => {
  it('switches on the last Sundays of March and October; the ambiguous autumn hour is summer time', () => {
    expect(copenhagenOffsetHours(2024, 3, 31, 1)).toBe(1);
    expect(copenhagenOffsetHours(2024, 3, 31, 2)).toBe(1); // does not exist: read as standard time
    expect(copenhagenOffsetHours(2024, 3, 31, 3)).toBe(2);
    expect(copenhagenOffsetHours(2024, 10, 27, 2)).toBe(2); // first occurrence
    expect(copenhagenOffsetHours(2024, 10, 27, 3)).toBe(1);
    expect(copenhagenOffsetHours(2024, 7, 1, 12)).toBe(2);
    expect(copenhagenOffsetHours(2024, 12, 1, 12)).toBe(1);
  });
});

describe('isIsoDate', () => {
  it('accepts a calendar date in ISO form only: leap days where they exist, no 30 February', () => {
    expect(['2024-02-29', '2023-02-28', '2026-12-31'].map(isIsoDate)).toEqual([true, true, true]);
    expect(['2023-02-29', '2024-02-30', '2024-13-01', '2024-00-10', '2024-1-01', '24-01-01', ''].map(isIsoDate)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('isValidDate', () => {
  it('refuses a year PostgreSQL cannot store or no record can have (year 0 once passed as 1900)', () => {
    expect(isIsoDate('0000-01-31')).toBe(false);
    expect(isIsoDate('0001-01-01')).toBe(false);
    expect(isIsoDate('1799-12-31')).toBe(false);
    expect(isIsoDate('1858-01-01')).toBe(true); // the earliest birth date a CPR number can name
    expect(isIsoDate('9999-12-31')).toBe(true);
    expect(isValidDate(10_000, 1, 1)).toBe(false);
    expect(isValidDate(2024, 1, 1.5)).toBe(false);
  });
  it('leaves the years before 1800 to isCalendarDate: a day of the calendar from year 1, never year 0 or 10000', () => {
    expect(isCalendarDate(1, 1, 1)).toBe(true);
    expect(isCalendarDate(1799, 12, 31)).toBe(true);
    expect(isCalendarDate(1600, 2, 29)).toBe(true);
    expect(isCalendarDate(1700, 2, 29)).toBe(false);
    expect(isCalendarDate(0, 1, 31)).toBe(false);
    expect(isCalendarDate(10_000, 1, 1)).toBe(false);
    expect(isCalendarDate(9999, 12, 31)).toBe(true);
    expect(isCalendarDate(1, 13, 1)).toBe(false);
    expect(isValidDate(1799, 12, 31)).toBe(false);
  });
  it('counts the days of February by the Gregorian rule in every year', () => {
    expect([daysInMonth(0, 2), daysInMonth(4, 2), daysInMonth(100, 2), daysInMonth(1900, 2), daysInMonth(2000, 2)]).toEqual([
      29, 29, 28, 28, 29,
    ]);
  });
});

describe('committeeDates (KPIS.md: committee dates, second edition)', () => {
  it.each([
    // D a month end is kept; P defaults to 1 January .. D.
    ['2026-11-30', '2026-11-30', '2026-01-01', '2026-11-30'],
    ['2026-12-31', '2026-12-31', '2026-01-01', '2026-12-31'],
    ['2028-02-29', '2028-02-29', '2028-01-01', '2028-02-29'], // leap day: a month end
    ['2028-02-28', '2028-01-31', '2028-01-01', '2028-01-31'], // the day before a leap day is not
    ['2027-02-28', '2027-02-28', '2027-01-01', '2027-02-28'], // 28 February is a month end in 2027
    // D inside a month moves back to the end of the month before.
    ['2026-12-15', '2026-11-30', '2026-01-01', '2026-11-30'],
    ['2026-12-30', '2026-11-30', '2026-01-01', '2026-11-30'],
    ['2028-03-01', '2028-02-29', '2028-01-01', '2028-02-29'],
    // D = the 1st: the month before ended the day before; on 1 January that is last year.
    ['2026-12-01', '2026-11-30', '2026-01-01', '2026-11-30'],
    ['2027-01-01', '2026-12-31', '2026-01-01', '2026-12-31'],
    ['2026-01-15', '2025-12-31', '2025-01-01', '2025-12-31'],
  ])('D = %s → D %s, P %s..%s by default', (asOf, d, from, to) => {
    expect(committeeDates(asOf)).toEqual({ asOf: d, period: { from, to } });
  });

  it('widens from to the first of its month and to to its month end, never past the moved D', () => {
    expect(committeeDates('2026-12-15', { from: '2026-03-17', to: '2026-06-02' })).toEqual({
      asOf: '2026-11-30',
      period: { from: '2026-03-01', to: '2026-06-30' },
    });
    expect(committeeDates('2026-12-15', { from: '2026-03-17' })).toEqual({
      asOf: '2026-11-30',
      period: { from: '2026-03-01', to: '2026-11-30' },
    });
    // to in D's running month: cut back to the moved D.
    expect(committeeDates('2026-12-15', { from: '2026-11-02', to: '2026-12-10' })).toEqual({
      asOf: '2026-11-30',
      period: { from: '2026-11-01', to: '2026-11-30' },
    });
    expect(committeeDates('2028-02-29', { from: '2028-02-29', to: '2028-02-29' })).toEqual({
      asOf: '2028-02-29',
      period: { from: '2028-02-01', to: '2028-02-29' },
    });
    expect(committeeDates('2026-12-31', { from: '2026-12-31', to: '2026-12-31' })).toEqual({
      asOf: '2026-12-31',
      period: { from: '2026-12-01', to: '2026-12-31' },
    });
    // from after the moved D: P is the moved D's month.
    expect(committeeDates('2026-12-15', { from: '2026-12-02', to: '2026-12-10' })).toEqual({
      asOf: '2026-11-30',
      period: { from: '2026-11-01', to: '2026-11-30' },
    });
  });

  it('gives D and D + 1 day of one month the same answer (D + 1 not the month end)', () => {
    for (let day = 1; day < 28; day++) {
      const d = `2028-02-${String(day).padStart(2, '0')}`;
      expect(committeeDates(addDays(d, 1), { from: '2027-05-09', to: addDays(d, 1) })).toEqual(
        committeeDates(d, { from: '2027-05-10', to: d }),
      );
    }
  });

  it('monthEnd and lastEndedMonthEnd', () => {
    expect(monthEnd('2028-02-01')).toBe('2028-02-29');
    expect(monthEnd('2027-02-14')).toBe('2027-02-28');
    expect(lastEndedMonthEnd('2026-03-31')).toBe('2026-03-31');
    expect(lastEndedMonthEnd('2026-03-30')).toBe('2026-02-28');
  });
});

describe('committeeDates over random dates (fast-check)', () => {
  const date = fc.integer({ min: 0, max: 3 * 366 }).map((n) => addDays('2026-01-01', n));
  it('gives whole months, never past the D asked, and one answer for every day of a month but its last', () => {
    fc.assert(
      fc.property(date, fc.option(date), fc.option(date), (asOf, a, b) => {
        const [from, to] = a && b && a > b ? [b, a] : [a, b];
        const asked = { from: from ?? undefined, to: to ?? undefined };
        const r = committeeDates(asOf, asked);
        expect(r.asOf <= asOf && r.asOf === monthEnd(r.asOf) && addDays(r.asOf, 31) > asOf).toBe(true);
        expect(r.period.from.endsWith('-01') && r.period.to === monthEnd(r.period.to)).toBe(true);
        expect(r.period.from <= r.period.to && r.period.to <= r.asOf).toBe(true);
        const next = addDays(asOf, 1);
        if (next.slice(0, 7) === asOf.slice(0, 7) && next !== monthEnd(next)) expect(committeeDates(next, asked)).toEqual(r);
      }),
      { numRuns: 2000 },
    );
  });
});
