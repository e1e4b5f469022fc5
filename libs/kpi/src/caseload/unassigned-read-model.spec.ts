import { beforeAll, describe, expect, it } from 'vitest';
import { buildReadModels } from '@bu/db';
import { answerMemo, DEFAULT_SETTINGS, kpiById, type KpiContext } from '@bu/kpi';
import { deadlinesFixture, heldDays, onBothPaths } from '../../../../test/support/kpi';

// caseload.unassigned from the read model unassigned_case_day (ADR 0102) against the facts, at
// every day caseload_day holds (the month ends of three years up to the export, and the export
// date) and at days it does not hold (read from the facts). Besides the fixture's caseworker who
// left, ended assignment and case never assigned, cases written here: a CSC case whose assignment
// passes to nobody (an empty worker), a caseworker the caseworker table does not know, a one-day
// case on a month end, a case whose caseworker's row names no team, and one case number in both
// case systems, never assigned, opened the same day (listed by source on both paths).
const D = '2024-04-30';
const UNASSIGNED = kpiById('caseload.unassigned')!;

describe('caseload.unassigned from the read model', () => {
  const { db, ctx } = deadlinesFixture(D);
  let held: string[] = [];

  beforeAll(async () => {
    const q = (sql: string) => db().pool.query(sql);
    await q(`INSERT INTO caseworker (municipality_code, source, worker_id, name, team, job_title, employed_from, employed_to) VALUES
      (461, 'csc', 'RB', 'Rikke Bak', 'Team Nord', 'Rådgiver', '2020-01-01', NULL),
      (461, 'dubu', 'NT', 'Nina Tims', NULL, 'Rådgiver', '2020-01-01', '2023-10-31')`);
    await q(`INSERT INTO child_case (municipality_code, source, case_id, person_id, area, opened, closed) VALUES
      (461, 'csc', 'CU1', 'pu1', 'Udsatte', '2022-12-31', NULL),
      (461, 'dubu', 'CU2', 'pu2', 'Handicap', '2023-03-31', '2023-03-31'),
      (461, 'dubu', 'CU3', 'pu3', 'Handicap', '2023-05-01', NULL),
      (461, 'dubu', 'CU4', 'pu4', 'Udsatte', '2023-06-15', NULL),
      (461, 'dubu', 'CU5', 'pu5', 'Udsatte', '2024-01-10', NULL),
      (461, 'csc', 'CU5', 'pu6', 'Handicap', '2024-01-10', NULL)`);
    // CU1 passes to nobody after 31-12-2023; CU2 is open one day and never assigned; CU3's RX is
    // unknown to the caseworker table (not unassigned); CU4's NT left on 31-10-2023, her row names no team.
    await q(`INSERT INTO assignment (municipality_code, source, case_id, worker_id, valid_from, valid_to) VALUES
      (461, 'csc', 'CU1', 'RB', '2022-12-31', '2023-12-31'),
      (461, 'csc', 'CU1', '', '2024-01-01', NULL),
      (461, 'dubu', 'CU3', 'RX', '2023-05-01', NULL),
      (461, 'dubu', 'CU4', 'NT', '2023-06-15', NULL)`);
    expect(await buildReadModels(db().pool, 461)).not.toBeNull();
    held = await heldDays(db().pool);
  });

  /** The list on both paths at D (with the answer's memo or not), and whether the read model answered. */
  async function bothPaths(asOf: string, over: Partial<KpiContext> = {}) {
    const both = await onBothPaths(ctx, { ...over, asOf }, (context) => UNASSIGNED.compute(context), /unassigned_case_day/);
    // Without the answer's memo the same.
    expect(both.alone).toEqual(both.withMemo);
    expect(both.readAlone).toBe(both.readWithMemo);
    return { facts: both.facts, models: both.withMemo, read: both.readWithMemo > 0 };
  }

  it('gives what the facts give at every day it holds, scoped, unscoped and with another intake team', async () => {
    const settings = { ...DEFAULT_SETTINGS, intake_team: 'Visitationen' };
    expect(held).toHaveLength(37);
    let listed = 0;
    for (const asOf of held) {
      for (const over of [{}, { teams: ['Team Nord'] }, { teams: ['Modtagelsen'] }, { settings }, { settings, teams: ['Visitationen'] }]) {
        const both = await bothPaths(asOf, over);
        expect(both.read, `${asOf} ${JSON.stringify(over)}`).toBe(true);
        expect(both.models, `${asOf} ${JSON.stringify(over)}`).toEqual(both.facts);
        listed += (both.facts as { count: number }).count;
      }
    }
    // Not a comparison of empty lists only.
    expect(listed).toBeGreaterThan(40);
  });

  it('reads the facts at a day it does not hold, with the same answers', async () => {
    for (const asOf of ['2024-04-29', '2024-01-01', '2023-11-01', '2021-03-31', '2024-05-31']) {
      const both = await bothPaths(asOf);
      expect(both.read, asOf).toBe(false);
      expect(both.models).toEqual(both.facts);
    }
  });

  it('lists by hand at 31-01-2024 and 31-03-2023', async () => {
    const rows = async (asOf: string, teams?: string[]) =>
      ((await UNASSIGNED.compute(ctx({ asOf, teams, readModels: true, shared: answerMemo() }))) as { rows: { case: string }[] }).rows;
    // 31-01-2024: CU1 has nobody since 01-01-2024 (30 days), its last caseworker RB of CSC's Team Nord;
    // CU4's NT left 31-10-2023 (91 days), her row names no team: the intake team's.
    const jan = await rows('2024-01-31');
    expect(jan.find((r) => r.case === 'CU1')).toEqual({
      case: 'CU1',
      area: 'Udsatte',
      lastWorker: 'RB',
      team: 'Team Nord',
      reason: 'ingen rådgiver',
      since: '2024-01-01',
      days: 30,
    });
    expect(jan.find((r) => r.case === 'CU4')).toEqual({
      case: 'CU4',
      area: 'Udsatte',
      lastWorker: 'NT',
      team: 'Modtagelsen',
      reason: 'rådgiver fratrådt',
      since: '2023-11-01',
      days: 91,
    });
    expect(jan.find((r) => r.case === 'CU3')).toBeUndefined();
    // CU5 in both case systems, 21 days without since 10-01-2024: CSC's (Handicap) before DUBU's.
    expect(jan.filter((r) => r.case === 'CU5')).toMatchObject([
      { area: 'Handicap', days: 21 },
      { area: 'Udsatte', days: 21 },
    ]);
    const facts = (await UNASSIGNED.compute(ctx({ asOf: '2024-01-31', readModels: false }))) as { rows: { case: string }[] };
    expect(facts.rows.filter((r) => r.case === 'CU5')).toMatchObject([{ area: 'Handicap' }, { area: 'Udsatte' }]);
    // 31-03-2023: CU2, open that one day and never assigned, since its opening (0 days).
    expect((await rows('2023-03-31', ['Modtagelsen'])).find((r) => r.case === 'CU2')).toMatchObject({
      lastWorker: null,
      since: '2023-03-31',
      days: 0,
    });
  });
});
