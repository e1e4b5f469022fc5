import fc from 'fast-check';
import { join } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu } from '@bu/etl';
import { KPIS, kpiById, suppressCount, suppressParts, type KpiContext } from '@bu/kpi';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { FIXTURES } from '../support/fixtures';

const S = { suppressed: true };

describe('small-cell suppression', () => {
  it('replaces 1..4 and keeps 0 and 5+', () => {
    expect([0, 1, 4, 5, 17, null].map(suppressCount)).toEqual([0, S, S, 5, 17, null]);
  });

  it('suppresses one more part — the smallest non-zero other one — when parts are shown with their total', () => {
    expect(suppressParts({ skole: 12, politi: 3, sundhed: 7, anonym: 0 })).toEqual({ skole: 12, politi: S, sundhed: S, anonym: 0 });
    expect(suppressParts({ a: 6, b: 9 })).toEqual({ a: 6, b: 9 });
  });

  it('leaves no part of a shown total to be worked out: the hidden sum is 0, 5 or more, or spread over 2 or more hidden parts', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('skole', 'politi', 'sundhed', 'anonym', 'andet'), fc.nat({ max: 12 })), (parts) => {
        const shown = suppressParts(parts);
        const total = Object.values(parts).reduce((a, b) => a + b, 0);
        const shownTotal = suppressCount(total);
        const numbers = Object.values(shown).filter((v): v is number => typeof v === 'number');
        for (const n of numbers) expect(n >= 1 && n <= 4).toBe(false);
        if (typeof shownTotal === 'number') {
          const hidden = shownTotal - numbers.reduce((a, b) => a + b, 0);
          const hiddenParts = Object.values(shown).filter((v) => typeof v !== 'number').length;
          expect(hidden === 0 || hidden >= 5 || hiddenParts >= 2).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('every KPI the committee may read is money or suppressible', () => {
    const open = KPIS.filter((k) => k.roles.includes('udvalg') && k.unit !== 'kr' && !k.suppress).map((k) => k.id);
    expect(open).toEqual([]);
  });
});

describe('activity.summary (the committee’s four years)', () => {
  let db: TestDatabase;
  const kpi = kpiById('activity.summary')!;
  const ctx = (): KpiContext => ({
    query: async (sql, params) => (await db.pool.query(sql, params)).rows,
    municipality: 461,
    asOf: '2024-04-30',
    period: { from: '2024-01-01', to: '2024-04-30' },
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    await importDubu(db.pool, join(FIXTURES, 'dubu-chief'), { pseudonymSecret: TEST_SECRET, exportDate: '2024-04-30' });
  });
  afterAll(async () => db?.drop());

  it('counts per year, at 31 December for past years and at D for this one', async () => {
    // 2024 (to D): notifications N1-N5, N7, N8 = 7; placements started: Y1; placed at D: Y1, Y5, Y8; preventive: Y2, Y4.
    // 2023: N6; Y8 started 01-01-2023; placed at 31-12-2023: Y5, Y8; preventive: Y4, Y6.
    // 2022: Y5 started 01-03-2022 and is the only placement at 31-12-2022. 2021: nothing.
    const value = await kpi.compute(ctx());
    expect(value).toEqual({
      '2021': { notifications: 0, placementsStarted: 0, placedChildren: 0, preventiveChildren: 0 },
      '2022': { notifications: 0, placementsStarted: 1, placedChildren: 1, preventiveChildren: 0 },
      '2023': { notifications: 1, placementsStarted: 1, placedChildren: 2, preventiveChildren: 2 },
      '2024': { notifications: 7, placementsStarted: 1, placedChildren: 3, preventiveChildren: 2 },
    });
    expect(kpi.suppress!(value)).toEqual({
      '2021': { notifications: 0, placementsStarted: 0, placedChildren: 0, preventiveChildren: 0 },
      '2022': { notifications: 0, placementsStarted: S, placedChildren: S, preventiveChildren: 0 },
      '2023': { notifications: S, placementsStarted: S, placedChildren: S, preventiveChildren: S },
      '2024': { notifications: 7, placementsStarted: S, placedChildren: S, preventiveChildren: S },
    });
  });
});
