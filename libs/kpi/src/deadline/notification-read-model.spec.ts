import { beforeAll, describe, expect, it } from 'vitest';
import { buildReadModels } from '@bu/db';
import { addMonths } from '@bu/domain';
import { answerMemo, DEFAULT_SETTINGS, kpiById, type KpiContext } from '@bu/kpi';
import { deadlinesFixture, expectFactsOnBothPaths, heldDays } from '../../../../test/support/kpi';

// deadline.notification_24h and the team breakdown from the read model notification_month_day, and
// the two lists of notifications not assessed from unassessed_notification_day (ADR 0104), against
// the facts, at every day caseload_day holds (the month ends of three years up to the export, and
// the export date; the share for P of whole months ending at D), and from the facts for any other P
// or D. Besides the fixture's notifications, written here: a case whose caseworker, and so
// team, changes on 15-02-2024 (Team Vest, then Team Øst); notifications received on either side of
// local midnight at a year's and a month's end, over both clock changes (23.5 and 24.5 elapsed
// hours), assessed after a held day, exactly 24 hours before the end of a held day, without a case,
// and on a case the case table does not know.
const D = '2024-04-30';
const SHARE = kpiById('deadline.notification_24h')!;
const BY_TEAM = kpiById('deadline.compliance_by_team')!;
const LISTS = ['deadline.notification_overdue', 'deadline.notification_due_soon'].map((id) => kpiById(id)!);

describe('deadline.notification_24h from the read model', () => {
  const { db, ctx } = deadlinesFixture(D);
  let held: string[] = [];

  beforeAll(async () => {
    const q = (sql: string) => db().pool.query(sql);
    await q(`INSERT INTO caseworker (municipality_code, source, worker_id, name, team, job_title, employed_from, employed_to) VALUES
      (461, 'dubu', 'WV', 'Vera Vest', 'Team Vest', 'Rådgiver', '2020-01-01', NULL),
      (461, 'dubu', 'WO', 'Ole Øst', 'Team Øst', 'Rådgiver', '2020-01-01', NULL)`);
    await q(`INSERT INTO child_case (municipality_code, source, case_id, person_id, area, opened, closed) VALUES
      (461, 'dubu', 'CN1', 'pn1', 'Udsatte', '2023-01-01', NULL)`);
    await q(`INSERT INTO assignment (municipality_code, source, case_id, worker_id, valid_from, valid_to) VALUES
      (461, 'dubu', 'CN1', 'WV', '2023-01-01', '2024-02-14'),
      (461, 'dubu', 'CN1', 'WO', '2024-02-15', NULL)`);
    // Times in UTC; Copenhagen is UTC+1 in winter, UTC+2 from 31-03-2024 02:00 (and until 29-10-2023 03:00).
    await q(`INSERT INTO notification (municipality_code, source, notification_id, person_id, case_id, received_at, assessed_at, channel, acute) VALUES
      (461, 'dubu', 'NZ1', 'pn1', 'CN1', '2023-12-31 22:30+00', '2024-01-01 08:00+00', 'skole', false),
      (461, 'dubu', 'NZ2', 'pn1', 'CN1', '2023-12-31 23:30+00', '2024-01-02 00:00+00', 'skole', false),
      (461, 'dubu', 'NZ3', 'pn1', 'CN1', '2024-03-30 11:00+00', '2024-03-31 10:30+00', 'skole', false),
      (461, 'dubu', 'NZ4', 'pn1', 'CN1', '2023-10-28 10:00+00', '2023-10-29 10:30+00', 'skole', false),
      (461, 'dubu', 'NZ5', 'pn2', NULL, '2024-03-31 10:00+00', '2024-04-01 05:00+00', 'anonym', false),
      (461, 'dubu', 'NZ6', 'pn3', 'CX9', '2024-02-10 10:00+00', NULL, 'politi', true),
      (461, 'dubu', 'NZ7', 'pn1', 'CN1', '2024-02-28 23:00+00', NULL, 'skole', false),
      (461, 'dubu', 'NZ8', 'pn1', 'CN1', '2023-04-30 22:30+00', '2023-05-01 06:00+00', 'skole', false),
      (461, 'dubu', 'NZ9', 'pn1', 'CN1', '2023-04-30 21:30+00', '2023-05-01 06:00+00', 'skole', false)`);
    expect(await buildReadModels(db().pool, 461)).not.toBeNull();
    held = await heldDays(db().pool);
  });

  /**
   * The share (value and counts), the breakdown and the two lists on both paths, and whether each
   * read model answered.
   */
  async function bothPaths(over: Partial<KpiContext> & { asOf: string }) {
    let read = false;
    let listed = 0;
    const models = (memo: boolean): KpiContext => ({
      ...ctx({ ...over, readModels: true, shared: memo ? answerMemo() : undefined }),
      query: async <T>(sql: string, params?: unknown[]) => {
        const rows = await ctx().query<T>(sql, params);
        if (sql.includes('notification_month_day') && (rows[0] as { held?: boolean } | undefined)?.held) read = true;
        if (sql.includes('unassessed_notification_day') && rows.length > 0) listed++;
        return rows;
      },
    });
    const values = async (context: KpiContext) => [
      await SHARE.compute(context),
      await SHARE.fraction!(context),
      await BY_TEAM.compute(context),
      ...(await Promise.all(LISTS.map((kpi) => kpi.compute(context)))),
    ];
    const facts = await values(ctx({ ...over, readModels: false }));
    const withMemo = await values(models(true));
    const alone = await values(models(false));
    return { facts, withMemo, alone, read, listsRead: listed === 2 * LISTS.length };
  }

  it('gives what the facts give at every day it holds (the share: for P of whole months), scoped and not', async () => {
    const settings = { ...DEFAULT_SETTINGS, intake_team: 'Visitationen' };
    expect(held).toHaveLength(37);
    let judged = 0;
    let listed = 0;
    for (const asOf of held) {
      const month = `${asOf.slice(0, 8)}01`;
      for (const from of [`${asOf.slice(0, 4)}-01-01`, addMonths(month, -11), month]) {
        for (const over of [
          {},
          { teams: ['Team Vest'] },
          { teams: ['Team Øst', 'Modtagelsen'] },
          { settings },
          { settings, teams: ['Visitationen'] },
        ]) {
          const at = `${asOf} from ${from} ${JSON.stringify(over)}`;
          const both = await bothPaths({ ...over, asOf, period: { from, to: asOf } });
          expect(both.read, at).toBe(true);
          expect(both.listsRead, at).toBe(true);
          expectFactsOnBothPaths(both, at);
          judged += (both.facts[1] as { denominator: number }).denominator;
          listed += (both.facts[3] as { count: number }).count + (both.facts[4] as { count: number }).count;
        }
      }
    }
    // Not a comparison of empty counts and lists only.
    expect(judged).toBeGreaterThan(100);
    expect(listed).toBeGreaterThan(100);
  });

  it('reads the notifications for any other P or D (the lists: any other D), with the same answers', async () => {
    for (const [asOf, from, to] of [
      ['2024-04-29', '2024-01-01', '2024-04-29'],
      ['2024-04-30', '2024-01-15', '2024-04-30'],
      ['2024-04-30', '2023-04-01', '2024-04-30'],
      ['2024-04-30', '2024-01-01', '2024-03-31'],
      ['2024-01-01', '2024-01-01', '2024-01-01'],
    ]) {
      const both = await bothPaths({ asOf, period: { from, to } });
      expect(both.read, `${asOf} ${from}..${to}`).toBe(false);
      if (asOf !== D) expect(both.listsRead, asOf).toBe(false);
      expectFactsOnBothPaths(both);
    }
  });

  it('counts by hand at held days', async () => {
    const counts = async (asOf: string, from: string, teams?: string[]) =>
      SHARE.fraction!(ctx({ asOf, period: { from, to: asOf }, teams, readModels: true, shared: answerMemo() }));
    // 29-02-2024, Team Øst (CN1's team from 15-02): NZ2 (local 01-01 00:30, assessed after 24.5 hours:
    // late); NZ7 (local 29-02 00:00, not assessed, exactly 24 hours before the end of the day: pending).
    expect(await counts('2024-02-29', '2024-01-01', ['Team Øst'])).toEqual({ numerator: 0, denominator: 1 });
    // 31-03-2024: NZ3 assessed 23.5 hours after over the clock change (on time); NZ7 now late.
    expect(await counts('2024-03-31', '2024-01-01', ['Team Øst'])).toEqual({ numerator: 1, denominator: 3 });
    // 31-01-2024, Team Vest: NZ2 late; NZ1 (local 31-12-2023 23:30) is not in 2024, but in the 12 months.
    expect(await counts('2024-01-31', '2024-01-01', ['Team Vest'])).toEqual({ numerator: 0, denominator: 1 });
    // From 01-02-2023: NZ1 on time, NZ2 late, NZ4 late (24.5 hours over the clock change back), NZ8
    // (local 01-05-2023 00:30) and NZ9 (local 30-04-2023 23:30) on time.
    expect(await counts('2024-01-31', '2023-02-01', ['Team Vest'])).toEqual({ numerator: 3, denominator: 5 });
    // 30-04-2024, the 12 months from 01-05-2023, Team Øst: NZ1, NZ3, NZ8 on time; NZ2, NZ4, NZ7 late; NZ9 before P.
    expect(await counts('2024-04-30', '2023-05-01', ['Team Øst'])).toEqual({ numerator: 3, denominator: 6 });
    // The intake team from 01-03-2024: NZ5 has no case (assessed on 01-04 after 19 hours): pending at
    // 31-03, on time at 30-04, beside one of the fixture's, late; NZ6 (10-02, on a case the case table
    // does not know, not assessed) is late from 01-02 on.
    expect(await counts('2024-03-31', '2024-03-01', ['Modtagelsen'])).toEqual({ numerator: 0, denominator: 0 });
    expect(await counts('2024-04-30', '2024-03-01', ['Modtagelsen'])).toEqual({ numerator: 1, denominator: 2 });
    expect(await counts('2024-03-31', '2024-02-01', ['Modtagelsen'])).toEqual({ numerator: 0, denominator: 1 });
    // The lists, from the read model at held days.
    const list = async (kpi: number, asOf: string, teams: string[]) =>
      ((await LISTS[kpi].compute(ctx({ asOf, teams, readModels: true }))) as { rows: { notification: string }[] }).rows;
    // 29-02-2024: NZ7 (local 29-02 00:00) is due at the end of the day, not overdue; NZ6 (local 10-02
    // 11:00, its case unknown: the intake team's) 18 days overdue.
    expect(await list(1, '2024-02-29', ['Team Øst'])).toEqual([
      {
        notification: 'NZ7',
        case: 'CN1',
        worker: 'WO',
        team: 'Team Øst',
        received: '2024-02-29T00:00',
        due: '2024-03-01T00:00',
        daysOverdue: -1,
      },
    ]);
    expect((await list(0, '2024-02-29', ['Modtagelsen'])).find((r) => r.notification === 'NZ6')).toEqual({
      notification: 'NZ6',
      case: 'CX9',
      worker: null,
      team: 'Modtagelsen',
      received: '2024-02-10T11:00',
      due: '2024-02-11T11:00',
      daysOverdue: 18,
    });
    // 31-03-2024: NZ5 (no case; local 12:00 on the day the clock went forward) due the next day; NZ7 overdue.
    expect((await list(1, '2024-03-31', ['Modtagelsen'])).find((r) => r.notification === 'NZ5')).toMatchObject({
      case: null,
      received: '2024-03-31T12:00',
      due: '2024-04-01T12:00',
      daysOverdue: -1,
    });
    expect((await list(0, '2024-03-31', ['Team Øst'])).map((r) => r.notification)).toEqual(['NZ7']);
  });
});
