import { beforeAll, describe, expect, it } from 'vitest';
import { buildReadModels } from '@bu/db';
import { DEFAULT_SETTINGS, kpiById, type KpiContext } from '@bu/kpi';
import { deadlinesFixture, expectFactsOnBothPaths, heldDays, onBothPaths } from '../../../../test/support/kpi';

// The follow-up and supervision lists from the read model measure_deadline_day (ADR 0106), against
// the facts, at every day caseload_day holds (the month ends of three years up to the export, and the
// export date), and from the facts at any other D. Besides the fixture's measures, written here: a
// case whose caseworker, and so team, changes on 15-02-2024 (Team Vest, then Team Øst), and one
// whose changes on a held day, 31-01-2024, and one that nobody has had (the intake team's); a preventive
// measure due on the leap day (30-11-2023 + 3 months); a placement followed up on 31-08-2023 (+ 6
// months: 29-02-2024) and again on that held day, visited on 31-08-2023; a measure of unknown family;
// a placement that ends on a held day; a measure that starts on one; a cadence of one month; an
// economic benefit; and a measure on a case the case table does not know.
const D = '2024-04-30';
const LISTS = [
  'deadline.followup_overdue',
  'deadline.followup_due_soon',
  'deadline.supervision_overdue',
  'deadline.supervision_due_soon',
].map((id) => kpiById(id)!);

interface Row {
  measure: string;
  case: string;
  team: string;
  due: string;
  daysOverdue: number;
}

describe('the measures’ deadline lists from the read model', () => {
  const { db, ctx } = deadlinesFixture(D);
  let held: string[] = [];

  beforeAll(async () => {
    const q = (sql: string) => db().pool.query(sql);
    await q(`INSERT INTO caseworker (municipality_code, source, worker_id, name, team, job_title, employed_from, employed_to) VALUES
      (461, 'dubu', 'WV', 'Vera Vest', 'Team Vest', 'Rådgiver', '2020-01-01', NULL),
      (461, 'dubu', 'WO', 'Ole Øst', 'Team Øst', 'Rådgiver', '2020-01-01', NULL)`);
    await q(`INSERT INTO child_case (municipality_code, source, case_id, person_id, area, opened, closed) VALUES
      (461, 'dubu', 'CM1', 'pm1', 'Udsatte', '2023-01-01', NULL),
      (461, 'dubu', 'CM2', 'pm2', 'Handicap', '2023-01-01', NULL),
      (461, 'dubu', 'CM3', 'pm3', 'Udsatte', '2023-01-01', NULL)`);
    await q(`INSERT INTO assignment (municipality_code, source, case_id, worker_id, valid_from, valid_to) VALUES
      (461, 'dubu', 'CM1', 'WV', '2023-01-01', '2024-02-14'),
      (461, 'dubu', 'CM1', 'WO', '2024-02-15', NULL),
      (461, 'dubu', 'CM2', 'WV', '2023-01-01', '2024-01-30'),
      (461, 'dubu', 'CM2', 'WO', '2024-01-31', NULL)`);
    await q(`INSERT INTO measure (municipality_code, source, measure_id, case_id, measure_type, family, started, ended, followup_cadence_months) VALUES
      (461, 'dubu', 'MA', 'CM1', 'Familiebehandling', 'preventive', '2023-11-30', NULL, NULL),
      (461, 'dubu', 'MB', 'CM1', 'Plejefamilie', 'placement', '2023-05-31', NULL, 6),
      (461, 'dubu', 'MC', 'CM1', 'Merudgifter', 'economic', '2023-01-01', NULL, NULL),
      (461, 'dubu', 'MD', 'CM1', 'Ukendt ydelse', 'unknown', '2023-06-15', NULL, NULL),
      (461, 'dubu', 'ME', 'CM1', 'Døgninstitution', 'placement', '2023-02-28', '2024-03-31', NULL),
      (461, 'dubu', 'MG', 'CM1', 'Aflastning', 'preventive', '2024-01-31', NULL, NULL),
      (461, 'dubu', 'MH', 'CM1', 'Kontaktperson', 'preventive', '2023-12-31', NULL, 1),
      (461, 'dubu', 'MI', 'CM1', 'Mentorordning', 'preventive', '2023-06-30', NULL, NULL),
      (461, 'dubu', 'MJ', 'CM2', 'Aflastning', 'preventive', '2023-01-01', NULL, NULL),
      (461, 'dubu', 'ML', 'CM3', 'Plejefamilie', 'placement', '2023-01-01', NULL, NULL),
      (461, 'dubu', 'MX', 'CX9', 'Opholdssted', 'placement', '2023-01-01', NULL, NULL)`);
    await q(`INSERT INTO followup (municipality_code, source, measure_id, followup_date) VALUES
      (461, 'dubu', 'MB', '2023-08-31'), (461, 'dubu', 'MB', '2024-02-29'),
      (461, 'dubu', 'MH', '2024-03-31'), (461, 'dubu', 'MI', '2024-02-29'), (461, 'dubu', 'MC', '2023-02-01')`);
    await q(`INSERT INTO supervision_visit (municipality_code, source, measure_id, visit_date, talked_alone) VALUES
      (461, 'dubu', 'MB', '2023-08-31', true), (461, 'dubu', 'ME', '2023-09-30', false)`);
    expect(await buildReadModels(db().pool, 461)).not.toBeNull();
    held = await heldDays(db().pool);
    // One row a measure and day (the table has no key to say so).
    const { rows } = await db().pool.query(
      `SELECT count(*)::int AS n, count(DISTINCT (day, source, measure_id))::int AS distinct FROM measure_deadline_day`,
    );
    expect(rows[0].n).toBeGreaterThan(100);
    expect(rows[0].distinct).toBe(rows[0].n);
  });

  /** The four lists on both paths, and how many of the list statements the read model answered. */
  const bothPaths = (over: Partial<KpiContext> & { asOf: string }) =>
    onBothPaths(ctx, over, (context) => Promise.all(LISTS.map((kpi) => kpi.compute(context))), /measure_deadline_day/);

  it('gives what the facts give at every day it holds, scoped and not', async () => {
    const settings = { ...DEFAULT_SETTINGS, intake_team: 'Visitationen', 'followup.default_cadence_months': 4 };
    expect(held).toHaveLength(37);
    let listed = 0;
    for (const asOf of held) {
      for (const over of [
        {},
        { teams: ['Team Vest'] },
        { teams: ['Team Øst', 'Team Nord'] },
        { settings },
        { settings, teams: ['Visitationen'] },
      ]) {
        const at = `${asOf} ${JSON.stringify(over)}`;
        const both = await bothPaths({ ...over, asOf });
        // With the memo one statement serves each pair of lists (overdue and due soon); alone, one each.
        expect(both.readWithMemo, at).toBe(2);
        expect(both.readAlone, at).toBe(4);
        expectFactsOnBothPaths(both, at);
        listed += both.facts.reduce<number>((n, v) => n + (v as { count: number }).count, 0);
      }
    }
    // Not a comparison of empty lists only.
    expect(listed).toBeGreaterThan(100);
  });

  it('reads the facts at any other D, with the same answers', async () => {
    for (const asOf of ['2024-04-29', '2024-02-28', '2024-03-01', '2023-12-15', '2024-05-31']) {
      const both = await bothPaths({ asOf });
      expect(both.readWithMemo + both.readAlone, asOf).toBe(0);
      expectFactsOnBothPaths(both, asOf);
    }
  });

  it('lists by hand at held days', async () => {
    const list = async (kpi: number, asOf: string, over: Partial<KpiContext> = {}) =>
      ((await LISTS[kpi].compute(ctx({ asOf, readModels: true, ...over }))) as { rows: Row[] }).rows
        .filter((r) => r.case === 'CM1')
        .map(({ measure, team, due, daysOverdue }) => ({ measure, team, due, daysOverdue }));
    // 31-01-2024 (Team Vest). Follow-ups due: ME 28-05-2023 (28-02 + 3 months), MD (unknown family)
    // 15-09-2023, MI 30-09-2023 (its follow-up of 29-02-2024 not known yet); MA 29-02-2024 (30-11 + 3,
    // the leap day), MB 29-02-2024 (31-08 + its cadence of 6), MH 31-03, MG (starts on the day) 30-04:
    // none by 14-02. Supervision: D − 6 months = 31-07-2023; MB's and ME's visits hold.
    expect(await list(0, '2024-01-31')).toEqual([
      { measure: 'ME', team: 'Team Vest', due: '2023-05-28', daysOverdue: 248 },
      { measure: 'MD', team: 'Team Vest', due: '2023-09-15', daysOverdue: 138 },
      { measure: 'MI', team: 'Team Vest', due: '2023-09-30', daysOverdue: 123 },
    ]);
    expect(await list(1, '2024-01-31')).toEqual([]);
    expect(await list(2, '2024-01-31')).toEqual([]);
    // 29-02-2024 (Team Øst from 15-02): MA due on the day (not overdue). MB and MI are followed up on
    // the day: due 29-08-2024 (MI by the default cadence of 6). Supervision: D − 6 months = 29-08-2023;
    // MB's visit of 31-08-2023 holds and is due on the day; ME's of 30-09-2023 due 30-03-2024.
    expect(await list(0, '2024-02-29')).toEqual([
      { measure: 'ME', team: 'Team Øst', due: '2023-05-28', daysOverdue: 277 },
      { measure: 'MD', team: 'Team Øst', due: '2023-09-15', daysOverdue: 167 },
    ]);
    expect(await list(1, '2024-02-29')).toEqual([{ measure: 'MA', team: 'Team Øst', due: '2024-02-29', daysOverdue: 0 }]);
    expect(await list(2, '2024-02-29')).toEqual([]);
    expect(await list(3, '2024-02-29')).toEqual([{ measure: 'MB', team: 'Team Øst', due: '2024-02-29', daysOverdue: 0 }]);
    // 31-03-2024: ME ends on the day, still active. MH is followed up on the day with a cadence of 1
    // month: due 30-04, after D + 14. Supervision: D − 6 months = 30-09-2023: ME's visit that day holds
    // (due 30-03: neither overdue by the catalogue's rule nor due from D); MB's of 31-08-2023 does not.
    expect(await list(0, '2024-03-31')).toEqual([
      { measure: 'ME', team: 'Team Øst', due: '2023-05-28', daysOverdue: 308 },
      { measure: 'MD', team: 'Team Øst', due: '2023-09-15', daysOverdue: 198 },
      { measure: 'MA', team: 'Team Øst', due: '2024-02-29', daysOverdue: 31 },
    ]);
    expect(await list(1, '2024-03-31')).toEqual([]);
    expect(await list(2, '2024-03-31')).toEqual([{ measure: 'MB', team: 'Team Øst', due: '2024-02-29', daysOverdue: 31 }]);
    expect(await list(3, '2024-03-31')).toEqual([]);
    // 30-04-2024: ME has ended; MG (31-01 + 3) and MH (31-03 + 1) due on the day. The default cadence
    // is a setting, applied when read: at 2 months MI is due 29-04-2024, 1 day overdue; MB keeps its 6.
    expect(await list(1, '2024-04-30')).toEqual([
      { measure: 'MG', team: 'Team Øst', due: '2024-04-30', daysOverdue: 0 },
      { measure: 'MH', team: 'Team Øst', due: '2024-04-30', daysOverdue: 0 },
    ]);
    expect(await list(0, '2024-04-30', { settings: { ...DEFAULT_SETTINGS, 'followup.default_cadence_months': 2 } })).toEqual([
      { measure: 'MD', team: 'Team Øst', due: '2023-09-15', daysOverdue: 228 },
      { measure: 'MA', team: 'Team Øst', due: '2024-02-29', daysOverdue: 61 },
      { measure: 'MI', team: 'Team Øst', due: '2024-04-29', daysOverdue: 1 },
    ]);
    // Scoped to Team Vest at 30-04-2024: none of CM1's (Team Øst's by then).
    expect(await list(0, '2024-04-30', { teams: ['Team Vest'] })).toEqual([]);
    // CM2 is Team Øst's from 31-01-2024, the day itself: MJ (01-01-2023 + 3 months) is theirs there.
    const mj = async (asOf: string, teams: string[]) =>
      ((await LISTS[0].compute(ctx({ asOf, teams, readModels: true }))) as { rows: Row[] }).rows.filter((r) => r.measure === 'MJ');
    expect(await mj('2023-12-31', ['Team Vest'])).toMatchObject([{ team: 'Team Vest', due: '2023-04-01', daysOverdue: 274 }]);
    expect(await mj('2024-01-31', ['Team Vest'])).toEqual([]);
    expect(await mj('2024-01-31', ['Team Øst'])).toMatchObject([{ team: 'Team Øst', due: '2023-04-01', daysOverdue: 305 }]);
    // CM3 has never had a caseworker: ML is the intake team's, a setting applied when read.
    const intake = async (kpi: number, settings: KpiContext['settings'], teams?: string[]) =>
      ((await LISTS[kpi].compute(ctx({ asOf: '2024-01-31', settings, teams, readModels: true }))) as { rows: Row[] }).rows
        .filter((r) => r.measure === 'ML')
        .map(({ team, due, daysOverdue }) => ({ team, due, daysOverdue }));
    const visitation = { ...DEFAULT_SETTINGS, intake_team: 'Visitationen' };
    expect(await intake(0, visitation, ['Visitationen'])).toEqual([{ team: 'Visitationen', due: '2023-04-01', daysOverdue: 305 }]);
    expect(await intake(2, visitation)).toEqual([{ team: 'Visitationen', due: '2023-07-01', daysOverdue: 214 }]);
    expect(await intake(0, undefined)).toEqual([{ team: DEFAULT_SETTINGS.intake_team, due: '2023-04-01', daysOverdue: 305 }]);
    expect(await intake(0, visitation, [DEFAULT_SETTINGS.intake_team])).toEqual([]);
  });
});
