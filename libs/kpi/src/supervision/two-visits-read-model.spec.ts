import { beforeAll, describe, expect, it } from 'vitest';
import { buildReadModels } from '@bu/db';
import { kpiById, type KpiContext } from '@bu/kpi';
import { deadlinesFixture, expectFactsOnBothPaths, heldDays, onBothPaths } from '../../../../test/support/kpi';
import { DEFAULT_SETTINGS } from '../settings';

// supervision.two_visits_share from the read model two_visits_day (ADR 0110), against the facts, at
// every day caseload_day holds and for every scope, and from the facts at any other D. Besides the
// fixture's placements (Y5 on C7 and Y8 on C9, Team Syd; Y1 too recent), written here:
// - pv1, a child with placements on cases of two teams and of none: PV1 (CV1, Team Nord), PV2 (CV2,
//   Team Syd, ending on the held day 31-01-2024) and PV8 (the other case system's CV5, no team), a
//   visit on each;
// - pv2, a placement (CV3, never assigned: the intake team) that began on 28-02-2023, exactly
//   12 months before the leap day 29-02-2024, with visits on both ends of that window;
// - pv3, a placement whose case moves from Team Nord to Team Syd on 01-07-2023, one visit on it and
//   two on a preventive measure of the same case (not supervision of a placement), and a placement
//   of Team Nord's too recent to make the child judged;
// - pv4, the other case system's case with the case number CV1, no assignment (the intake team);
// - a placement on a case the case table does not know (nobody to judge).
const D = '2024-04-30';
const KPI = kpiById('supervision.two_visits_share')!;
const SCOPES: (string[] | undefined)[] = [undefined, ['Team Nord'], ['Team Syd'], ['Modtagelsen'], ['Team Nord', 'Team Syd'], ['Team Øst']];

describe('supervision.two_visits_share from the read model', () => {
  const { db, ctx } = deadlinesFixture(D);
  let held: string[] = [];

  beforeAll(async () => {
    const q = (sql: string) => db().pool.query(sql);
    await q(`INSERT INTO child_case (municipality_code, source, case_id, person_id, area, opened, closed) VALUES
      (461, 'dubu', 'CV1', 'pv1', 'Udsatte', '2021-01-01', NULL),
      (461, 'dubu', 'CV2', 'pv1', 'Udsatte', '2022-01-01', NULL),
      (461, 'dubu', 'CV3', 'pv2', 'Handicap', '2023-01-01', NULL),
      (461, 'dubu', 'CV4', 'pv3', 'Udsatte', '2020-06-01', NULL),
      (461, 'csc', 'CV1', 'pv4', 'Udsatte', '2019-01-01', NULL),
      (461, 'csc', 'CV5', 'pv1', 'Udsatte', '2022-01-01', NULL),
      (461, 'dubu', 'CV6', 'pv3', 'Udsatte', '2023-12-01', NULL)`);
    await q(`INSERT INTO assignment (municipality_code, source, case_id, worker_id, valid_from, valid_to) VALUES
      (461, 'dubu', 'CV1', 'AA', '2021-01-01', NULL),
      (461, 'dubu', 'CV2', 'CC', '2022-01-01', NULL),
      (461, 'dubu', 'CV4', 'AA', '2020-06-01', '2023-06-30'),
      (461, 'dubu', 'CV4', 'CC', '2023-07-01', NULL),
      (461, 'dubu', 'CV6', 'AA', '2023-12-01', NULL)`);
    await q(`INSERT INTO measure (municipality_code, source, measure_id, case_id, measure_type, family, started, ended, monthly_cost) VALUES
      (461, 'dubu', 'PV1', 'CV1', 'Plejefamilie', 'placement', '2022-01-01', NULL, 30000),
      (461, 'dubu', 'PV2', 'CV2', 'Døgninstitution', 'placement', '2022-06-01', '2024-01-31', 80000),
      (461, 'dubu', 'PV3', 'CV3', 'Opholdssted', 'placement', '2023-02-28', NULL, 60000),
      (461, 'dubu', 'PV4', 'CV4', 'Plejefamilie', 'placement', '2021-01-01', NULL, 30000),
      (461, 'dubu', 'PV5', 'CV4', 'Aflastning', 'preventive', '2021-01-01', NULL, 4000),
      (461, 'csc', 'PV6', 'CV1', 'Opholdssted', 'placement', '2020-01-01', NULL, 50000),
      (461, 'dubu', 'PV7', 'CX9', 'Døgninstitution', 'placement', '2020-01-01', NULL, 90000),
      (461, 'csc', 'PV8', 'CV5', 'Plejefamilie', 'placement', '2022-03-01', NULL, 30000),
      (461, 'dubu', 'PV9', 'CV6', 'Aflastning', 'placement', '2024-01-01', NULL, 6000)`);
    await q(`INSERT INTO supervision_visit (municipality_code, source, measure_id, visit_date, talked_alone) VALUES
      (461, 'dubu', 'PV1', '2023-02-28', true),
      (461, 'dubu', 'PV2', '2024-01-31', false),
      (461, 'dubu', 'PV3', '2023-02-28', true),
      (461, 'dubu', 'PV3', '2024-02-29', true),
      (461, 'dubu', 'PV4', '2023-08-01', NULL),
      (461, 'dubu', 'PV5', '2023-06-01', true),
      (461, 'dubu', 'PV5', '2023-07-01', true),
      (461, 'csc', 'PV6', '2023-05-01', true),
      (461, 'csc', 'PV6', '2023-11-01', true),
      (461, 'dubu', 'PV7', '2023-05-01', true),
      (461, 'dubu', 'PV7', '2023-11-01', true),
      (461, 'csc', 'PV8', '2024-03-15', true)`);
    expect(await buildReadModels(db().pool, 461)).not.toBeNull();
    held = await heldDays(db().pool);
  });

  /** The share in every scope on both paths, and how many statements read the read model. */
  const bothPaths = (over: Partial<KpiContext>) =>
    onBothPaths(ctx, over, (context) => Promise.all(SCOPES.map((teams) => KPI.compute({ ...context, teams }))), /two_visits_day/);

  it('gives what the facts give at every day it holds, in every scope', async () => {
    expect(held).toHaveLength(37);
    let judged = 0;
    for (const asOf of held) {
      const both = await bothPaths({ asOf });
      expect(both.readWithMemo, asOf).toBe(SCOPES.length);
      expect(both.readAlone, asOf).toBe(SCOPES.length);
      expectFactsOnBothPaths(both, asOf);
      judged += both.facts.filter((v) => v !== null).length;
    }
    // Not a comparison of empty answers only.
    expect(judged).toBeGreaterThan(100);
  });

  it('applies the intake team when read', async () => {
    const settings = { ...DEFAULT_SETTINGS, intake_team: 'Team Nord' };
    for (const asOf of ['2024-01-31', '2024-02-29', '2024-03-31']) {
      const both = await bothPaths({ asOf, settings });
      expect([both.readWithMemo, both.readAlone], asOf).toEqual([SCOPES.length, SCOPES.length]);
      expectFactsOnBothPaths(both, asOf);
    }
    // 29-02-2024 with the intake team Team Nord: pv1 (PV1), pv2 and pv4 (no team), each with two visits.
    expect(await KPI.compute(ctx({ asOf: '2024-02-29', settings, teams: ['Team Nord'], readModels: true }))).toBe(1);
  });

  it('reads the facts at any other D, with the same answers', async () => {
    for (const asOf of ['2024-02-28', '2024-01-30', '2023-06-15', '2024-05-31']) {
      const both = await bothPaths({ asOf });
      expect(both.readWithMemo + both.readAlone, asOf).toBe(0);
      expectFactsOnBothPaths(both, asOf);
    }
  });

  it('by hand at held days', async () => {
    const at = (asOf: string) => Promise.all(SCOPES.map((teams) => KPI.compute(ctx({ asOf, teams, readModels: true }))));
    // 31-01-2024 (the window from 31-01-2023): judged are C7's and C9's children (Team Syd), pv1
    // (PV1, Team Nord; PV2, Team Syd, which ends that day; PV8, no team), pv3 (Team Syd since
    // 01-07-2023; its Team Nord placement PV9 is too recent) and pv4 (the intake team); not pv2 (from
    // 28-02-2023). Two visits: C7's child (15-09 and 30-10-2023), pv1 (28-02-2023 and 31-01-2024) and
    // pv4; C9's child and pv3 one each (pv3's preventive measure's visits are not supervision of a
    // placement). pv1 counts once where two of its teams are in scope, and is the intake team's too.
    expect(await at('2024-01-31')).toEqual([3 / 5, 1, 2 / 4, 2 / 2, 2 / 4, null]);
    // 29-02-2024 (the window from 28-02-2023): PV2 has ended, so pv1 is Team Nord's and the intake
    // team's, its two visits still in the window; pv2 is judged, both its visits on the window's ends.
    expect(await at('2024-02-29')).toEqual([4 / 6, 1, 1 / 3, 3 / 3, 2 / 4, null]);
    // 31-03-2024 (the window from 31-03-2023): pv2 is down to one visit; pv1 has two again with the
    // other case system's visit on 15-03-2024.
    expect(await at('2024-03-31')).toEqual([3 / 6, 1, 1 / 3, 2 / 3, 2 / 4, null]);
  });
});
