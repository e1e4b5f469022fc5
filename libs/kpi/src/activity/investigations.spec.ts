import { join } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu, importStatistics } from '@bu/etl';
import { kpiValue } from '../../../../test/support/kpi';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../../../../test/support/database';
import { FIXTURES } from '../../../../test/support/fixtures';

// The chief's figures on test/fixtures/dubu-chief (dubu-deadlines plus N8, effect measurements and
// complaints) at D = 30-04-2024, P = 01-01-2024..30-04-2024; population from statistics-small
// (Odense, 0-17 år: 2023 40,000; 2024 40,100). Expected values are worked out in the comments.
const D = '2024-04-30';
describe('chief KPIs (activity, duration, cost, effect, complaints)', () => {
  let db: TestDatabase;
  const value = kpiValue(() => db, D);

  beforeAll(async () => {
    db = await createTestDatabase();
    expect((await importDubu(db.pool, join(FIXTURES, 'dubu-chief'), { pseudonymSecret: TEST_SECRET, exportDate: D })).rejected).toEqual([]);
    await importStatistics(db.pool, join(FIXTURES, 'statistics-small'), { pseudonymSecret: TEST_SECRET });
  });
  afterAll(async () => db?.drop());

  it('investigations started (I1, I5, I6) and completed (I3, I4, I5) in P', async () => {
    expect(await value('activity.investigations_started')).toBe(3); // I1, I5, I6
    expect(await value('activity.investigations_completed')).toBe(3); // I3, I4, I5
  });
});
