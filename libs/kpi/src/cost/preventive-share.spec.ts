import { join } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importEconomy } from '@bu/etl';
import { kpiValue } from '../../../../test/support/kpi';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../../../../test/support/database';
import { FIXTURES } from '../../../../test/support/fixtures';

// cost.preventive_share on test/fixtures/economy-small (Odense 2024: 5.28.20 spends 4,800,000.50 in
// January and 5,100,000 in February; 5.28.21 spends 3,000,000 in January — its February row is
// rejected —; 5.57.72 only in December 2023, and it is not one of 5.28.20 – 5.28.25).
describe('cost.preventive_share', () => {
  let db: TestDatabase;
  const value = (d: string, municipality = 461) => kpiValue(() => db, d)('cost.preventive_share', { municipality });

  beforeAll(async () => {
    db = await createTestDatabase();
    await importEconomy(db.pool, join(FIXTURES, 'economy-small'), { pseudonymSecret: TEST_SECRET });
  });
  afterAll(async () => db?.drop());

  it('5.28.21 over 5.28.20 – 5.28.25 through the newest ended month', async () => {
    // D = 29-02-2024 (a leap day, February's last day): m = 2.
    // 3,000,000 / (4,800,000.50 + 5,100,000 + 3,000,000) = 3,000,000 / 12,900,000.50.
    expect(await value('2024-02-29')).toBeCloseTo(3_000_000 / 12_900_000.5, 12);
    // D = 28-02-2024: February is still running → m = 1: 3,000,000 / (4,800,000.50 + 3,000,000).
    expect(await value('2024-02-28')).toBeCloseTo(3_000_000 / 7_800_000.5, 12);
  });

  it('a month with no row adds nothing, and a 5.28 function outside 5.28.20 – 5.28.25 is in neither sum', async () => {
    // Added: 5.28.22 spends 1,000,000 in January and 2,000,000 in March 2024 (no February row);
    // 5.28.26, outside 5.28.20 – 5.28.25, spends 500,000 in January.
    await db.pool.query(
      `INSERT INTO budget_line (municipality_code, year, month, function_code, function_name, corrected_budget, spend)
       VALUES (461, 2024, 1, '5.28.22', 'Plejefamilier', 12000000, 1000000), (461, 2024, 3, '5.28.22', 'Plejefamilier', 12000000, 2000000),
              (461, 2024, 1, '5.28.26', NULL, 6000000, 500000)`,
    );
    try {
      // D = 31-03-2024: m = 3. 5.28.21: 3,000,000. All: 4,800,000.50 + 5,100,000 (5.28.20) + 3,000,000
      // (5.28.21) + 1,000,000 + 2,000,000 (5.28.22) = 15,900,000.50; 5.28.26's 500,000 in neither.
      expect(await value('2024-03-31')).toBeCloseTo(3_000_000 / 15_900_000.5, 12);
      // D = 29-02-2024: m = 2, 5.28.22's missing February adds nothing and March is not yet spent:
      // 3,000,000 / (4,800,000.50 + 5,100,000 + 3,000,000 + 1,000,000) = 3,000,000 / 13,900,000.50.
      expect(await value('2024-02-29')).toBeCloseTo(3_000_000 / 13_900_000.5, 12);
    } finally {
      await db.pool.query(`DELETE FROM budget_line WHERE function_code IN ('5.28.22', '5.28.26')`);
    }
  });

  it('null when nothing has been spent on the measures yet, never 0 or NaN', async () => {
    // D = 30-01-2024: no month of 2024 has ended → nothing spent.
    expect(await value('2024-01-30')).toBeNull();
    // D = 31-12-2023: only 5.57.72 has data in 2023, which is not in the denominator.
    expect(await value('2023-12-31')).toBeNull();
    // Another municipality with no accounts.
    expect(await value('2024-02-29', 101)).toBeNull();
  });
});
