import { describe, expect, it } from 'vitest';
import { chiefFixture } from '../../../../test/support/kpi';

// The chief's figures on test/fixtures/dubu-chief (dubu-deadlines plus N8, effect measurements and
// complaints) at D = 30-04-2024, P = 01-01-2024..30-04-2024; population from statistics-small
// (Odense, 0-17 år: 2023 40,000; 2024 40,100). Expected values are worked out in the comments.
const D = '2024-04-30';
describe('chief KPIs (activity, duration, cost, effect, complaints)', () => {
  const { value } = chiefFixture(D);

  it('annualised cost per placed child and the most expensive cases', async () => {
    // (32,000 + 65,000 + 85,000) × 12 / 3 = 728,000 kr.
    expect(await value('cost.annualised_per_placed_child')).toBe(728_000);
    expect(await value('cost.top_cases')).toEqual({
      count: 6,
      rows: [
        { case: 'C9', annualisedCost: 1_020_000, measures: 1, measureTypes: ['Døgninstitution'] },
        { case: 'C7', annualisedCost: 780_000, measures: 1, measureTypes: ['Opholdssted'] },
        { case: 'C1', annualisedCost: 384_000, measures: 1, measureTypes: ['Plejefamilie'] },
        { case: 'C5', annualisedCost: 144_000, measures: 1, measureTypes: ['Familiebehandling'] },
        { case: 'C3', annualisedCost: 127_200, measures: 2, measureTypes: ['Aflastning', 'Merudgifter'] },
        { case: 'C2', annualisedCost: 48_000, measures: 1, measureTypes: ['ukendt'] },
      ],
    });
  });
});
