import { describe, expect, it } from 'vitest';
import { dkDate, dkDecimal, dkTimestamp, isoDate, jaNej } from './values';

describe('DUBU field values', () => {
  it('reads DD-MM-YYYY dates and rejects impossible or pre-1970 ones with their rule', () => {
    expect(dkDate('29-02-2024')).toEqual({ ok: true, value: '2024-02-29' });
    expect(dkDate('29-02-2023')).toEqual({ ok: false, rule: 'DATE_INVALID' });
    expect(dkDate('31-12-1969')).toEqual({ ok: false, rule: 'DATE_BEFORE_1970' });
    expect(dkDate('2024-02-01')).toEqual({ ok: false, rule: 'DATE_INVALID' });
    expect(dkDate('')).toEqual({ ok: true, value: null });
  });

  it('rejects a well-formed date before 1970 as R003, however old (a sentinel 0001 too), and only no date as R002', () => {
    const before = { ok: false, rule: 'DATE_BEFORE_1970' };
    const invalid = { ok: false, rule: 'DATE_INVALID' };
    // DUBU (DD-MM-YYYY, both spellings), CSC (YYYY-MM-DD) and timestamps take the same rule.
    for (const [dk, iso, expected] of [
      ['01-01-0001', '0001-01-01', before],
      ['31-12-1799', '1799-12-31', before],
      ['29-02-1600', '1600-02-29', before],
      ['31-12-1969', '1969-12-31', before],
      ['01-01-1970', '1970-01-01', { ok: true, value: '1970-01-01' }],
      // No year 0 in the calendar PostgreSQL keeps (Date.UTC would read it as 1900).
      ['01-01-0000', '0000-01-01', invalid],
      ['29-02-1800', '1800-02-29', invalid],
      ['01-13-1799', '1799-13-01', invalid],
      ['31-02-0001', '0001-02-31', invalid],
    ] as const) {
      expect(dkDate(dk), dk).toEqual(expected);
      expect(dkDate(dk.replace(/^0/, '').replace('-0', '-')), dk).toEqual(expected);
      expect(isoDate(iso), iso).toEqual(expected);
      const stamp = dkTimestamp(`${dk} 12:00`);
      expect(stamp.ok ? { ok: true, value: stamp.value?.slice(0, 10) } : stamp, dk).toEqual(expected);
    }
    expect(dkDate('01-01-00001')).toEqual(invalid);
    expect(isoDate('10000-01-01')).toEqual(invalid);
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

  it('reads decimals as the regular expressions always did, the usual spelling on its fast path too', () => {
    // The rules as regular expressions (the reference the fast path must agree with).
    const reference = (text: string) => {
      if (text === '') return { ok: true, value: null };
      const compact = text.replace(/\s/g, '');
      if (!/^-?\d{1,3}(\.\d{3})*(,\d+)?$/.test(compact) && !/^-?\d+(,\d+)?$/.test(compact)) return { ok: false, rule: 'NUMBER_INVALID' };
      return { ok: true, value: compact.replace(/\./g, '').replace(',', '.') };
    };
    const cases = [
      '0',
      '7',
      '-5',
      '007',
      '1234',
      '1.234',
      '12.345,50',
      '123.456.789,5',
      '1.2,3',
      '1234.567',
      '1.23',
      '1.2345',
      '.123',
      '1.',
      '1,',
      ',5',
      '-',
      '-,5',
      '--5',
      '1,5,5',
      '1,5.0',
      ' 12.345,50 ',
      '1 000,5',
      '12\u00a0345',
      '+5',
      '1e3',
      '٣',
      '1.000,',
      '-1.000,25',
    ];
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const alphabet = '0123456789.,- x';
    for (let i = 0; i < 20_000; i++) {
      let t = '';
      const length = 1 + Math.floor(random() * 10);
      for (let k = 0; k < length; k++) t += alphabet[Math.floor(random() * (random() < 0.7 ? 10 : alphabet.length))];
      cases.push(t);
    }
    for (const text of cases) expect(dkDecimal(text), text).toEqual(reference(text));
  });

  it('gives the same answers for dates read again, past the bound of the memo too', () => {
    const texts: string[] = [];
    for (let y = 1965; y < 2035; y++)
      for (let m = 0; m <= 13; m++)
        for (const d of [0, 1, 15, 28, 29, 30, 31, 32]) texts.push(`${String(d).padStart(2, '0')}-${String(m).padStart(2, '0')}-${y}`);
    texts.push('1-2-2024', '01-02-24', 'x', ' 01-02-2024');
    const first = texts.map((t) => dkDate(t));
    expect(texts.length).toBeGreaterThan(7000);
    for (let round = 0; round < 3; round++) expect(texts.map((t) => dkDate(`;${t}`.split(';')[1]))).toEqual(first);
    expect(dkDate('29-02-2024')).toEqual({ ok: true, value: '2024-02-29' });
    expect(dkDate('29-02-2023')).toEqual({ ok: false, rule: 'DATE_INVALID' });
    expect(dkDate('31-12-1969')).toEqual({ ok: false, rule: 'DATE_BEFORE_1970' });
    // Against the calendar of Date.
    texts.slice(0, -4).forEach((t, i) => {
      const [d, m, y] = t.split('-').map(Number);
      const valid = m >= 1 && m <= 12 && d >= 1 && new Date(Date.UTC(y, m - 1, d)).getUTCDate() === d;
      expect(first[i], t).toEqual(
        !valid
          ? { ok: false, rule: 'DATE_INVALID' }
          : y < 1970
            ? { ok: false, rule: 'DATE_BEFORE_1970' }
            : { ok: true, value: `${y}-${t.slice(3, 5)}-${t.slice(0, 2)}` },
      );
    });
  });
});
