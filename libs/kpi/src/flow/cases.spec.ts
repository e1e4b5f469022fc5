import { describe, expect, it } from 'vitest';
import { chiefFixture } from '../../../../test/support/kpi';

// Cases opened and closed on test/fixtures/dubu-chief at D = 30-04-2024, P = 01-01-2024 .. 30-04-2024.
// Opened: C1 01-01-2023, C2 01-02-2024, C3 01-06-2022, C4 01-03-2024, C5 01-01-2024, C6 01-01-2024,
// C7 01-01-2022, C8 15-04-2024, C9 01-01-2023; none closed in the export.
const D = '2024-04-30';
describe('flow.cases_opened / flow.cases_closed', () => {
  const { value, db } = chiefFixture(D);

  it('cases opened in P, both ends inclusive', async () => {
    // In 2024 up to 30-04: C2, C4, C5, C6, C8 → 5 (C5 and C6 on P's first day).
    expect(await value('flow.cases_opened')).toBe(5);
    // P = 02-01-2024 .. 15-04-2024: C2, C4, C8 (on P's last day) → 3.
    expect(await value('flow.cases_opened', { period: { from: '2024-01-02', to: '2024-04-15' } })).toBe(3);
    // 2023: C1, C9 → 2. 2022: C3, C7 → 2.
    expect(await value('flow.cases_opened', { asOf: '2023-12-31', period: { from: '2023-01-01', to: '2023-12-31' } })).toBe(2);
    // A P reaching past D counts nothing after D: D = 31-03-2024, P = 2024 → C2, C4, C5, C6 → 4.
    expect(await value('flow.cases_opened', { asOf: '2024-03-31', period: { from: '2024-01-01', to: '2024-12-31' } })).toBe(4);
  });

  it('cases closed in P, counted as cases: one child with two cases closed counts twice', async () => {
    expect(await value('flow.cases_closed')).toBe(0);
    const pool = db().pool;
    // C6 closes 31-03-2024 and C5 29-02-2024 (leap day); C8's child gets a second case C10 closed 30-04-2024 (D);
    // C9 closes 01-05-2024, after D.
    await pool.query(`UPDATE child_case SET closed = '2024-03-31' WHERE case_id = 'C6'`);
    await pool.query(`UPDATE child_case SET closed = '2024-02-29' WHERE case_id = 'C5'`);
    await pool.query(`UPDATE child_case SET closed = '2024-05-01' WHERE case_id = 'C9'`);
    await pool.query(
      `INSERT INTO child_case (municipality_code, source, case_id, person_id, area, opened, closed)
       SELECT municipality_code, source, 'C10', person_id, area, '2024-04-20', '2024-04-30' FROM child_case WHERE case_id = 'C8'`,
    );
    await pool.query(`UPDATE child_case SET closed = '2024-04-30' WHERE case_id = 'C8'`);
    try {
      // P = 2024 up to D: C5, C6, C8, C10 → 4 cases (C8 and C10 one child); C9 is after D.
      expect(await value('flow.cases_closed')).toBe(4);
      // P = March 2024: C6 only (C5 on 29-02 is before P) → 1.
      expect(await value('flow.cases_closed', { asOf: '2024-03-31', period: { from: '2024-03-01', to: '2024-03-31' } })).toBe(1);
      // P = February 2024 (a leap year's February): C5 on its last day → 1.
      expect(await value('flow.cases_closed', { asOf: '2024-02-29', period: { from: '2024-02-01', to: '2024-02-29' } })).toBe(1);
      // And C10 opened in P as well: 5 + 1 = 6 opened.
      expect(await value('flow.cases_opened')).toBe(6);
    } finally {
      await pool.query(`DELETE FROM child_case WHERE case_id = 'C10'`);
      await pool.query(`UPDATE child_case SET closed = NULL WHERE case_id IN ('C5', 'C6', 'C8', 'C9')`);
    }
  });
});
