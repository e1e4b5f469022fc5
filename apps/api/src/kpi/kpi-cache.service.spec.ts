import { describe, expect, it } from 'vitest';
import { compareLsn } from '../database/lsn';
import { Versions } from './kpi-cache.service';

describe(Versions.name, () => {
  // '*' 3, Odense (461) 7, the statistics 2, learnt at three WAL positions; Copenhagen (101) never moved.
  const versions = new Versions(
    new Map([
      ['*', 3n],
      ['461', 7n],
      ['national', 2n],
    ]),
    new Map([
      ['*', '0/100'],
      ['461', '0/A00'],
      ['national', '1/0'],
    ]),
  );

  it('keeps a value under its municipality and everything, and the statistics only when it reads them', () => {
    expect(versions.stamp({ municipality: 461 })).toBe('3.7');
    expect(versions.stamp({ municipality: 461, national: true })).toBe('3.7.2');
    // A municipality without a row reads as version 0.
    expect(versions.stamp({ municipality: 101 })).toBe('3.0');
    // Every municipality: 3 + 7 + 2 = 12, which grows whenever any of them does.
    expect(versions.stamp({ municipality: 'any' })).toBe('12');
  });

  it('needs the WAL position of the newest version a value depends on', () => {
    expect(versions.lsn({ municipality: 461 })).toBe('0/A00');
    expect(versions.lsn({ municipality: 461, national: true })).toBe('1/0');
    // Copenhagen has no position of its own: that of the first read (with '*').
    expect(versions.lsn({ municipality: 101 })).toBe('0/100');
  });

  it('moves only the scopes given, at the new position', () => {
    const moved = versions.with(new Map([['101', 1n]]), '1/10');
    expect(moved.stamp({ municipality: 101 })).toBe('3.1');
    expect(moved.lsn({ municipality: 101 })).toBe('1/10');
    expect(moved.stamp({ municipality: 461 })).toBe('3.7');
    expect(moved.lsn({ municipality: 461 })).toBe('0/A00');
    expect(versions.stamp({ municipality: 101 })).toBe('3.0');
  });
});

describe(compareLsn.name, () => {
  it('orders WAL positions by their high then low 32 bits, in hexadecimal', () => {
    expect(compareLsn('0/A00', '0/9FF')).toBe(1);
    expect(compareLsn('1/0', '0/FFFFFFFF')).toBe(1);
    expect(compareLsn('16/B374D848', '16/B374D848')).toBe(0);
    expect(compareLsn('0/0', '0/1')).toBe(-1);
  });
});
