import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu } from '@bu/etl';
import type { KpiContext } from '@bu/kpi';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../../../../test/support/database';
import { DUBU_SMALL, DUBU_SMALL_D } from '../../../../test/support/fixtures';
import { deadlinesFixture, kpiValue } from '../../../../test/support/kpi';

// caseload.open_cases (KPIS.md): per caseworker, distinct children whose case is open at D and
// whose responsible caseworker at D is that worker. Expected values worked out by hand from
// test/fixtures/dubu-small (see the case-by-case notes below).
describe('caseload.open_cases', () => {
  let db: TestDatabase;
  /** The figure at D, from the facts and from the read models (ADR 0074; both must agree). */
  const openCases = (asOf: string, over: Partial<KpiContext> = {}) => kpiValue(() => db, asOf)('caseload.open_cases', over);

  beforeAll(async () => {
    db = await createTestDatabase();
    await importDubu(db.pool, DUBU_SMALL, { pseudonymSecret: TEST_SECRET, exportDate: DUBU_SMALL_D });
  });
  afterAll(async () => db?.drop());

  it('at D = 29-02-2024 (leap day)', async () => {
    // AB: S1 and S2 are the same child (CPR with and without dash) → 1; S11 (Til = D, inclusive) → 1.
    //     S4 closed 28-02 (before D); S8 taken over by EF 01-02 (latest Fra wins); S9 ended 28-02; S10 cover ended 15-02.
    // CD: S5 — CD left 31-01-2024 but still holds the case (listed: holds open cases).
    // EF: S3 (closed on D: still open), S7 (from 01-01-2024), S8 (latest Fra), S10 (AB's cover over, EF's runs to 2024-12-31).
    // IJ: Rådgiver employed at D with no cases → 0.  GH starts 01-03-2024 → not listed. TL is Teamleder → not listed.
    expect(await openCases('2024-02-29')).toEqual({ AB: 2, CD: 1, EF: 4, IJ: 0 });
  });

  it('the day after: cases closed on D drop out, a case opened and an employment started count', async () => {
    // AB: S1/S2 (child A), S6 (opened and assigned 01-03) → 2; S11's assignment ended 29-02 → unassigned.
    // EF: S7, S8, S10 → 3 (S3 closed 29-02). GH employed from 01-03 → 0.
    expect(await openCases('2024-03-01')).toEqual({ AB: 2, CD: 1, EF: 3, GH: 0, IJ: 0 });
  });

  it('before a month end: 31-01-2024', async () => {
    // AB: S1 (A), S4, S8, S9, S11 → 5 children; S2 not opened yet; S7 moved to EF 01-01-2024.
    // CD: S5 (opened 31-01, assigned 31-01; CD still employed to 31-01) → 1.
    // EF: S3, S7, S10 → 3.  IJ employed from 01-01-2024 → 0.
    expect(await openCases('2024-01-31')).toEqual({ AB: 5, CD: 1, EF: 3, IJ: 0 });
  });

  it("scopes a team leader to the team's caseworkers", async () => {
    // The counts at 29-02 above, split by the caseworkers' teams: EF and IJ are Team Syd's, AB and CD Team Nord's.
    expect(await openCases('2024-02-29', { teams: ['Team Syd'] })).toEqual({ EF: 4, IJ: 0 });
    expect(await openCases('2024-02-29', { teams: ['Team Nord'] })).toEqual({ AB: 2, CD: 1 });
  });

  it('gives an empty object for a municipality with no data', async () => {
    // København (101) has no cases and no caseworkers: nobody is listed.
    expect(await openCases('2024-02-29', { municipality: 101 })).toEqual({});
  });
});

// The team leader's figures on test/fixtures/dubu-deadlines at D = 30-04-2024 (a month end),
// P = 01-01-2024..30-04-2024. Every expected value is worked out by hand in the comments.
const D = '2024-04-30';
describe('team leader KPIs (caseload and deadlines)', () => {
  const { value } = deadlinesFixture(D);

  describe('caseload', () => {
    it('caseload.open_cases: AA holds C1-C4; BB (left 31-03) still holds C5; CC holds C7 and C9', async () => {
      expect(await value('caseload.open_cases')).toEqual({ AA: 4, BB: 1, CC: 2 });
    });

    it("scopes the lists to the team leader's team", async () => {
      expect(await value('caseload.open_cases', { teams: ['Team Syd'] })).toEqual({ CC: 2 });
      expect(
        ((await value('caseload.unassigned', { teams: ['Modtagelsen'] })) as { rows: { case: string }[] }).rows.map((r) => r.case),
      ).toEqual(['C8']);
    });
  });
});
