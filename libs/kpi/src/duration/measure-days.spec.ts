import { describe, expect, it } from 'vitest';
import { chiefFixture } from '../../../../test/support/kpi';

// The chief's figures on test/fixtures/dubu-chief (dubu-deadlines plus N8, effect measurements and
// complaints) at D = 30-04-2024, P = 01-01-2024..30-04-2024; population from statistics-small
// (Odense, 0-17 år: 2023 40,000; 2024 40,100). Expected values are worked out in the comments.
const D = '2024-04-30';
describe('chief KPIs (activity, duration, cost, effect, complaints)', () => {
  const { value } = chiefFixture(D);

  it('duration of measures ended in P and the age of measures active at D', async () => {
    // Only Y6 Kontaktperson ended in P: 01-12-2023 → 31-03-2024 = 121 days.
    expect(await value('duration.measure_days')).toEqual({ Kontaktperson: { count: 1, median: 121, mean: 121 } });
    // D − start: Y1, Y2 01-02-2024 → 89; Y3 01-01-2024 → 120; Y4 01-11-2023 → 181; Y5 01-03-2022 → 791;
    // Y7 01-04-2024 → 29; Y8 01-01-2023 → 485.
    expect(await value('duration.active_measure_age_days')).toEqual({
      Aflastning: 89,
      Døgninstitution: 485,
      Familiebehandling: 181,
      Merudgifter: 120,
      Opholdssted: 791,
      Plejefamilie: 89,
      ukendt: 29,
    });
  });
});
