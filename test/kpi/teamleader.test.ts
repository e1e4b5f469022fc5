import { join } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu } from '@bu/etl';
import { DEFAULT_SETTINGS, kpiById, type KpiContext } from '@bu/kpi';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { FIXTURES } from '../support/fixtures';

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
    it('caseload.open_cases: AA holds C1-C4; BB (left 31-03) still holds C5; CC holds C7 and C9', async () => {
      expect(await value('caseload.open_cases')).toEqual({ AA: 4, BB: 1, CC: 2 });
    });

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

    it('caseload.unassigned: the handover list — a caseworker who left, an ended assignment, a case never assigned', async () => {
      expect(await value('caseload.unassigned')).toEqual({
        count: 3,
        rows: [
          // BB's employment ended 31-03-2024: nobody active on C5 since 01-04 (29 days to D)
          {
            case: 'C5',
            area: 'Udsatte',
            lastWorker: 'BB',
            team: 'Team Nord',
            reason: 'sagsbehandler fratrådt',
            since: '2024-04-01',
            days: 29,
          },
          // AA's assignment on C6 ended 31-03-2024
          {
            case: 'C6',
            area: 'Udsatte',
            lastWorker: 'AA',
            team: 'Team Nord',
            reason: 'ingen sagsbehandler',
            since: '2024-04-01',
            days: 29,
          },
          // C8 opened 15-04-2024 and was never assigned: the intake team's
          {
            case: 'C8',
            area: 'Udsatte',
            lastWorker: null,
            team: 'Modtagelsen',
            reason: 'ingen sagsbehandler',
            since: '2024-04-15',
            days: 15,
          },
        ],
      });
    });

    it("scopes the lists to the team leader's team", async () => {
      expect(await value('caseload.open_cases', { teams: ['Team Syd'] })).toEqual({ CC: 2 });
      expect(
        ((await value('caseload.unassigned', { teams: ['Modtagelsen'] })) as { rows: { case: string }[] }).rows.map((r) => r.case),
      ).toEqual(['C8']);
    });
  });

  describe('notifications (24 hours = 86,400 seconds)', () => {
    it('deadline.notification_24h: on time / (assessed + late), young unassessed ones pending', async () => {
      // In P: N1 exactly 24 h → on time; N2 24 h 1 min → late; N3 30-03 12:00 CET → 31-03 12:30 CEST is
      // 23.5 elapsed hours across the spring clock change → on time; N4 unassessed, received more than
      // 24 h before the end of D → late; N5 received 30-04 08:00 → pending; N7 assessed 03-05 (after D,
      // not known at D) → late. N6 was received in 2023. → 2 / 5
      expect(await value('deadline.notification_24h')).toBe(2 / 5);
      // Team Nord (C1-C6): N1, N3 on time; N2, N4 late; N5 pending → 2/4. N7 (C8) is the intake team's.
      expect(await value('deadline.notification_24h', { teams: ['Team Nord'] })).toBe(2 / 4);
      expect(await value('deadline.notification_24h', { teams: ['Modtagelsen'] })).toBe(0);
      expect(await value('deadline.notification_24h', { teams: ['Team Syd'] })).toBeNull();
    });

    it('deadline.notification_overdue: not assessed by D, more than 24 hours old', async () => {
      expect(await value('deadline.notification_overdue')).toEqual({
        count: 2,
        rows: [
          {
            notification: 'N7',
            case: 'C8',
            worker: null,
            team: 'Modtagelsen',
            received: '2024-04-01T10:00',
            due: '2024-04-02T10:00',
            daysOverdue: 28,
          },
          {
            notification: 'N4',
            case: 'C4',
            worker: 'AA',
            team: 'Team Nord',
            received: '2024-04-29T23:30',
            due: '2024-04-30T23:30',
            daysOverdue: 0,
          },
        ],
      });
    });

    it('deadline.notification_due_soon: not assessed by D, received within the 24 hours before the end of D', async () => {
      // N5 received 30-04 08:00, not assessed: due 01-05 08:00, after D. N4 (29-04 23:30) ran out at 30-04 23:30: overdue.
      expect(await value('deadline.notification_due_soon')).toEqual({
        count: 1,
        rows: [
          {
            notification: 'N5',
            case: 'C5',
            worker: 'BB',
            team: 'Team Nord',
            received: '2024-04-30T08:00',
            due: '2024-05-01T08:00',
            daysOverdue: -1,
          },
        ],
      });
      // At D = 29-04-2024 N4 (received 23:30 that day) is the pending one; N5 is not received yet.
      expect(
        ((await value('deadline.notification_due_soon', { asOf: '2024-04-29' })) as { rows: { notification: string }[] }).rows.map(
          (r) => r.notification,
        ),
      ).toEqual(['N4']);
    });

    it('a past D shows what was known then: at D = 10-01-2024, N1 and N2 (received 09:00) are pending', async () => {
      expect(await value('deadline.notification_24h', { asOf: '2024-01-10', period: { from: '2024-01-01', to: '2024-01-10' } })).toBeNull();
      expect(await value('deadline.notification_24h', { asOf: '2024-01-11', period: { from: '2024-01-01', to: '2024-01-11' } })).toBe(
        1 / 2,
      );
    });
  });

  describe('investigations (4 calendar months)', () => {
    it('deadline.investigation_4m: completed in P within start + 4 months', async () => {
      // I3 31-10-2023 + 4 months = 29-02-2024 (clamped, leap year), completed 29-02 → on time;
      // I4 01-11-2023 → due 01-03-2024, completed 02-03 → late; I5 10-01 → due 10-05, completed 10-04 → on time.
      expect(await value('deadline.investigation_4m')).toBe(2 / 3);
    });

    it('deadline.investigation_overdue: open past start + 4 months, and those due within 14 days', async () => {
      // I2 15-12-2023 → due 15-04-2024, 15 days overdue. I6 14-01-2024 → due 14-05-2024, 14 days ahead: due soon.
      // I1 01-02-2024 → due 01-06-2024: neither.
      expect(await value('deadline.investigation_overdue')).toEqual({
        count: 1,
        rows: [
          { investigation: 'I2', case: 'C4', worker: 'AA', team: 'Team Nord', started: '2023-12-15', due: '2024-04-15', daysOverdue: 15 },
        ],
        dueSoon: {
          count: 1,
          rows: [
            {
              investigation: 'I6',
              case: 'C5',
              worker: 'BB',
              team: 'Team Nord',
              started: '2024-01-14',
              due: '2024-05-14',
              daysOverdue: -14,
            },
          ],
        },
      });
    });

    it('investigation.duration_days: the median of 121, 122 and 91 days', async () => {
      expect(await value('investigation.duration_days')).toBe(121);
      expect(await value('investigation.duration_days', { period: { from: '2024-03-01', to: D } })).toBe((122 + 91) / 2);
      expect(await value('investigation.duration_days', { period: { from: '2024-04-11', to: D } })).toBeNull();
    });
  });

  describe('measures', () => {
    it('deadline.followup_overdue: due = start + 3 months, or the latest follow-up by D + cadence', async () => {
      // Y5: latest follow-up by D 01-06-2023 (the one on 10-05-2024 is after D) + 6 = 01-12-2023 → 151 days.
      // Y4: 31-01-2024 + cadence 3 = 30-04-2024 (clamped) — due on D is not before D. Y1, Y2: 01-05-2024.
      // Y8: no follow-up, started 01-01-2023 → 01-04-2023 → 395 days. Y3 Merudgifter is left out; Y6 ended.
      // Y7 ("ukendt") started 01-04-2024 → 01-07-2024.
      expect(await value('deadline.followup_overdue')).toEqual({
        count: 2,
        rows: [
          {
            measure: 'Y8',
            measureType: 'Døgninstitution',
            case: 'C9',
            worker: 'CC',
            team: 'Team Syd',
            due: '2023-04-01',
            daysOverdue: 395,
          },
          { measure: 'Y5', measureType: 'Opholdssted', case: 'C7', worker: 'CC', team: 'Team Syd', due: '2023-12-01', daysOverdue: 151 },
        ],
      });
    });

    it('deadline.supervision_overdue: no visit in the closed window D − 6 months .. D', async () => {
      // D − 6 months = 30-10-2023. Y5 visited on 30-10-2023 (in the window). Y8's last visit 29-10-2023 → due 29-04-2024.
      // Y1 started 01-02-2024, not more than 6 months before D.
      expect(await value('deadline.supervision_overdue')).toEqual({
        count: 1,
        rows: [
          { measure: 'Y8', measureType: 'Døgninstitution', case: 'C9', worker: 'CC', team: 'Team Syd', due: '2024-04-29', daysOverdue: 1 },
        ],
      });
    });

    it('deadline.followup_due_soon and deadline.supervision_due_soon: due D .. D + 14 days', async () => {
      // Follow-ups (above): Y4 due 30-04-2024 = D (BB still holds C5, though she left 31-03); Y1 and Y2 01-05-2024.
      // Y7 01-07-2024 is later than D + 14 = 14-05-2024.
      expect(await value('deadline.followup_due_soon')).toEqual({
        count: 3,
        rows: [
          {
            measure: 'Y4',
            measureType: 'Familiebehandling',
            case: 'C5',
            worker: 'BB',
            team: 'Team Nord',
            due: '2024-04-30',
            daysOverdue: 0,
          },
          { measure: 'Y1', measureType: 'Plejefamilie', case: 'C1', worker: 'AA', team: 'Team Nord', due: '2024-05-01', daysOverdue: -1 },
          { measure: 'Y2', measureType: 'Aflastning', case: 'C3', worker: 'AA', team: 'Team Nord', due: '2024-05-01', daysOverdue: -1 },
        ],
      });
      // Visits: Y5's last visit 30-10-2023 + 6 months = 30-04-2024 = D. Y1 (from 01-02-2024) is due 01-08-2024; Y8 is overdue.
      expect(await value('deadline.supervision_due_soon')).toEqual({
        count: 1,
        rows: [
          { measure: 'Y5', measureType: 'Opholdssted', case: 'C7', worker: 'CC', team: 'Team Syd', due: '2024-04-30', daysOverdue: 0 },
        ],
      });
      // At D = 18-07-2024 Y1's first visit (01-08-2024) is 14 days ahead: the closed window's last day.
      expect(
        ((await value('deadline.supervision_due_soon', { asOf: '2024-07-18' })) as { rows: { measure: string; daysOverdue: number }[] })
          .rows,
      ).toMatchObject([{ measure: 'Y1', daysOverdue: -14 }]);
    });

    it('deadline.plan_on_time: Serviceloven by the start, Barnets Lov within 3 months; pending when the limit is after D', async () => {
      // Started in P (economic and "ukendt" left out): Y1 (BL) plan HP1 15-03-2024 → on time; Y2 (BL, limit
      // 01-05-2024 after D, no plan) → pending. → 1/1
      expect(await value('deadline.plan_on_time')).toBe(1);
      // P from 2023: + Y4 (SEL 01-11-2023, plan 01-12-2023 after the start) late; Y6 (SEL 01-12-2023, plan
      // 01-12-2022 = start − 12 months, closed window) on time; Y8 (SEL 01-01-2023, no plan) late → 2/4
      expect(await value('deadline.plan_on_time', { period: { from: '2023-01-01', to: D } })).toBe(2 / 4);
    });

    it('deadline.child_conversation: a conversation in the 6 months up to the decision', async () => {
      // Y1 decided 01-02-2024, conversation 01-08-2023 = decision − 6 months → held; Y2 decided 15-01-2024,
      // conversation 16-01-2024 is after the decision → not held. → 1/2
      expect(await value('deadline.child_conversation')).toBe(1 / 2);
    });
  });

  describe('per team', () => {
    it('deadline.compliance_by_team: each share with the team as scope', async () => {
      // Team Nord: notifications 2/4 (above); investigations I3, I5 on time, I4 late → 2/3 (all on Nord's cases);
      // plans: Y1 on time, Y2 pending → 1; conversations: Y1 held, Y2 not → 1/2.
      // Team Syd has nothing started or completed in P; the intake team has N7 (late) only.
      expect(await value('deadline.compliance_by_team')).toEqual({
        Modtagelsen: { notification_24h: 0, investigation_4m: null, plan_on_time: null, child_conversation: null },
        'Team Nord': { notification_24h: 0.5, investigation_4m: 2 / 3, plan_on_time: 1, child_conversation: 0.5 },
        'Team Syd': { notification_24h: null, investigation_4m: null, plan_on_time: null, child_conversation: null },
      });
      expect(Object.keys((await value('deadline.compliance_by_team', { teams: ['Team Syd'] })) as object)).toEqual(['Team Syd']);
    });
  });
});
