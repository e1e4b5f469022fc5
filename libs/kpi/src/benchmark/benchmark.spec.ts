import { join } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importStatistics } from '@bu/etl';
import { kpiValue } from '../../../../test/support/kpi';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../../../../test/support/database';
import { FIXTURES } from '../../../../test/support/fixtures';

// test/fixtures/statistics-benchmark: notifications 2024 per 1,000 children aged 0-17 —
// Odense 4,400/40,000 = 110, Aarhus 4,800/60,000 = 80, Aalborg 6,000/40,000 = 150, Esbjerg
// 2,500/25,000 = 100, Vejle ".." (missing, not 0; its 2025 figure is newer than Odense's latest year).
describe('benchmark KPIs (public statistics, per 1,000 children)', () => {
  let db: TestDatabase;
  const value = kpiValue(() => db, '2024-12-31');

  beforeAll(async () => {
    db = await createTestDatabase();
    await importStatistics(db.pool, join(FIXTURES, 'statistics-benchmark'), { pseudonymSecret: TEST_SECRET });
  });
  afterAll(async () => db?.drop());

  it('compares on the latest year published for the own municipality; median and quartiles interpolate', async () => {
    // Sorted: 80, 100, 110, 150. Median (100 + 110) / 2 = 105; Q1 at 0.75 → 80 + 0.75 × 20 = 95;
    // Q3 at 2.25 → 110 + 0.25 × 40 = 120. Rank (1 = highest): 150, then Odense's 110 → 2.
    expect(await value('benchmark.activity.notifications_per_1000')).toEqual({
      year: 2024,
      own: 110,
      ownLive: 0,
      band: '0-17 år',
      liveBand: '0-17 år',
      group: { '461': 110, '561': 100, '751': 80, '851': 150 },
      count: 4,
      median: 105,
      q1: 95,
      q3: 120,
      rank: 2,
      higherIsBetter: null,
    });
  });

  it("falls back to the own municipality's latest year with the indicator: placements in 2023, per 0-22-year-old", async () => {
    // Odense 2024 is "..": 2023 is compared. The published count covers children and young people
    // aged 0-22, so it is divided by the 0-22-year-olds (not the 0-17-year-olds, which would give
    // 10, 8 and 13): Odense 400/50,000 × 1,000 = 8, Aarhus 480/80,000 = 6, Aalborg 520/52,000 = 10.
    // Sorted 6, 8, 10: median 8, Q1 at 0.5 → 7, Q3 at 1.5 → 9; Odense 2nd (1 = the highest).
    const b = (await value('benchmark.activity.placed_children_per_1000')) as Record<string, unknown>;
    expect(b).toMatchObject({ year: 2023, own: 8, group: { '461': 8, '751': 6, '851': 10 }, median: 8, q1: 7, q3: 9, rank: 2 });
    // Beside it the own live rate, from the case data's children per 1,000 0-17-year-olds.
    expect(b).toMatchObject({ band: '0-22 år', liveBand: '0-17 år' });
  });

  it('compares with a chosen group, the own municipality always in it', async () => {
    const b = (await value('benchmark.activity.notifications_per_1000', { comparisonGroup: [851] })) as {
      group: Record<string, number>;
      median: number;
      rank: number;
    };
    // Group [Aalborg] plus Odense itself: 110 and 150 → median (110 + 150) / 2 = 130, Odense 2nd.
    expect(b.group).toEqual({ '461': 110, '851': 150 });
    expect(b.median).toBe(130);
    expect(b.rank).toBe(2);
  });

  it('gives nulls, not zeros, when the own municipality has no published figure', async () => {
    const b = (await value('benchmark.activity.preventive_children_per_1000')) as Record<string, unknown>;
    // The fixture publishes no preventive-measures figure for any municipality.
    expect(b).toMatchObject({ year: null, own: null, count: 0, median: null, q1: null, q3: null, rank: null });
  });
});

// test/fixtures/statistics-spend, 2024: net operating expenditure (1,000 kr.) per child aged 0-17 —
// Odense 1,000,000 × 1,000 / 40,000 = 25,000 kr., Aarhus 1,260,000 × 1,000 / 60,000 = 21,000,
// Aalborg 1,120,000 × 1,000 / 40,000 = 28,000; Esbjerg ".." is missing, not 0.
describe('benchmark.cost.net_spend_per_child (public statistics, kr. per child)', () => {
  let db: TestDatabase;
  const value = kpiValue(() => db, '2024-12-31');

  beforeAll(async () => {
    db = await createTestDatabase();
    await importStatistics(db.pool, join(FIXTURES, 'statistics-spend'), { pseudonymSecret: TEST_SECRET });
  });
  afterAll(async () => db?.drop());

  it('compares kr. per child: median 25,000, quartiles interpolated, Odense 2nd of 3, no live figure', async () => {
    // Sorted 21,000, 25,000, 28,000: Q1 at 0.5 → 23,000; Q3 at 1.5 → 26,500.
    expect(await value('benchmark.cost.net_spend_per_child')).toEqual({
      year: 2024,
      own: 25_000,
      ownLive: null,
      band: '0-17 år',
      liveBand: null,
      group: { '461': 25_000, '751': 21_000, '851': 28_000 },
      count: 3,
      median: 25_000,
      q1: 23_000,
      q3: 26_500,
      rank: 2,
      higherIsBetter: null,
    });
  });
});
