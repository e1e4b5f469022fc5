import { describe, expect, it } from 'vitest';
import { isoDayNumber as dayNumber } from './days';

describe('isoDayNumber', () => {
  it('counts days since 1970-01-01, leap days and timestamps (their local day) included', () => {
    expect(dayNumber('1970-01-01')).toBe(0);
    expect(dayNumber('1969-12-31')).toBe(-1);
    // 2024 is a leap year: 29 February exists, and 1 March is the day after it.
    expect(dayNumber('2024-03-01') - dayNumber('2024-02-29')).toBe(1);
    expect(dayNumber('2024-02-29') - dayNumber('2024-02-28')).toBe(1);
    expect(dayNumber('2023-03-01') - dayNumber('2023-02-28')).toBe(1);
    // 2000 is a leap year, 1900 is not.
    expect(dayNumber('2000-03-01') - dayNumber('2000-02-28')).toBe(2);
    expect(dayNumber('1900-03-01') - dayNumber('1900-02-28')).toBe(1);
    expect(dayNumber('2024-10-27 02:30:00+02')).toBe(dayNumber('2024-10-27'));
    // Every day of four centuries against the JavaScript calendar.
    for (let t = Date.UTC(1900, 0, 1); t < Date.UTC(2300, 0, 1); t += 86_400_000) {
      expect(dayNumber(new Date(t).toISOString().slice(0, 10))).toBe(t / 86_400_000);
    }
  });
});
