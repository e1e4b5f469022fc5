import { describe, expect, it } from 'vitest';
import { addDays, DATE_FORMAT_MESSAGE, DATE_INVALID_MESSAGE, formatDate, parseDanishDate } from './format';

describe('dates as dd.mm.åååå', () => {
  it('shows an ISO date or timestamp as dd.mm.åååå with leading zeros', () => {
    expect(formatDate('2024-02-29')).toBe('29.02.2024');
    expect(formatDate('2026-01-12')).toBe('12.01.2026');
    expect(formatDate('2024-03-01T05:00:00.000Z')).toBe('01.03.2024');
  });

  it('reads what a Dane types, day first, into ISO', () => {
    expect(parseDanishDate('12.01.2026')).toEqual({ iso: '2026-01-12' });
    expect(parseDanishDate('1.2.2024')).toEqual({ iso: '2024-02-01' });
    expect(parseDanishDate(' 29-02-2024 ')).toEqual({ iso: '2024-02-29' });
    expect(parseDanishDate('31/12/2023')).toEqual({ iso: '2023-12-31' });
  });

  it('refuses other forms and days not in the calendar, in Danish', () => {
    // The browser's own forms: ISO and the American month first.
    expect(parseDanishDate('2026-01-12')).toEqual({ error: DATE_FORMAT_MESSAGE });
    expect(parseDanishDate('12.01.26')).toEqual({ error: DATE_FORMAT_MESSAGE });
    expect(parseDanishDate('i går')).toEqual({ error: DATE_FORMAT_MESSAGE });
    expect(parseDanishDate('')).toEqual({ error: DATE_FORMAT_MESSAGE });
    expect(parseDanishDate('01/13/2026')).toEqual({ error: DATE_INVALID_MESSAGE });
    expect(parseDanishDate('29.02.2023')).toEqual({ error: DATE_INVALID_MESSAGE });
    expect(parseDanishDate('31.04.2024')).toEqual({ error: DATE_INVALID_MESSAGE });
    expect(parseDanishDate('00.01.2024')).toEqual({ error: DATE_INVALID_MESSAGE });
    expect(DATE_FORMAT_MESSAGE).toBe('Skriv datoen som dd.mm.åååå, fx 31.01.2026');
  });

  it('moves a date by whole days across months and years', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(addDays('2023-12-31', 1)).toBe('2024-01-01');
  });
});
