import { describe, expect, it } from 'vitest';
import { kpiById, SUPPRESSED } from '@bu/kpi';
import { chiefFixture } from '../../../../test/support/kpi';

// Children with an open case on test/fixtures/dubu-chief at D = 30-04-2024; population from
// statistics-small (Odense, 0-17 år: 2023 40,000; 2024 40,100). Cases (each its own child):
// C1 01-01-2023, C2 01-02-2024, C3 01-06-2022, C4 01-03-2024, C5 01-01-2024, C6 01-01-2024,
// C7 01-01-2022, C8 15-04-2024, C9 01-01-2023 — none closed in the export.
const D = '2024-04-30';
describe('activity.children_with_open_case', () => {
  const { value, ctx, db } = chiefFixture(D);

  it('distinct children with a case open at D, and per 1,000 0-17-year-olds', async () => {
    // All nine cases are open at 30-04-2024: 9 children.
    expect(await value('activity.children_with_open_case')).toBe(9);
    // 9 / 40,100 × 1000 (2024's population).
    expect(await value('activity.children_with_open_case_per_1000')).toBeCloseTo((9 / 40_100) * 1000, 12);
    // D = 29-02-2024 (leap day): C4 (01-03) and C8 (15-04) not yet opened → 7; P's year 2024 → 40,100.
    expect(await value('activity.children_with_open_case', { asOf: '2024-02-29' })).toBe(7);
    // D = 31-12-2023: C1, C3, C7, C9 → 4 children; population of 2023: 4 / 40,000 × 1000 = 0.1.
    expect(await value('activity.children_with_open_case_per_1000', { asOf: '2023-12-31' })).toBeCloseTo(0.1, 12);
  });

  it('counts a case opened on D itself (opened <= D)', async () => {
    // C8 is opened on 15-04-2024. D = 15-04-2024: all nine cases opened by then (C4 01-03, the rest
    // earlier, C8 on D) → 9. D = 14-04-2024: C8 not yet → 8.
    expect(await value('activity.children_with_open_case', { asOf: '2024-04-15' })).toBe(9);
    expect(await value('activity.children_with_open_case', { asOf: '2024-04-14' })).toBe(8);
  });

  it('counts children, not cases, and a case open through its closing day', async () => {
    // C9 closes on 30-04-2024 (still open at D: closed >= D); C7 closes 29-04-2024 (not open at D);
    // and C8's child gets a second case C10, so C8 and C10 are one child. 9 − 1 (C7) = 8.
    const pool = db().pool;
    await pool.query(`UPDATE child_case SET closed = '2024-04-30' WHERE case_id = 'C9'`);
    await pool.query(`UPDATE child_case SET closed = '2024-04-29' WHERE case_id = 'C7'`);
    await pool.query(
      `INSERT INTO child_case (municipality_code, source, case_id, person_id, area, opened)
       SELECT municipality_code, source, 'C10', person_id, area, '2024-04-20' FROM child_case WHERE case_id = 'C8'`,
    );
    try {
      expect(await value('activity.children_with_open_case')).toBe(8);
      // The day after, C9 is closed too: 7.
      expect(await value('activity.children_with_open_case', { asOf: '2024-05-01' })).toBe(7);
    } finally {
      await pool.query(`DELETE FROM child_case WHERE case_id = 'C10'`);
      await pool.query(`UPDATE child_case SET closed = NULL WHERE case_id IN ('C7', 'C9')`);
    }
  });

  it('for the committee: a count of 1..4 is "<5", and the rate resting on it is withheld', async () => {
    const count = kpiById('activity.children_with_open_case')!;
    const rate = kpiById('activity.children_with_open_case_per_1000')!;
    expect(count.suppress!(9)).toBe(9);
    expect(count.suppress!(4)).toEqual(SUPPRESSED);
    expect(count.suppress!(0)).toBe(0);
    // The rate is given the counts it rests on (the API does so for the committee): 9 children, shown.
    const basis = (asOf = D) => rate.fraction!(ctx({ asOf, period: { from: `${asOf.slice(0, 4)}-01-01`, to: asOf } }));
    const nine = await value('activity.children_with_open_case_per_1000');
    expect(rate.suppress!(nine, await basis())).toBe(nine);
    // 4 children at 31-12-2023: withheld, the number is never sent.
    const four = await value('activity.children_with_open_case_per_1000', { asOf: '2023-12-31' });
    expect(await basis('2023-12-31')).toMatchObject({ numerator: 4 });
    expect(rate.suppress!(four, await basis('2023-12-31'))).toEqual(SUPPRESSED);
    // No population gives null, which stays.
    expect(rate.suppress!(null)).toBeNull();
  });
});
