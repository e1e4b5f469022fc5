import { join } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu } from '@bu/etl';
import { DEFAULT_SETTINGS, kpiById, type KpiContext } from '@bu/kpi';
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
    it('caseload.weighted: the highest weight per child', async () => {
      // AA: C1 placement 1.5 + C2 open investigation 1.2 (Y7 "ukendt" is no measure here)
      //     + C3 preventive Aflastning 1.0 (Merudgifter is no measure here) + C4 nothing 0.5 = 4.2
      //     (C4's investigation I2 is still open at D: 1.2, not 0.5 → 4.9)
      // BB: C5 open investigation I6 1.2 beats preventive Y4 1.0 → 1.2
      // CC: C7 placement Y5 1.5 + C9 placement Y8 1.5 = 3.0
      const weighted = (await value('caseload.weighted')) as Record<string, number>;
      expect(weighted.AA).toBeCloseTo(4.9, 10);
      expect(weighted.BB).toBeCloseTo(1.2, 10);
      expect(weighted.CC).toBeCloseTo(3.0, 10);
      expect(Object.keys(weighted).sort()).toEqual(['AA', 'BB', 'CC']);
    });

    it('honours the weights and norms from the settings', async () => {
      const settings = {
        ...DEFAULT_SETTINGS,
        'caseload.weights': { placement: 2, investigation: 1, preventive: 1, none: 0 },
        'caseload.norms': { Udsatte: 20, Handicap: 10 },
        'caseload.light': { green: 1, yellow: 1.15 },
        intake_team: 'Modtagelsen',
        'followup.default_cadence_months': 6,
      };
      // AA: 2 + 1 + 1 + 1 (C4: open investigation) = 5; CC: 2 + 2 = 4
      expect(await value('caseload.weighted', { settings })).toEqual({ AA: 5, BB: 1, CC: 4 });
      expect(((await value('caseload.vs_norm', { settings })) as Record<string, number>).AA).toBeCloseTo(3 / 20 + 1 / 10, 12);
    });
  });
});
