import { describe, expect, it } from 'vitest';
import { deadlinesFixture } from '../../../../test/support/kpi';

// The team leader's figures on test/fixtures/dubu-deadlines at D = 30-04-2024 (a month end),
// P = 01-01-2024..30-04-2024. Every expected value is worked out by hand in the comments.
const D = '2024-04-30';
describe('team leader KPIs (caseload and deadlines)', () => {
  const { value } = deadlinesFixture(D);

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

    it("the lists with a team scope: the rows of the scope's cases, the team looked up after the windows", async () => {
      const measures = async (id: string, teams: string[]) =>
        ((await value(id, { teams })) as { rows: { measure: string }[] }).rows.map((r) => r.measure);
      // Above: overdue Y8, Y5 (Team Syd); due soon Y4, Y1, Y2 (Team Nord); visits Y8 overdue, Y5 due soon (Team Syd).
      expect(await measures('deadline.followup_overdue', ['Team Nord'])).toEqual([]);
      expect(await measures('deadline.followup_overdue', ['Team Syd'])).toEqual(['Y8', 'Y5']);
      expect(await measures('deadline.followup_due_soon', ['Team Nord', 'Team Syd'])).toEqual(['Y4', 'Y1', 'Y2']);
      expect(await measures('deadline.supervision_overdue', ['Team Syd'])).toEqual(['Y8']);
      expect(await measures('deadline.supervision_due_soon', ['Team Nord'])).toEqual([]);
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
});
