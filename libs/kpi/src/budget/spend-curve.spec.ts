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

  // The budget: 5.28.20's February corrected budget 62,500,000 + 5.28.21's January 40,000,000 (its
  // newest month with data) = 102,500,000; 5.57.72 has no budget this year. Every month the same.
  const BUDGET = Array.from({ length: 12 }, () => 102_500_000);

  it('budget.spend_curve: spend to date per month, this year against last year, the budget and the forecast', async () => {
    // 2024 (D = 29-02): January 4,800,000.50 (5.28.20) + 3,000,000 (5.28.21) = 7,800,000.50; February
    // + 5,100,000 (5.28.21's February row was rejected) = 12,900,000.50; March on is after D.
    // 2023: only December, 900,000 (5.57.72): nothing booked January-November. Month 13 and
    // municipality 999 are not Odense's months.
    // Forecast (linear, the default): m = 2, S = 12,900,000.50; F = 59,400,003 (5.28.20: 9,900,000.50
    // / 2 × 12) + 36,000,000 (5.28.21: 3,000,000 / 1 × 12) = 95,400,003. Month k = S + (F − S) ×
    // (k − 2) / 10, a step of 82,500,002.50 / 10 = 8,250,000.25: March 21,150,000.75, April
    // 29,400,001, …, December 12,900,000.50 + 82,500,002.50 = 95,400,003.
    const step = 8_250_000.25;
    expect(await value('budget.spend_curve')).toEqual({
      '2023': [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 900_000],
      '2024': [7_800_000.5, 12_900_000.5, null, null, null, null, null, null, null, null, null, null],
      budget: BUDGET,
      forecast: [null, 12_900_000.5, ...Array.from({ length: 10 }, (_, i) => 12_900_000.5 + step * (i + 1))],
    });
    const forecast = ((await value('budget.spend_curve')) as Record<string, number[]>).forecast;
    expect(forecast.slice(2, 4)).toEqual([21_150_000.75, 29_400_001]);
    expect(forecast[11]).toBe(95_400_003);
  });

  it('draws the forecast the setting chooses, and withholds from the committee one resting on 1-4 children', async () => {
    // Activity: F = 10,550,000.50 (5.28.20) + 3,198,000 (5.28.21) = 13,748,000.50 (budget.spec.ts works
    // both out); F − S = 848,000 → 84,800 a month from February's 12,900,000.50 to December.
    const settings = { ...DEFAULT_SETTINGS, 'budget.forecast': 'activity' as const };
    const curve = (await value('budget.spend_curve', { settings })) as Record<string, unknown[]>;
    expect(curve.forecast).toEqual([null, 12_900_000.5, ...Array.from({ length: 10 }, (_, i) => 12_900_000.5 + 84_800 * (i + 1))]);
    expect(curve.forecast[11]).toBe(13_748_000.5);
    // 5.28.20's activity forecast rests on one child (Y5): the committee sees the spend to date at
    // February, and no month of the forecast after it. The budget and the years stay.
    const S = { suppressed: true };
    const shown = kpiById('budget.spend_curve')!.suppress!(curve) as Record<string, unknown[]>;
    expect(shown.forecast).toEqual([null, 12_900_000.5, ...Array.from({ length: 10 }, () => S)]);
    expect(shown.budget).toEqual(BUDGET);
    expect(shown['2024']).toEqual(curve['2024']);
    // Linear (the default) rests on the accounts only: the committee sees it whole.
    const linear = await value('budget.spend_curve');
    expect(kpiById('budget.spend_curve')!.suppress!(linear)).toEqual(linear);
  });

  it('has no spend or forecast before a month of the year has ended, and the budget of the month running', async () => {
    // D = 30-01-2024: no month of 2024 has ended (second edition), so no spend and no forecast; the
    // budget is January's corrected budgets, 60,000,000 (5.28.20) + 40,000,000 (5.28.21).
    const none = Array.from({ length: 12 }, () => null);
    expect(await kpiValue(() => db, '2024-01-30')('budget.spend_curve')).toMatchObject({
      '2024': none,
      budget: Array.from({ length: 12 }, () => 100_000_000),
      forecast: none,
    });
    // D = 31-12-2024: m = 12, the forecast is December's point only. 5.28.20: S = 9,900,000.50 over m = 2 → F = 59,400,003;
    // 5.28.21: 3,000,000 over m = 1 → 36,000,000. The spend to date stays at 12,900,000.50 from February on.
    const december = (await kpiValue(() => db, '2024-12-31')('budget.spend_curve')) as Record<string, unknown[]>;
    expect(december['2024'][11]).toBe(12_900_000.5);
    expect(december.forecast).toEqual([...Array.from({ length: 11 }, () => null), 95_400_003]);
  });

  it("withholds December's point from the committee at D = 31-12 when it forecasts a withheld line", async () => {
    // Activity at D = 31-12-2024, m = 12: December's point is the lines' forecasts summed (neither line
    // has December's spend), not the spend to date; 5.28.20's rests on one child (Y5). Shown, it would
    // give 5.28.20's forecast as the point less 5.28.21's, which budget.function shows.
    const settings = { ...DEFAULT_SETTINGS, 'budget.forecast': 'activity' as const };
    const december = (await kpiValue(() => db, '2024-12-31')('budget.spend_curve', { settings })) as Record<string, unknown[]>;
    expect(december.forecast[11]).not.toBe(december['2024'][11]);
    const shown = kpiById('budget.spend_curve')!.suppress!(december) as Record<string, unknown[]>;
    expect(shown.forecast).toEqual([...Array.from({ length: 11 }, () => null), { suppressed: true }]);
    expect(shown['2024']).toEqual(december['2024']);
  });
});
