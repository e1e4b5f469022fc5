import { describe, expect, it } from 'vitest';
import { addMonths, copenhagenOffsetHours, daysBetween, isActiveAt, isIsoDate } from './dates';

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
    expect(['2023-02-29', '2024-02-30', '2024-13-01', '2024-00-10', '2024-1-01', '24-01-01', ''].map(isIsoDate)).toEqual([false, false, false, false, false, false, false]);
  });
});
