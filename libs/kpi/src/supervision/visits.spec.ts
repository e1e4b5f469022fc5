import { describe, expect, it } from 'vitest';
import { buildReadModels } from '@bu/db';
import { deadlinesFixture } from '../../../../test/support/kpi';

// Supervision visits on test/fixtures/dubu-deadlines at D = 30-04-2024. Placements active at D:
// Y1 (C1, Plejefamilie, from 01-02-2024), Y5 (C7, Opholdssted, from 01-03-2022), Y8 (C9,
// Døgninstitution, from 01-01-2023). Visits: Y5 15-09-2023 and 30-10-2023 (alone), Y8 29-10-2023 (not alone).
const D = '2024-04-30';
describe('supervision KPIs', () => {
  const fixture = deadlinesFixture(D);
  const { value } = fixture;

  it('supervision.two_visits_share: placed since D − 12 months or longer, two visits in the window', async () => {
    // D − 12 months = 30-04-2023. Judged: C7's child (Y5) and C9's child (Y8); Y1 started 01-02-2024 is too recent.
    // C7: 2 visits in 30-04-2023 .. 30-04-2024 → met. C9: 1 visit → not. 1 / 2.
    expect(await value('supervision.two_visits_share')).toBe(0.5);
    // Team Nord holds no judged placement: nothing to divide by.
    expect(await value('supervision.two_visits_share', { teams: ['Team Nord'] })).toBeNull();
    expect(await value('supervision.two_visits_share', { teams: ['Team Syd'] })).toBe(0.5);
  });

  it('supervision.talked_alone_share: visits dated in P where the caseworker talked alone with the child', async () => {
    // P = 01-01-2024 .. 30-04-2024: no visit → null, never 0.
    expect(await value('supervision.talked_alone_share')).toBeNull();
    // P = 2023: Y5's two visits alone, Y8's not → 2 / 3.
    expect(await value('supervision.talked_alone_share', { period: { from: '2023-01-01', to: '2023-12-31' } })).toBeCloseTo(2 / 3, 10);
    // The window's end: P = 15-09-2023 .. 29-10-2023 holds Y5's first visit and Y8's → 1 / 2.
    expect(await value('supervision.talked_alone_share', { period: { from: '2023-09-15', to: '2023-10-29' } })).toBe(0.5);
    // The scope: C7 and C9 are Team Syd's cases at D (their team looked up only with a scope).
    const p2023 = { from: '2023-01-01', to: '2023-12-31' };
    expect(await value('supervision.talked_alone_share', { period: p2023, teams: ['Team Syd'] })).toBeCloseTo(2 / 3, 10);
    expect(await value('supervision.talked_alone_share', { period: p2023, teams: ['Team Nord'] })).toBeNull();
  });

  it('counts a visit on a measure that is no placement in talked_alone_share, not in two_visits_share', async () => {
    const { db } = fixture;
    // Y4 (C5, Familiebehandling: preventive) gets a visit on 01-12-2023, alone. P = 2023: 2 + 1 alone
    // of 3 + 1 visits → 3 / 4. C5's child has no placement: two_visits_share stays 1 / 2.
    await db().pool.query(
      `INSERT INTO supervision_visit (municipality_code, source, measure_id, visit_date, talked_alone) VALUES (461, 'dubu', 'Y4', '2023-12-01', true)`,
    );
    await buildReadModels(db().pool, 461);
    try {
      expect(await value('supervision.talked_alone_share', { period: { from: '2023-01-01', to: '2023-12-31' } })).toBe(0.75);
      expect(await value('supervision.two_visits_share')).toBe(0.5);
    } finally {
      await db().pool.query(`DELETE FROM supervision_visit WHERE measure_id = 'Y4'`);
      await buildReadModels(db().pool, 461);
    }
  });

  it("counts two visits on one day on two of the child's placements as two visits", async () => {
    const { db } = fixture;
    // C9's child gets a second placement Y9 (a copy of Y8, 01-06-2023 .. 31-12-2023) with a visit on
    // 29-10-2023, the day of Y8's one visit. C9: 2 visits in 30-04-2023 .. 30-04-2024 → met; C7 met
    // as before → 2 / 2 = 1 (were the day counted once: 1 / 2).
    try {
      await db().pool.query(
        `INSERT INTO measure (municipality_code, source, measure_id, case_id, legal_basis, law, paragraph, measure_type, family, family_care, started, ended)
         SELECT municipality_code, source, 'Y9', case_id, legal_basis, law, paragraph, measure_type, family, family_care, '2023-06-01', '2023-12-31'
         FROM measure WHERE measure_id = 'Y8'`,
      );
      await db().pool.query(
        `INSERT INTO supervision_visit (municipality_code, source, measure_id, visit_date, talked_alone) VALUES (461, 'dubu', 'Y9', '2023-10-29', true)`,
      );
      expect(await value('supervision.two_visits_share')).toBe(1);
    } finally {
      await db().pool.query(`DELETE FROM supervision_visit WHERE measure_id = 'Y9'`);
      await db().pool.query(`DELETE FROM measure WHERE measure_id = 'Y9'`);
    }
  });

  it('judges a child placed without a break by the placement active at D: under 12 months old, not judged', async () => {
    const { db } = fixture;
    // C1's child gets an earlier placement Y9 (a copy of Y5, Opholdssted) 01-01-2023 .. 31-01-2024, the
    // day before Y1 (Plejefamilie) starts on 01-02-2024: placed without a break since 01-01-2023, with
    // two visits on Y9 in the window (01-06-2023, 01-12-2023). The placement active at D is Y1, which
    // started after D − 12 months = 30-04-2023, and Y9 is not active at D → C1's child is not judged:
    // still C7 met, C9 not → 1 / 2 (judging the stay as a whole would give 2 / 3).
    try {
      await db().pool.query(
        `INSERT INTO measure (municipality_code, source, measure_id, case_id, legal_basis, law, paragraph, measure_type, family, family_care, started, ended)
         SELECT municipality_code, source, 'Y9', 'C1', legal_basis, law, paragraph, measure_type, family, family_care, '2023-01-01', '2024-01-31'
         FROM measure WHERE measure_id = 'Y5'`,
      );
      await db().pool.query(
        `INSERT INTO supervision_visit (municipality_code, source, measure_id, visit_date, talked_alone)
         VALUES (461, 'dubu', 'Y9', '2023-06-01', true), (461, 'dubu', 'Y9', '2023-12-01', true)`,
      );
      expect(await value('supervision.two_visits_share')).toBe(0.5);
      // At D = 31-01-2024 Y9 is the placement active, started 01-01-2023 <= D − 12 months = 31-01-2023:
      // C1's child is judged, with Y9's two visits in 31-01-2023 .. 31-01-2024 → met; C7 met; C9 (Y8,
      // from 01-01-2023) has one → 2 / 3 (without Y9: 1 / 2).
      expect(await value('supervision.two_visits_share', { asOf: '2024-01-31' })).toBeCloseTo(2 / 3, 10);
    } finally {
      await db().pool.query(`DELETE FROM supervision_visit WHERE measure_id = 'Y9'`);
      await db().pool.query(`DELETE FROM measure WHERE measure_id = 'Y9'`);
    }
  });

  it('knows no visit dated after D, and counts a visit without a note on talking alone as not alone', async () => {
    const { db } = fixture;
    // Y8 (C9): a visit on D itself (30-04-2024, no note on talking alone) and one after D (10-05-2024, alone).
    await db().pool.query(
      `INSERT INTO supervision_visit (municipality_code, source, measure_id, visit_date, talked_alone)
       VALUES (461, 'dubu', 'Y8', '2024-04-30', NULL), (461, 'dubu', 'Y8', '2024-05-10', true)`,
    );
    await buildReadModels(db().pool, 461);
    try {
      const year = { period: { from: '2024-01-01', to: '2024-12-31' } };
      // P = 2024, D = 30-04-2024: the visit on D is known, not alone; the one after D is not known → 0 / 1.
      expect(await value('supervision.talked_alone_share', year)).toBe(0);
      // C9 now has 2 visits in 30-04-2023 .. 30-04-2024 (the window's closed end): both judged children met → 1.
      expect(await value('supervision.two_visits_share')).toBe(1);
      // At D = 29-04-2024 neither new visit is known: C9 has 1 → 1 / 2, and 2024 has no visit by D → null.
      expect(await value('supervision.two_visits_share', { asOf: '2024-04-29' })).toBe(0.5);
      expect(await value('supervision.talked_alone_share', { asOf: '2024-04-29', ...year })).toBeNull();
    } finally {
      await db().pool.query(`DELETE FROM supervision_visit WHERE measure_id = 'Y8' AND visit_date >= '2024-04-30'`);
      await buildReadModels(db().pool, 461);
    }
  });
});
