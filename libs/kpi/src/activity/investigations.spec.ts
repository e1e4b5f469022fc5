import { describe, expect, it } from 'vitest';
import { chiefFixture } from '../../../../test/support/kpi';

// The chief's figures on test/fixtures/dubu-chief (dubu-deadlines plus N8, effect measurements and
// complaints) at D = 30-04-2024, P = 01-01-2024..30-04-2024; population from statistics-small
// (Odense, 0-17 år: 2023 40,000; 2024 40,100). Expected values are worked out in the comments.
const D = '2024-04-30';
describe('chief KPIs (activity, duration, cost, effect, complaints)', () => {
  const { value } = chiefFixture(D);

  it('investigations started (I1, I5, I6) and completed (I3, I4, I5) in P', async () => {
    expect(await value('activity.investigations_started')).toBe(3); // I1, I5, I6
    expect(await value('activity.investigations_completed')).toBe(3); // I3, I4, I5
  });
});
