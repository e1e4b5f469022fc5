import { describe, expect, it } from 'vitest';
import { chiefFixture } from '../../../../test/support/kpi';

// The chief's figures on test/fixtures/dubu-chief (dubu-deadlines plus N8, effect measurements and
// complaints) at D = 30-04-2024, P = 01-01-2024..30-04-2024; population from statistics-small
// (Odense, 0-17 år: 2023 40,000; 2024 40,100). Expected values are worked out in the comments.
const D = '2024-04-30';
describe('chief KPIs (activity, duration, cost, effect, complaints)', () => {
  const { value } = chiefFixture(D);

  it('effect.change: Δ = (last sum − first sum) / 5, same-date measurements averaged per theme', async () => {
    // child1: 10 → 15, Δ +1. child3: 01-02 two measurements (1s and 3s) average to 2s = 10; 15-04 10 → Δ 0.
    // child7: 20 → 19 (01-03), the 10-05 measurement is after D → Δ −0.2. child9 has one date only.
    const effect = (await value('effect.change')) as {
      children: number;
      meanChange: number;
      improved: number;
      unchanged: number;
      worsened: number;
      byMeasureType: Record<string, { children: number; meanChange: number }>;
    };
    expect(effect.children).toBe(3);
    expect(effect.meanChange).toBeCloseTo((1 + 0 - 0.2) / 3, 12);
    expect([effect.improved, effect.unchanged, effect.worsened]).toEqual([1 / 3, 1 / 3, 1 / 3]);
    // Measure types active on each child's latest date: child1 Plejefamilie; child3 Aflastning and
    // Merudgifter (counted under each); child7 Opholdssted.
    expect(Object.keys(effect.byMeasureType)).toEqual(['Aflastning', 'Merudgifter', 'Opholdssted', 'Plejefamilie']);
    expect(effect.byMeasureType.Plejefamilie).toMatchObject({ children: 1, meanChange: 1, improved: 1 });
    expect(effect.byMeasureType.Opholdssted.meanChange).toBeCloseTo(-0.2, 12);
  });
});
