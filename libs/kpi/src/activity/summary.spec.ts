import { join } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu } from '@bu/etl';
import { kpiById } from '@bu/kpi';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../../../../test/support/database';
import { FIXTURES } from '../../../../test/support/fixtures';
import { kpiContext, kpiValue } from '../../../../test/support/kpi';

const S = { suppressed: true };
const OWN_KPIS = {
  notifications: 'activity.notifications',
  placementsStarted: 'activity.placements_started',
  placedChildren: 'activity.placed_children',
  preventiveChildren: 'activity.preventive_children',
};
describe('activity.summary (the committee’s four years)', () => {
  let db: TestDatabase;
  const kpi = kpiById('activity.summary')!;

  beforeAll(async () => {
    db = await createTestDatabase();
    await importDubu(db.pool, join(FIXTURES, 'dubu-chief'), { pseudonymSecret: TEST_SECRET, exportDate: '2024-04-30' });
  });
  afterAll(async () => db?.drop());

  it('counts per year, at 31 December for past years and at D for this one', async () => {
    // 2024 (to D): notifications N1-N5, N7, N8 = 7; placements started: Y1; placed at D: Y1, Y5, Y8; preventive: Y2, Y4.
    // 2023: N6; Y8 started 01-01-2023; placed at 31-12-2023: Y5, Y8; preventive: Y4, Y6.
    // 2022: Y5 started 01-03-2022 and is the only placement at 31-12-2022. 2021: nothing.
    const value = await kpiValue(() => db, '2024-04-30')('activity.summary');
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

  it('is, year by year, the four counts of their own KPIs (one statement instead of sixteen)', async () => {
    // At other dates too: 31-12-2023 (D at a year end), 01-01-2024 (one day into the year), 15-06-2025.
    for (const asOf of ['2023-12-31', '2024-01-01', '2024-04-30', '2025-06-15']) {
      const summary = (await kpiValue(() => db, asOf)('activity.summary')) as Record<string, Record<string, number>>;
      const year = Number(asOf.slice(0, 4));
      for (let y = year - 3; y <= year; y++) {
        const at = y === year ? asOf : `${y}-12-31`;
        const yearCtx = kpiContext(() => db, at, `${y}-01-01`)();
        const own: Record<string, number> = {};
        for (const [key, id] of Object.entries(OWN_KPIS)) own[key] = (await kpiById(id)!.compute(yearCtx)) as number;
        expect(summary[String(y)], `${asOf}, ${y}`).toEqual(own);
      }
    }
  });
});
