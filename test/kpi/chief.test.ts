import { join } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu, importStatistics } from '@bu/etl';
import { kpiValue } from '../support/kpi';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { FIXTURES } from '../support/fixtures';

// The chief's figures on test/fixtures/dubu-chief (dubu-deadlines plus N8, effect measurements and
// complaints) at D = 30-04-2024, P = 01-01-2024..30-04-2024; population from statistics-small
// (Odense, 0-17 år: 2023 40,000; 2024 40,100). Expected values are worked out in the comments.
const D = '2024-04-30';

describe('chief KPIs (activity, duration, cost, effect, complaints)', () => {
  let db: TestDatabase;
  const value = kpiValue(() => db, D);

  beforeAll(async () => {
    db = await createTestDatabase();
    expect((await importDubu(db.pool, join(FIXTURES, 'dubu-chief'), { pseudonymSecret: TEST_SECRET, exportDate: D })).rejected).toEqual([]);
    await importStatistics(db.pool, join(FIXTURES, 'statistics-small'), { pseudonymSecret: TEST_SECRET });
  });
  afterAll(async () => db?.drop());

  it('notifications in P: 7 (N6 is from 2023), 6 children, one notified twice', async () => {
    expect(await value('activity.notifications')).toBe(7);
    expect(await value('activity.notifications_per_1000')).toBeCloseTo((7 / 40_100) * 1000, 12);
    expect(await value('activity.children_notified')).toBe(6);
    expect(await value('activity.repeat_notification_share')).toBe(1 / 6);
    expect(await value('activity.notifications_by_source')).toEqual({ skole: 3, anonym: 1, dagtilbud: 1, politi: 1, sundhed: 1 });
  });

  it('per 1,000 uses the latest earlier published year when D’s year is not published', async () => {
    // D in 2025: no 2025 population → 2024's 40,100. Notifications received in 2025: none.
    expect(await value('activity.notifications_per_1000', { asOf: '2025-01-31', period: { from: '2025-01-01', to: '2025-01-31' } })).toBe(
      0,
    );
    // No population at all for København (101) in 0-17 år → null, never a division by zero.
    expect(await value('activity.notifications_per_1000', { municipality: 101 })).toBeNull();
  });

  it('investigations started (I1, I5, I6) and completed (I3, I4, I5) in P', async () => {
    expect(await value('activity.investigations_started')).toBe(3);
    expect(await value('activity.investigations_completed')).toBe(3);
  });

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

  it('complaints decided in P by outcome, and the reversal rate without dismissed ones', async () => {
    // K1 stadfæstet 01-03, K2 ændret 15-03, K3 afvist 10-01, K5 hjemvist 20-04; K4 undecided; K6 decided in 2023.
    expect(await value('complaints.decided')).toEqual({ stadfæstet: 1, ændret: 1, ophævet: 0, hjemvist: 1, afvist: 1 });
    // (ændret + ophævet + hjemvist) / (decided − afvist) = 2 / 3
    expect(await value('complaints.reversal_rate')).toBe(2 / 3);
    expect(await value('complaints.reversal_rate', { period: { from: '2024-01-01', to: '2024-01-31' } })).toBeNull();
  });
});
