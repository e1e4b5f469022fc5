import { describe, expect, it } from 'vitest';
import { chiefFixture } from '../../../../test/support/kpi';

// placement.replacement_12m on test/fixtures/dubu-chief at D = 30-04-2024: the window of ends is
// 30-04-2022 < end <= 30-04-2023. The export's placements never ended (Y1 Plejefamilie on C1 from
// 01-02-2024, Y5 on C7 from 2022, Y8 on C9 from 2023), so the test adds ended ones (each case its own child).
const D = '2024-04-30';
describe('placement.replacement_12m', () => {
  const { value, db } = chiefFixture(D);

  it('no placement ended in the window: nothing to divide by', async () => {
    expect(await value('placement.replacement_12m')).toBeNull();
  });

  // A placement (a copy of Y5, Opholdssted) on a case, from `started` to `ended`.
  const place = (id: string, caseId: string, started: string, ended: string | null) =>
    db().pool.query(
      `INSERT INTO measure (municipality_code, source, measure_id, case_id, legal_basis, law, paragraph, measure_type, family, family_care, started, ended, monthly_cost)
       SELECT municipality_code, source, $1, $2, legal_basis, law, paragraph, measure_type, family, family_care, $3, $4, monthly_cost
       FROM measure WHERE measure_id = 'Y5'`,
      [id, caseId, started, ended],
    );

  it('the share of children placed again within 12 months after their latest end in the window', async () => {
    const pool = db().pool;
    // C1's child: placed 01-01-2022 .. 31-01-2023 (in the window), nothing on 01-02-2023; Y1 starts
    // 01-02-2024, after 31-01-2023 + 12 months = 31-01-2024 → judged, not placed again.
    await place('T1', 'C1', '2022-01-01', '2023-01-31');
    // C3's child: an end on 30-04-2022 (= D − 24 months: outside) and one on 30-04-2023 (= D − 12 months:
    // inside, the latest); placed again 15-06-2023 → placed again.
    await place('T2', 'C3', '2021-01-01', '2022-04-30');
    await place('T3', 'C3', '2022-06-01', '2023-04-30');
    await place('T4', 'C3', '2023-06-15', null);
    // C5's child: 01-01-2022 .. 31-03-2023, then moved on 01-04-2023 (a placement active the next day:
    // no end), which ends 31-12-2023 (after the window) → not judged.
    await place('T5', 'C5', '2022-01-01', '2023-03-31');
    await place('T6', 'C5', '2023-04-01', '2023-12-31');
    // C6's child: ended 15-05-2022 (in the window), never placed again → judged, not placed again.
    await place('T7', 'C6', '2021-05-15', '2022-05-15');
    try {
      // Judged: C1, C3, C6 → 3; placed again: C3 → 1 / 3.
      expect(await value('placement.replacement_12m')).toBeCloseTo(1 / 3, 12);
      // C1's end on 01-02-2023 instead: + 12 months = 01-02-2024 = Y1's start (inclusive) → 2 / 3.
      await pool.query(`UPDATE measure SET ended = '2023-02-01' WHERE measure_id = 'T1'`);
      expect(await value('placement.replacement_12m')).toBeCloseTo(2 / 3, 12);
      // D = 31-05-2024: window 31-05-2022 < end <= 31-05-2023: C6's end 15-05-2022 leaves it → 2 / 2.
      expect(await value('placement.replacement_12m', { asOf: '2024-05-31' })).toBe(1);
      // D = 29-02-2024 (leap day): window 28-02-2022 < end <= 28-02-2023 (29-02 − 12 months is clamped to 28-02):
      // C1 (01-02-2023, placed again 01-02-2024: within), C3 (its latest end in this window is 30-04-2022; placed
      // again 01-06-2022: within), C6 (15-05-2022, never again) → 2 / 3.
      expect(await value('placement.replacement_12m', { asOf: '2024-02-29' })).toBeCloseTo(2 / 3, 12);
      // D = 28-02-2025: window 28-02-2023 < end <= 28-02-2024: C3's 30-04-2023 (placed again 15-06-2023) and C5's
      // 31-12-2023 (T6; never placed again) → 1 / 2.
      expect(await value('placement.replacement_12m', { asOf: '2025-02-28' })).toBe(0.5);
    } finally {
      await pool.query(`DELETE FROM measure WHERE measure_id LIKE 'T_'`);
    }
  });

  it('an overlapping next placement is a move, not an end', async () => {
    // C5's child: T1 01-01-2022 .. 31-12-2022 (in the window), T2 from 01-10-2022 (started before T1
    // ended) .. 31-12-2023 (after the window). T2 is active on 01-01-2023 → T1's end is no end; no
    // other end in the window → nobody judged: null (T1 counted as an end would judge C5, not placed again: 0).
    await place('T1', 'C5', '2022-01-01', '2022-12-31');
    await place('T2', 'C5', '2022-10-01', '2023-12-31');
    try {
      expect(await value('placement.replacement_12m')).toBeNull();
    } finally {
      await db().pool.query(`DELETE FROM measure WHERE measure_id IN ('T1', 'T2')`);
    }
  });

  it("a move onto another of the child's cases is not an end", async () => {
    const pool = db().pool;
    // C1's child gets a second case CZ. T1 on C1 01-01-2022 .. 31-01-2023 (in the window); T2 on CZ from
    // 01-02-2023, the next day, .. 31-12-2023 (after the window) → a move: nobody judged, null (T1 counted
    // as an end would judge C1's child, placed again by T2 within 12 months: 1).
    await pool.query(
      `INSERT INTO child_case (municipality_code, source, case_id, person_id, area, opened)
       SELECT municipality_code, source, 'CZ', person_id, area, '2023-01-15' FROM child_case WHERE case_id = 'C1'`,
    );
    await place('T1', 'C1', '2022-01-01', '2023-01-31');
    await place('T2', 'CZ', '2023-02-01', '2023-12-31');
    try {
      expect(await value('placement.replacement_12m')).toBeNull();
    } finally {
      await pool.query(`DELETE FROM measure WHERE measure_id IN ('T1', 'T2')`);
      await pool.query(`DELETE FROM child_case WHERE case_id = 'CZ'`);
    }
  });

  it('judges the latest qualifying end, not a later move in the window', async () => {
    // C3's child: T1 01-01-2021 .. 30-06-2022, nothing on 01-07-2022 → an end in the window; T2
    // 01-09-2022 .. 31-01-2023, moved to T3 01-02-2023 .. 31-12-2023 → T2's later end is no end, T3's is
    // after the window. Judged at 30-06-2022: T2 starts 01-09-2022 <= 30-06-2023 → placed again: 1 / 1 = 1
    // (taking the latest end, 31-01-2023, and then finding it a move would judge nobody: null).
    await place('T1', 'C3', '2021-01-01', '2022-06-30');
    await place('T2', 'C3', '2022-09-01', '2023-01-31');
    await place('T3', 'C3', '2023-02-01', '2023-12-31');
    try {
      expect(await value('placement.replacement_12m')).toBe(1);
    } finally {
      await db().pool.query(`DELETE FROM measure WHERE measure_id IN ('T1', 'T2', 'T3')`);
    }
  });
});
