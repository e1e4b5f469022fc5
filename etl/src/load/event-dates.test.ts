import { describe, expect, it } from 'vitest';
import { entityDef, stagingColumns } from './entities';
import { EventDateRange, oneYearAfter } from './event-dates';

describe('EventDateRange', () => {
  const def = entityDef('notifications');
  const row = (received: string | null) => {
    const values: unknown[] = stagingColumns(def).map(() => null);
    values[stagingColumns(def).indexOf('received_at')] = received;
    return values;
  };

  it('keeps the newest day not after today and the latest of all, a timestamp by its local day', () => {
    const range = new EventDateRange(def, ['received_at'], '2026-12-01');
    expect([range.newest, range.latest]).toEqual([null, null]);
    range.see(row('2024-02-29 23:30:00+01'));
    range.see(row(null));
    range.see(row('2026-12-01 08:00:00+01'));
    range.see(row('2026-12-02 00:10:00+01'));
    range.see(row('2025-03-30 02:30:00+01'));
    expect([range.newest, range.latest]).toEqual(['2026-12-01', '2026-12-02']);
    // The first day after today that an event happened on: 2 December (local day of 00:10+01).
    expect(range.after).toBe('2026-12-02');
    range.see(row('2027-01-05 10:00:00+01'));
    expect(range.after).toBe('2026-12-02');
  });

  it('takes the newest day only from the columns of events that happened, the latest from the rule columns', () => {
    const measures = entityDef('measures');
    const at = (column: string) => stagingColumns(measures).indexOf(column);
    const range = new EventDateRange(measures, ['started', 'decided', 'ended'], '2026-12-03', ['started', 'decided']);
    const values: unknown[] = stagingColumns(measures).map(() => null);
    values[at('decided')] = '2025-10-20';
    values[at('started')] = '2025-10-31';
    values[at('ended')] = '2025-12-02'; // planned
    range.see(values);
    expect([range.newest, range.latest]).toEqual(['2025-10-31', '2025-12-02']);
    // The planned end after today is no event that happened: the default export date keeps.
    values[at('ended')] = '2027-01-01';
    range.see(values);
    expect(range.after).toBeNull();
  });

  it('refuses a column the table does not stage', () => {
    expect(() => new EventDateRange(def, ['opened'], '2026-12-01')).toThrow(/no staging column opened/);
  });
});

describe('oneYearAfter', () => {
  it('is PostgreSQL date + 1 year: a leap day gives 28 February, a month end stays', () => {
    expect(oneYearAfter('2024-02-29')).toBe('2025-02-28');
    expect(oneYearAfter('2023-02-28')).toBe('2024-02-28');
    expect(oneYearAfter('2024-12-31')).toBe('2025-12-31');
    expect(oneYearAfter('2024-01-31')).toBe('2025-01-31');
  });
});
