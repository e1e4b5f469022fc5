import { join } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu, importEconomy } from '@bu/etl';
import { DEFAULT_SETTINGS, kpiById } from '@bu/kpi';
import { kpiValue } from '../../../../test/support/kpi';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../../../../test/support/database';
import { FIXTURES } from '../../../../test/support/fixtures';

// Budget follow-up on test/fixtures/economy-small (Odense 2024: 5.28.20 in January and February,
// 5.28.21 in January — its February row is rejected —, 5.57.72 only in December 2023) with the
// measures of test/fixtures/dubu-chief, at D = 29-02-2024 (a leap day, a month end).
describe('committee budget KPIs', () => {
  let db: TestDatabase;
  const value = kpiValue(() => db, '2024-02-29');

  beforeAll(async () => {
    db = await createTestDatabase();
    await importDubu(db.pool, join(FIXTURES, 'dubu-chief'), { pseudonymSecret: TEST_SECRET, exportDate: '2024-04-30' });
    await importEconomy(db.pool, join(FIXTURES, 'economy-small'), { pseudonymSecret: TEST_SECRET });
  });
  afterAll(async () => db?.drop());

  it('budget.function: B from the latest month, S through month m, last year, forecasts, deviation and light', async () => {
    const lines = (await value('budget.function')) as Record<string, Record<string, unknown>>;
    // 5.28.20: m = 2; B = February's corrected budget 62,500,000; S = 4,800,000.50 + 5,100,000.
    // Linear F = 9,900,000.50 / 2 × 12 = 59,400,003; activity F = S + Opholdssted Y5 65,000 active at
    // 29-02 × (12 − 2) = 10,550,000.50. Linear is the default: F − B = −3,099,997 → green.
    expect(lines['5.28.20']).toEqual({
      name: 'Opholdssteder mv. for børn og unge',
      budget: 62_500_000,
      month: 2,
      spent: 9_900_000.5,
      lastYear: null,
      forecastLinear: 59_400_003,
      forecastActivity: 10_550_000.5,
      forecast: 59_400_003,
      deviation: -3_099_997,
      deviationShare: -3_099_997 / 62_500_000,
      light: 'green',
      // Y5 is the one child behind the activity forecast.
      activeChildren: 1,
    });
    // 5.28.21: the newest month with data is January (m = 1). Activity: active at 31-01-2024 and
    // booking on 5.28.21: Y4 Familiebehandling 12,000 and Y6 Kontaktperson 6,000 (Y2 starts 01-02) → 3,000,000 + 18,000 × 11.
    expect(lines['5.28.21']).toMatchObject({
      budget: 40_000_000,
      month: 1,
      spent: 3_000_000,
      forecastLinear: 36_000_000,
      forecastActivity: 3_198_000,
      light: 'green',
    });
    // 5.57.72 has only last year's December: no budget this year, no light; last year's result 900,000.
    expect(lines['5.57.72']).toMatchObject({ budget: null, month: null, spent: null, lastYear: 900_000, forecast: null, light: null });
  });

  it('budget.light uses the forecast the setting chooses and the thresholds (yellow up to B × 1.02)', async () => {
    expect(await value('budget.light')).toEqual({ '5.28.20': 'green', '5.28.21': 'green', '5.57.72': null });
    // A budget of 59,000,000 makes the linear forecast 59,400,003 a 0.68 % overrun: yellow; at 58,000,000 (2.4 %) red.
    await db.pool.query(`UPDATE budget_line SET corrected_budget = 59000000 WHERE function_code = '5.28.20' AND year = 2024 AND month = 2`);
    expect(((await value('budget.light')) as Record<string, string>)['5.28.20']).toBe('yellow');
    await db.pool.query(`UPDATE budget_line SET corrected_budget = 58000000 WHERE function_code = '5.28.20' AND year = 2024 AND month = 2`);
    expect(((await value('budget.light')) as Record<string, string>)['5.28.20']).toBe('red');
    // With the activity forecast 10,550,000.50 the same line is green.
    const settings = { ...DEFAULT_SETTINGS, 'budget.forecast': 'activity' as const };
    expect(((await value('budget.light', { settings })) as Record<string, string>)['5.28.20']).toBe('green');
    await db.pool.query(`UPDATE budget_line SET corrected_budget = 62500000 WHERE function_code = '5.28.20' AND year = 2024 AND month = 2`);
  });

  it('separate forecast ids', async () => {
    expect(await value('budget.forecast_linear')).toEqual({ '5.28.20': 59_400_003, '5.28.21': 36_000_000, '5.57.72': null });
    expect(await value('budget.forecast_activity')).toEqual({ '5.28.20': 10_550_000.5, '5.28.21': 3_198_000, '5.57.72': null });
  });

  it('a zero budget gives no share and no light', async () => {
    await db.pool.query(`UPDATE budget_line SET corrected_budget = 0 WHERE function_code = '5.28.21' AND year = 2024`);
    const line = ((await value('budget.function')) as Record<string, Record<string, unknown>>)['5.28.21'];
    expect(line).toMatchObject({ budget: 0, deviation: 36_000_000, deviationShare: null, light: null });
  });

  it('counts no month still running as spent (second edition): D = 28-02-2024 gives m = 1', async () => {
    const lines = (await kpiValue(() => db, '2024-02-28')('budget.function')) as Record<string, Record<string, unknown>>;
    // 5.28.20: January's spend only; F = 4,800,000.50 × 12 = 57,600,006. B is the latest month's value,
    // February's 62,500,000, though February still runs (only its spend is kept out): F − B = −4,899,994.
    expect(lines['5.28.20']).toMatchObject({
      budget: 62_500_000,
      month: 1,
      spent: 4_800_000.5,
      forecastLinear: 57_600_006,
      deviation: -4_899_994,
      light: 'green',
    });
    expect(lines['5.28.21']).toMatchObject({ month: 1, spent: 3_000_000 });
    const curve = (await kpiValue(() => db, '2024-02-28')('budget.spend_curve')) as Record<string, unknown[]>;
    expect(curve['2024'].slice(0, 3)).toEqual([7_800_000.5, null, null]);
    // D in January before the 31st: no month of the year has ended, nothing is spent yet; the budget
    // is January's.
    expect(
      ((await kpiValue(() => db, '2024-01-30')('budget.function')) as Record<string, Record<string, unknown>>)['5.28.20'],
    ).toMatchObject({ budget: 60_000_000, month: null, spent: null, forecast: null, deviation: null, light: null });
    // The curve's budget line is the lines' B summed: 62,500,000 + 0 (5.28.21's, set to 0 above).
    expect(curve.budget[0]).toBe(62_500_000);
  });

  it('a mid-month D: B from the running month, S through the month before (docs/KPIS.md, "on 15 February")', async () => {
    const line = ((await kpiValue(() => db, '2024-02-15')('budget.function')) as Record<string, Record<string, unknown>>)['5.28.20'];
    // D = 15-02-2024: February runs, so m = January and S = 4,800,000.50; B = February's row by D, 62,500,000
    // (January's was 60,000,000). F = 4,800,000.50 × 12 = 57,600,006; F − B = −4,899,994 → green.
    expect(line).toMatchObject({
      budget: 62_500_000,
      month: 1,
      spent: 4_800_000.5,
      forecastLinear: 57_600_006,
      deviation: -4_899_994,
      deviationShare: -4_899_994 / 62_500_000,
      light: 'green',
    });
  });

  it('withholds from the committee an activity forecast resting on 1-4 children, and what rests on it', async () => {
    const S = { suppressed: true };
    const kpi = kpiById('budget.function')!;
    // Linear (default): only the activity forecast is withheld; the accounts and the linear forecast stay.
    const linear = kpi.suppress!(await value('budget.function')) as Record<string, Record<string, unknown>>;
    expect(linear['5.28.20']).toEqual({
      name: 'Opholdssteder mv. for børn og unge',
      budget: 62_500_000,
      month: 2,
      spent: 9_900_000.5,
      lastYear: null,
      forecastLinear: 59_400_003,
      forecastActivity: S,
      forecast: 59_400_003,
      deviation: -3_099_997,
      deviationShare: -3_099_997 / 62_500_000,
      light: 'green',
    });
    // 5.28.21 rests on Y4 and Y6: 2 children.
    expect(linear['5.28.21']).toMatchObject({ forecastActivity: S, forecast: 36_000_000 });
    expect(linear['5.57.72']).toMatchObject({ forecastActivity: null, forecast: null });
    expect(JSON.stringify(linear)).not.toMatch(/activeChildren|10550000/);
    // Activity forecast chosen: the forecast, deviation and light rest on it.
    const settings = { ...DEFAULT_SETTINGS, 'budget.forecast': 'activity' as const };
    const activity = kpi.suppress!(await value('budget.function', { settings })) as Record<string, Record<string, unknown>>;
    expect(activity['5.28.20']).toMatchObject({
      forecastActivity: S,
      forecast: S,
      deviation: S,
      deviationShare: S,
      light: null,
      forecastLinear: 59_400_003,
    });
    // The separate ids alike.
    const fa = kpiById('budget.forecast_activity')!;
    expect(
      fa.suppress!(
        await fa.compute({
          query: async (sql, p) => (await db.pool.query(sql, p)).rows,
          municipality: 461,
          asOf: '2024-02-29',
          period: { from: '2024-01-01', to: '2024-02-29' },
        }),
      ),
    ).toEqual({ '5.28.20': S, '5.28.21': S, '5.57.72': null });
    const light = kpiById('budget.light')!;
    expect(
      light.suppress!(
        await light.compute({
          query: async (sql, p) => (await db.pool.query(sql, p)).rows,
          municipality: 461,
          asOf: '2024-02-29',
          period: { from: '2024-01-01', to: '2024-02-29' },
          settings,
        }),
      ),
    ).toEqual({ '5.28.20': null, '5.28.21': null, '5.57.72': null });
  });

  it('counts no month whose spend is empty as spent, and takes B from the newest month all the same', async () => {
    // 5.28.23 in 2024: 1,000,000 spent in each of January–April (budget 12,000,000); May's row has
    // a corrected budget of 13,000,000 and an empty Forbrug (nothing booked yet).
    for (const month of [1, 2, 3, 4, 5])
      await db.pool.query(
        `INSERT INTO budget_line (municipality_code, year, month, function_code, function_name, corrected_budget, spend)
         VALUES (461, 2024, $1, '5.28.23', 'Døgninstitutioner for børn og unge', $2, $3)`,
        [month, month === 5 ? 13_000_000 : 12_000_000, month === 5 ? null : 1_000_000],
      );
    try {
      const lines = (await kpiValue(() => db, '2024-05-31')('budget.function')) as Record<string, Record<string, unknown>>;
      // m = 4, S = 4,000,000, F = 4,000,000 / 4 × 12 = 12,000,000; B = May's 13,000,000 → F − B = −1,000,000, green.
      expect(lines['5.28.23']).toMatchObject({
        budget: 13_000_000,
        month: 4,
        spent: 4_000_000,
        forecastLinear: 12_000_000,
        deviation: -1_000_000,
        light: 'green',
      });
      // Nothing booked in any month: no month, nothing spent, no forecast; the budget is still shown.
      await db.pool.query(`UPDATE budget_line SET spend = NULL WHERE function_code = '5.28.23'`);
      const empty = (await kpiValue(() => db, '2024-05-31')('budget.function')) as Record<string, Record<string, unknown>>;
      expect(empty['5.28.23']).toMatchObject({ budget: 13_000_000, month: null, spent: null, forecast: null, light: null });
    } finally {
      await db.pool.query(`DELETE FROM budget_line WHERE function_code = '5.28.23'`);
    }
  });

  it('the budget month at the year end and across a month with no data (second edition)', async () => {
    // 5.28.22 in 2024: spend 100,000 in each of January–September, November and December (no row
    // for October), corrected budget 1,200,000 in every month with a row. Removed again below.
    const months = [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12];
    for (const month of months)
      await db.pool.query(
        `INSERT INTO budget_line (municipality_code, year, month, function_code, function_name, corrected_budget, spend)
         VALUES (461, 2024, $1, '5.28.22', 'Plejefamilier', 1200000, 100000)`,
        [month],
      );
    const line = async (d: string) =>
      ((await kpiValue(() => db, d)('budget.function')) as Record<string, Record<string, unknown>>)['5.28.22'];
    try {
      // D = 01-12-2024: December is still running, November has ended and has data → m = 11.
      // S = 10 months × 100,000 = 1,000,000 (October has no row); F = 1,000,000 / 11 × 12.
      expect(await line('2024-12-01')).toMatchObject({ month: 11, spent: 1_000_000, forecastLinear: (1_000_000 / 11) * 12 });
      // D = 30-11-2024: the last day of November → November counts; the same figures as on 1 December.
      expect(await line('2024-11-30')).toMatchObject({ month: 11, spent: 1_000_000 });
      // D = 29-11-2024: October is the newest ended month but has no row → m = 9; S = 900,000; F = 900,000 / 9 × 12 = 1,200,000 = B → green.
      expect(await line('2024-11-29')).toMatchObject({ month: 9, spent: 900_000, forecastLinear: 1_200_000, light: 'green' });
      // D = 31-12-2024: the year's last day → December counts; S = 11 × 100,000; F = S (m = 12, no forecast left).
      expect(await line('2024-12-31')).toMatchObject({
        month: 12,
        spent: 1_100_000,
        forecastLinear: 1_100_000,
        forecastActivity: 1_100_000,
      });
      // D = 30-12-2024: December still running → m = 11 as on 1 December.
      expect(await line('2024-12-30')).toMatchObject({ month: 11, spent: 1_000_000 });
    } finally {
      await db.pool.query(`DELETE FROM budget_line WHERE function_code = '5.28.22'`);
    }
  });
});
