import { join } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu, importEconomy } from '@bu/etl';
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

  it('budget.spend_curve: spend to date per month, this year against last year', async () => {
    // 2024 (D = 29-02): January 4,800,000.50 (5.28.20) + 3,000,000 (5.28.21) = 7,800,000.50; February
    // + 5,100,000 (5.28.21's February row was rejected) = 12,900,000.50; March on is after D.
    // 2023: only December, 900,000 (5.57.72): nothing booked January-November. Month 13 and
    // municipality 999 are not Odense's months.
    expect(await value('budget.spend_curve')).toEqual({
      '2023': [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 900_000],
      '2024': [7_800_000.5, 12_900_000.5, null, null, null, null, null, null, null, null, null, null],
    });
  });
});
