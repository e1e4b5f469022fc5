import { describe, expect, it } from 'vitest';
import { dkDate, dkDecimal, dkTimestamp, jaNej } from './values';

describe('DUBU field values', () => {
  it('reads DD-MM-YYYY dates and rejects impossible or pre-1970 ones with their rule', () => {
    expect(dkDate('29-02-2024')).toEqual({ ok: true, value: '2024-02-29' });
    expect(dkDate('29-02-2023')).toEqual({ ok: false, rule: 'DATE_INVALID' });
    expect(dkDate('31-12-1969')).toEqual({ ok: false, rule: 'DATE_BEFORE_1970' });
    expect(dkDate('2024-02-01')).toEqual({ ok: false, rule: 'DATE_INVALID' });
    expect(dkDate('')).toEqual({ ok: true, value: null });
  });

  it('reads one- and two-digit days and months alike, and checks every date against the calendar', () => {
    expect(dkDate('1-2-2024')).toEqual({ ok: true, value: '2024-02-01' });
    expect(dkDate('01-02-2024')).toEqual({ ok: true, value: '2024-02-01' });
    expect(dkDate('29-02-2000')).toEqual({ ok: true, value: '2000-02-29' });
    expect(dkDate('29-02-2100')).toEqual({ ok: false, rule: 'DATE_INVALID' });
    for (const bad of ['00-01-2024', '31-04-2024', '01-13-2024', '01-00-2024', '0a-01-2024', '01-01-20x4', '01/01/2024', '01-01-2024 ']) {
      expect(dkDate(bad)).toEqual({ ok: false, rule: 'DATE_INVALID' });
    }
    // Every day of 1970-2040 as DD-MM-YYYY comes back as the same ISO date.
    for (let t = Date.UTC(1970, 0, 1); t < Date.UTC(2041, 0, 1); t += 86_400_000) {
      const iso = new Date(t).toISOString().slice(0, 10);
      expect(dkDate(`${iso.slice(8, 10)}-${iso.slice(5, 7)}-${iso.slice(0, 4)}`)).toEqual({ ok: true, value: iso });
    }
  });

  it('gives timestamps their Copenhagen offset; the ambiguous autumn hour is the first one', () => {
    expect(dkTimestamp('27-10-2024 02:30')).toEqual({ ok: true, value: '2024-10-27 02:30:00+02' });
    expect(dkTimestamp('27-10-2024 03:30')).toEqual({ ok: true, value: '2024-10-27 03:30:00+01' });
    expect(dkTimestamp('15-01-2024 23:59')).toEqual({ ok: true, value: '2024-01-15 23:59:00+01' });
    expect(dkTimestamp('15-01-2024 24:00')).toEqual({ ok: false, rule: 'DATE_INVALID' });
    expect(dkTimestamp('15-01-2024 10:60')).toEqual({ ok: false, rule: 'DATE_INVALID' });
    expect(dkTimestamp('31-12-1969 10:00')).toEqual({ ok: false, rule: 'DATE_BEFORE_1970' });
    expect(dkTimestamp('30-02-2024 10:00')).toEqual({ ok: false, rule: 'DATE_INVALID' });
    expect(dkTimestamp('31-03-2024T02:30')).toEqual({ ok: true, value: '2024-03-31 02:30:00+01' });
    expect(dkTimestamp('31-03-2024 03:30')).toEqual({ ok: true, value: '2024-03-31 03:30:00+02' });
    // Other spellings take the general reading, with the same result.
    expect(dkTimestamp('5-7-2024 9:05')).toEqual({ ok: true, value: '2024-07-05 09:05:00+02' });
    expect(dkTimestamp('05-07-2024 09:05:30')).toEqual({ ok: true, value: '2024-07-05 09:05:30+02' });
  });

  it('reads decimal commas with thousands dots', () => {
    expect(dkDecimal('12.345,50')).toEqual({ ok: true, value: '12345.50' });
    expect(dkDecimal('45250,5')).toEqual({ ok: true, value: '45250.5' });
    expect(dkDecimal('1.234.567')).toEqual({ ok: true, value: '1234567' });
    expect(dkDecimal('12,34,5')).toEqual({ ok: false, rule: 'NUMBER_INVALID' });
    expect(dkDecimal('abc')).toEqual({ ok: false, rule: 'NUMBER_INVALID' });
  });

  it('reads Ja/Nej in any case', () => {
    expect(jaNej('Ja')).toEqual({ ok: true, value: true });
    expect(jaNej('NEJ')).toEqual({ ok: true, value: false });
    expect(jaNej('måske')).toEqual({ ok: false, rule: 'BOOLEAN_INVALID' });
  });
});
