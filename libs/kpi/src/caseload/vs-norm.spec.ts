import { join } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu } from '@bu/etl';
import { kpiById, type KpiContext } from '@bu/kpi';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../../../../test/support/database';
import { FIXTURES } from '../../../../test/support/fixtures';

// The team leader's figures on test/fixtures/dubu-deadlines at D = 30-04-2024 (a month end),
// P = 01-01-2024..30-04-2024. Every expected value is worked out by hand in the comments.
const D = '2024-04-30';
describe('team leader KPIs (caseload and deadlines)', () => {
  let db: TestDatabase;
  const ctx = (over: Partial<KpiContext> = {}): KpiContext => ({
    query: async (sql, params) => (await db.pool.query(sql, params)).rows,
    municipality: 461,
    asOf: D,
    period: { from: '2024-01-01', to: D },
    ...over,
  });
  const value = (id: string, over: Partial<KpiContext> = {}) => kpiById(id)!.compute(ctx(over));

  beforeAll(async () => {
    db = await createTestDatabase();
    const result = await importDubu(db.pool, join(FIXTURES, 'dubu-deadlines'), { pseudonymSecret: TEST_SECRET, exportDate: D });
    expect(result.rejected).toEqual([]);
  });
  afterAll(async () => db?.drop());

  describe('caseload', () => {
    it('caseload.vs_norm: Σ children per area / norm (Udsatte 40, Handicap 55)', async () => {
      // AA: Udsatte C1, C2, C4 = 3/40 + Handicap C3 = 1/55; BB: 1/40; CC: 2/40
      const ratio = (await value('caseload.vs_norm')) as Record<string, number>;
      expect(ratio.AA).toBeCloseTo(3 / 40 + 1 / 55, 12);
      expect(ratio.BB).toBeCloseTo(1 / 40, 12);
      expect(ratio.CC).toBeCloseTo(2 / 40, 12);
      expect(kpiById('caseload.vs_norm')!.light!({ 'caseload.light': { green: 1, yellow: 1.15 } } as never)).toEqual({
        green: 1,
        yellow: 1.15,
      });
    });
  });
});
