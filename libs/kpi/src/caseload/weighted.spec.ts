import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '@bu/kpi';
import { deadlinesFixture } from '../../../../test/support/kpi';

// The team leader's figures on test/fixtures/dubu-deadlines at D = 30-04-2024 (a month end),
// P = 01-01-2024..30-04-2024. Every expected value is worked out by hand in the comments.
const D = '2024-04-30';
describe('team leader KPIs (caseload and deadlines)', () => {
  const { value } = deadlinesFixture(D);

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

    it("weighs only the team scope's caseworkers' children, each as without the scope", async () => {
      // BB (left 31-03, Team Nord) is listed for the case C5 he still holds.
      const nord = (await value('caseload.weighted', { teams: ['Team Nord'] })) as Record<string, number>;
      expect(Object.keys(nord).sort()).toEqual(['AA', 'BB']);
      expect(nord.AA).toBeCloseTo(4.9, 10);
      expect(nord.BB).toBeCloseTo(1.2, 10);
      const syd = (await value('caseload.weighted', { teams: ['Team Syd'] })) as Record<string, number>;
      expect(Object.keys(syd)).toEqual(['CC']);
      expect(syd.CC).toBeCloseTo(3.0, 10);
      expect(await value('caseload.weighted', { teams: ['Modtagelsen'] })).toEqual({});
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
