import { describe, expect, it } from 'vitest';
import { chiefFixture } from '../../../../test/support/kpi';
import type { EffectChange } from './change';

// The chief's figures on test/fixtures/dubu-chief (dubu-deadlines plus N8, effect measurements and
// complaints) at D = 30-04-2024, P = 01-01-2024..30-04-2024; population from statistics-small
// (Odense, 0-17 år: 2023 40,000; 2024 40,100). Expected values are worked out in the comments.
const D = '2024-04-30';
describe('chief KPIs (activity, duration, cost, effect, complaints)', () => {
  const { value } = chiefFixture(D);

  it('effect.change: Δ = (last sum − first sum) / 5, same-date measurements averaged per theme', async () => {
    // child1: 10 → 15, Δ +1. child3: 01-02 two measurements (1s and 3s) average to 2s = 10; 15-04 10 → Δ 0.
    // child7: 20 → 19 (01-03), the 10-05 measurement is after D → Δ −0.2. child9 has one date only.
    const effect = (await value('effect.change')) as EffectChange;
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

// The read model keeps, per child, spans from each measurement date to the day before the next
// (ADR 0078): the edges of a span, on both paths (each value is computed from the facts and from
// the read model and must be the same). Timeline of the fixture: child1 01-02 (10), 01-04 (15);
// child3 01-02 (two measurements: 10); 15-04 (10); child7 01-01 (20), 01-03 (19), 10-05 (25);
// child9 01-03 (14).
describe('effect.change at the edges of a child’s spans', () => {
  const { db, value } = chiefFixture(D);
  type Effect = {
    children: number;
    meanChange: number | null;
    byMeasureType: Record<string, { children: number; meanChange: number | null }>;
  };
  const at = async (asOf: string) => (await value('effect.change', { asOf })) as Effect;

  it('counts a child from its second date on, and takes the latest total up to the day before the next', async () => {
    // 01-02: child3's two measurements are one date, child1 has one date, child7 one date by then: nobody.
    expect(await at('2024-02-01')).toMatchObject({ children: 0, meanChange: null, byMeasureType: {} });
    // 29-02, the day before child7's second date: still nobody; 01-03, on it: child7 (20 → 19).
    expect((await at('2024-02-29')).children).toBe(0);
    const march = await at('2024-03-01');
    expect(march.children).toBe(1);
    expect(march.meanChange).toBeCloseTo(-0.2, 12);
    // 31-03, the day before child1's second date: child7 only; 01-04, on it: child1 (+1) as well.
    expect((await at('2024-03-31')).children).toBe(1);
    const april = await at('2024-04-01');
    expect(april.children).toBe(2);
    expect(april.meanChange).toBeCloseTo((1 - 0.2) / 2, 12);
    // 09-05, the day before child7's third date: −0.2 still; 10-05, on it: 20 → 25, +1.
    expect((await at('2024-05-09')).byMeasureType.Opholdssted.meanChange).toBeCloseTo(-0.2, 12);
    expect((await at('2024-05-10')).byMeasureType.Opholdssted.meanChange).toBeCloseTo(1, 12);
  });

  it('joins a child’s cases: their dates are one history, same-date measurements averaged across them', async () => {
    // A second case for child1 (C10, from 01-03) with a Kontaktperson measure and measurements on
    // 15-03 (all 4s: 20) and on 01-04 (all 5s, beside C1's 3s that day: averaged to 4s, 20).
    const pool = db().pool;
    await pool.query(
      `INSERT INTO child_case (municipality_code, source, case_id, person_id, area, opened)
       SELECT municipality_code, source, 'C10', person_id, 'Udsatte', DATE '2024-03-01' FROM child_case WHERE case_id = 'C1'`,
    );
    await pool.query(
      `INSERT INTO measure (municipality_code, source, measure_id, case_id, measure_type, family, started)
       SELECT municipality_code, source, 'Y10', 'C10', 'Kontaktperson', 'preventive', DATE '2024-03-01' FROM child_case WHERE case_id = 'C10'`,
    );
    await pool.query(
      `INSERT INTO effect_measurement (municipality_code, source, case_id, measured_on, development, family_relations, school, health, leisure)
       SELECT municipality_code, source, 'C10', d, s, s, s, s, s FROM child_case, (VALUES (DATE '2024-03-15', 4), (DATE '2024-04-01', 5)) v(d, s)
       WHERE case_id = 'C10'`,
    );
    // 20-03: child1 10 → 20 (+2) with the types of both cases on 15-03; child7 −0.2.
    const march = await at('2024-03-20');
    expect(march.children).toBe(2);
    expect(Object.keys(march.byMeasureType)).toEqual(['Kontaktperson', 'Opholdssted', 'Plejefamilie']);
    expect(march.byMeasureType.Kontaktperson).toMatchObject({ children: 1, meanChange: 2 });
    // 30-04: child1 10 → 20 (+2), child3 0, child7 −0.2.
    const april = await at('2024-04-30');
    expect(april.children).toBe(3);
    expect(april.meanChange).toBeCloseTo((2 + 0 - 0.2) / 3, 12);
    expect(april.byMeasureType.Plejefamilie).toMatchObject({ children: 1, meanChange: 2 });
  });
});

// The statement returns a row per group, not per child: the groups' edges, on both paths.
describe('effect.change’s groups', () => {
  const { db, value } = chiefFixture(D);

  it('counts a child with no measure active on its latest date under "ingen aktiv foranstaltning"', async () => {
    // child6 (C6): 01-02 all 2s (10), 10-04 all 1s (5) → Δ −1; its Kontaktperson (Y6) ended 31-03.
    await db().pool.query(
      `INSERT INTO effect_measurement (municipality_code, source, case_id, measured_on, development, family_relations, school, health, leisure)
       SELECT municipality_code, source, 'C6', d, s, s, s, s, s FROM child_case, (VALUES (DATE '2024-02-01', 2), (DATE '2024-04-10', 1)) v(d, s)
       WHERE case_id = 'C6'`,
    );
    // 30-04: child1 +1, child3 0, child7 −0.2, child6 −1.
    const effect = (await value('effect.change')) as EffectChange;
    expect(effect).toMatchObject({ children: 4, improved: 1 / 4, unchanged: 1 / 4, worsened: 2 / 4 });
    expect(effect.meanChange).toBeCloseTo((1 + 0 - 0.2 - 1) / 4, 12);
    // Danish order, case aside: "ingen …" between Aflastning and Merudgifter.
    expect(Object.keys(effect.byMeasureType)).toEqual([
      'Aflastning',
      'ingen aktiv foranstaltning',
      'Merudgifter',
      'Opholdssted',
      'Plejefamilie',
    ]);
    expect(effect.byMeasureType['ingen aktiv foranstaltning']).toEqual({
      children: 1,
      meanChange: -1,
      improved: 0,
      unchanged: 0,
      worsened: 1,
    });
    // child3 (Δ 0) under both its types: nobody improved or worsened.
    expect(effect.byMeasureType.Merudgifter).toEqual({ children: 1, meanChange: 0, improved: 0, unchanged: 1, worsened: 0 });
  });
});
