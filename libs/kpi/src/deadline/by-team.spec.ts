import { describe, expect, it } from 'vitest';
import { deadlinesFixture } from '../../../../test/support/kpi';

// The team leader's figures on test/fixtures/dubu-deadlines at D = 30-04-2024 (a month end),
// P = 01-01-2024..30-04-2024. Every expected value is worked out by hand in the comments.
const D = '2024-04-30';
describe('team leader KPIs (caseload and deadlines)', () => {
  const { value } = deadlinesFixture(D);

  describe('per team', () => {
    it('deadline.compliance_by_team: each share with the team as scope', async () => {
      // Team Nord: notifications 2/4 (above); investigations I3, I5 on time, I4 late → 2/3 (all on Nord's cases);
      // plans: Y1 on time, Y2 pending → 1; conversations: Y1 held, Y2 not → 1/2.
      // Team Syd has nothing started or completed in P; the intake team has N7 (late) only.
      // The counts behind each share are under basis; a share with nothing to divide by has none.
      expect(await value('deadline.compliance_by_team')).toEqual({
        Modtagelsen: {
          notification_24h: 0,
          investigation_4m: null,
          plan_on_time: null,
          child_conversation: null,
          basis: { notification_24h: { numerator: 0, denominator: 1 } },
        },
        'Team Nord': {
          notification_24h: 0.5,
          investigation_4m: 2 / 3,
          plan_on_time: 1,
          child_conversation: 0.5,
          basis: {
            notification_24h: { numerator: 2, denominator: 4 },
            investigation_4m: { numerator: 2, denominator: 3 },
            plan_on_time: { numerator: 1, denominator: 1 },
            child_conversation: { numerator: 1, denominator: 2 },
          },
        },
        'Team Syd': { notification_24h: null, investigation_4m: null, plan_on_time: null, child_conversation: null, basis: {} },
      });
      expect(Object.keys((await value('deadline.compliance_by_team', { teams: ['Team Syd'] })) as object)).toEqual(['Team Syd']);
    });
    it("each share with a team scope counts the team's rows, as the breakdown does", async () => {
      // Without a scope deadline.investigation_4m looks no team up (the specs above); with one it does,
      // for its rows only. Each counts its team's rows as deadline.compliance_by_team does: Team Nord
      // 2/4, 2/3, 1, 1/2; the intake team N7 (late, on C8, never assigned: the intake team by default);
      // Team Syd nothing.
      const scoped = async (teams: string[]) =>
        Promise.all(
          ['deadline.notification_24h', 'deadline.investigation_4m', 'deadline.plan_on_time', 'deadline.child_conversation'].map((id) =>
            value(id, { teams }),
          ),
        );
      expect(await scoped(['Team Nord'])).toEqual([0.5, 2 / 3, 1, 0.5]);
      expect(await scoped(['Modtagelsen'])).toEqual([0, null, null, null]);
      expect(await scoped(['Team Syd'])).toEqual([null, null, null, null]);
      // investigation.duration_days reads the same investigations: I3 121 days, I4 122, I5 91 (Nord's) → 121.
      expect(await value('investigation.duration_days')).toBe(121);
      expect(await value('investigation.duration_days', { teams: ['Team Nord'] })).toBe(121);
      expect(await value('investigation.duration_days', { teams: ['Team Syd'] })).toBeNull();
    });
  });
});
