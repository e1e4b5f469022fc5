import { describe, expect, it } from 'vitest';
import { chiefFixture } from '../../../../test/support/kpi';

// The chief's figures on test/fixtures/dubu-chief (dubu-deadlines plus N8, effect measurements and
// complaints) at D = 30-04-2024, P = 01-01-2024..30-04-2024; population from statistics-small
// (Odense, 0-17 år: 2023 40,000; 2024 40,100). Expected values are worked out in the comments.
const D = '2024-04-30';
describe('chief KPIs (activity, duration, cost, effect, complaints)', () => {
  const { value } = chiefFixture(D);

  it('children placed and with preventive measures at D; placements started and ended in P', async () => {
    // Placed: child1 (Y1 Plejefamilie), child7 (Y5 Opholdssted), child9 (Y8 Døgninstitution).
    expect(await value('activity.placed_children')).toBe(3);
    expect(await value('activity.placed_children_per_1000')).toBeCloseTo((3 / 40_100) * 1000, 12);
    expect(await value('activity.family_care_share')).toBe(1 / 3);
    // Preventive: child3 (Y2 Aflastning), child5 (Y4 Familiebehandling). Y6 ended 31-03; Y7 "ukendt" counts in neither.
    expect(await value('activity.preventive_children')).toBe(2);
    expect(await value('activity.placements_started')).toBe(1);
    expect(await value('activity.placements_ended')).toBe(0);
    // By type at D: one child each; the preventive Y2/Y4 and the economic Y3 are no placements.
    expect(await value('activity.placed_children_by_type')).toEqual({ Døgninstitution: 1, Opholdssted: 1, Plejefamilie: 1 });
    // At 31-01-2024 Y1 (from 01-02) has not started: Y5 and Y8 only.
    expect(await value('activity.placed_children_by_type', { asOf: '2024-01-31' })).toEqual({ Døgninstitution: 1, Opholdssted: 1 });
  });
});
