import { describe, expect, it } from 'vitest';
import { chiefFixture } from '../../../../test/support/kpi';

// The chief's figures on test/fixtures/dubu-chief (dubu-deadlines plus N8, effect measurements and
// complaints) at D = 30-04-2024, P = 01-01-2024..30-04-2024; population from statistics-small
// (Odense, 0-17 år: 2023 40,000; 2024 40,100). Expected values are worked out in the comments.
const D = '2024-04-30';
describe('chief KPIs (activity, duration, cost, effect, complaints)', () => {
  const { value } = chiefFixture(D);

  it('complaints decided in P by outcome, and the reversal rate without dismissed ones', async () => {
    // K1 stadfæstet 01-03, K2 ændret 15-03, K3 afvist 10-01, K5 hjemvist 20-04; K4 undecided; K6 decided in 2023.
    expect(await value('complaints.decided')).toEqual({ stadfæstet: 1, ændret: 1, ophævet: 0, hjemvist: 1, afvist: 1 });
    // (ændret + ophævet + hjemvist) / (decided − afvist) = 2 / 3
    expect(await value('complaints.reversal_rate')).toBe(2 / 3);
    expect(await value('complaints.reversal_rate', { period: { from: '2024-01-01', to: '2024-01-31' } })).toBeNull();
  });
});
