import { describe, expect, it } from 'vitest';
import { chiefFixture } from '../../../../test/support/kpi';

// early.age_at_investigation_start on test/fixtures/dubu-chief at D = 30-04-2024, P = 01-01-2024 ..
// 30-04-2024. Birth dates from the CPR numbers (ddmmyy, 7th digit 4 → 2000s): C1 01-01-2014, C2
// 02-02-2014, C3 03-03-2014, C4 04-04-2014, C5 05-05-2014, C6 06-06-2014, C7 07-07-2014.
// Investigations: I1 C2 01-02-2024, I2 C4 15-12-2023, I3 C1 31-10-2023, I4 C3 01-11-2023, I5 C6
// 10-01-2024, I6 C5 14-01-2024, I7 C7 01-01-2022.
const D = '2024-04-30';
describe('early.age_at_investigation_start', () => {
  const { value, db } = chiefFixture(D);

  it('median age in years (days / 365.25) at the start of investigations started in P', async () => {
    // I1: 02-02-2014 → 01-02-2024 = 3,651 days; I5: 06-06-2014 → 10-01-2024 = 3,505; I6: 05-05-2014 → 14-01-2024 = 3,541.
    // Median of three: 3,541 / 365.25 = 9.6947 years.
    expect(await value('early.age_at_investigation_start')).toBeCloseTo(3541 / 365.25, 12);
    // P = 2023: I2 04-04-2014 → 15-12-2023 = 3,542; I3 01-01-2014 → 31-10-2023 = 3,590; I4 03-03-2014 → 01-11-2023 = 3,530 → 3,542 / 365.25.
    expect(
      await value('early.age_at_investigation_start', { asOf: '2023-12-31', period: { from: '2023-01-01', to: '2023-12-31' } }),
    ).toBeCloseTo(3542 / 365.25, 12);
    // P = 10-01-2024 .. 01-02-2024 with D = 31-01-2024: I5 and I6 (I1 starts after D) → (3,505 + 3,541) / 2 / 365.25.
    expect(
      await value('early.age_at_investigation_start', { asOf: '2024-01-31', period: { from: '2024-01-10', to: '2024-02-01' } }),
    ).toBeCloseTo((3505 + 3541) / 2 / 365.25, 12);
    // P = March 2024: none started → null.
    expect(await value('early.age_at_investigation_start', { period: { from: '2024-03-01', to: '2024-03-31' } })).toBeNull();
  });

  it('a leap-day birth, and a child with no birth date left out', async () => {
    const pool = db().pool;
    const personOf = `(SELECT person_id FROM child_case WHERE case_id = $1)`;
    // C2's child born 29-02-2016, I1 moved to 29-02-2024: 8 × 365 + 2 leap days (2020, 2024) = 2,922 days = 8.0 years.
    await pool.query(`UPDATE person SET birth_date = '2016-02-29' WHERE person_id = ${personOf}`, ['C2']);
    await pool.query(`UPDATE investigation SET started = '2024-02-29' WHERE investigation_id = 'I1'`);
    // C6's child has no birth date (a replacement CPR number): I5 left out.
    await pool.query(`UPDATE person SET birth_date = NULL WHERE person_id = ${personOf}`, ['C6']);
    try {
      // February 2024: I1 only → 8.
      expect(await value('early.age_at_investigation_start', { period: { from: '2024-02-01', to: '2024-02-29' } })).toBe(8);
      // P = 2024: I1 2,922 and I6 3,541 → (2,922 + 3,541) / 2 / 365.25.
      expect(await value('early.age_at_investigation_start')).toBeCloseTo((2922 + 3541) / 2 / 365.25, 12);
    } finally {
      await pool.query(`UPDATE person SET birth_date = '2014-02-02' WHERE person_id = ${personOf}`, ['C2']);
      await pool.query(`UPDATE person SET birth_date = '2014-06-06' WHERE person_id = ${personOf}`, ['C6']);
      await pool.query(`UPDATE investigation SET started = '2024-02-01' WHERE investigation_id = 'I1'`);
    }
  });

  it('counts each start: a child with two investigations started in P is there twice', async () => {
    const pool = db().pool;
    // C2's child again: I8 started 01-03-2024, 02-02-2014 → 01-03-2024 = 3,651 + 29 = 3,680 days.
    await pool.query(
      `INSERT INTO investigation (municipality_code, source, investigation_id, case_id, started) VALUES (461, 'dubu', 'I8', 'C2', '2024-03-01')`,
    );
    try {
      // 3,505, 3,541, 3,651, 3,680 → (3,541 + 3,651) / 2 / 365.25.
      expect(await value('early.age_at_investigation_start')).toBeCloseTo((3541 + 3651) / 2 / 365.25, 12);
    } finally {
      await pool.query(`DELETE FROM investigation WHERE investigation_id = 'I8'`);
    }
  });

  it('a birth date after the start gives a negative age, by the formula as written (the catalogue says no more)', async () => {
    const pool = db().pool;
    const personOf = `(SELECT person_id FROM child_case WHERE case_id = $1)`;
    // C2's child born 01-03-2024, after I1's start on 01-02-2024 (an investigation begun before the
    // birth): (01-02-2024 − 01-03-2024) / 365.25 = −29 / 365.25 = −0.0794 years.
    await pool.query(`UPDATE person SET birth_date = '2024-03-01' WHERE person_id = ${personOf}`, ['C2']);
    try {
      // February 2024: I1 only → −29 / 365.25.
      expect(await value('early.age_at_investigation_start', { period: { from: '2024-02-01', to: '2024-02-29' } })).toBeCloseTo(
        -29 / 365.25,
        12,
      );
      // P = 2024: −29 (I1), 3,505 (I5), 3,541 (I6) → 3,505 / 365.25 (I1 left out: (3,505 + 3,541) / 2 / 365.25).
      expect(await value('early.age_at_investigation_start')).toBeCloseTo(3505 / 365.25, 12);
    } finally {
      await pool.query(`UPDATE person SET birth_date = '2014-02-02' WHERE person_id = ${personOf}`, ['C2']);
    }
  });
});
