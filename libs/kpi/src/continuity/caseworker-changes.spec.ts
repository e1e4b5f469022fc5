import { describe, expect, it } from 'vitest';
import { chiefFixture } from '../../../../test/support/kpi';

// Changes of responsible caseworker on test/fixtures/dubu-chief at D = 30-04-2024: the window is
// 01-05-2023 .. 30-04-2024 (D − 12 months = 30-04-2023 is outside it). Judged: cases open at D and
// opened on or before 30-04-2023 — C1 (AA from 01-01-2023), C3 (AA from 01-06-2022), C7 (CC from
// 01-01-2022), C9 (CC from 01-01-2023); C2, C4, C5, C6 and C8 were opened in 2024. Each case is its
// own child (but for the case one test adds). Workers: AA and BB in Team Nord, CC in Team Syd.
const D = '2024-04-30';
describe('continuity.caseworker_changes', () => {
  const { value, db } = chiefFixture(D);

  it('no change in the export: four children, none changed', async () => {
    expect(await value('continuity.caseworker_changes')).toEqual({
      children: 4,
      mean: 0,
      noChangeShare: 1,
      oneChangeShare: 0,
      twoOrMoreShare: 0,
    });
    // D = 30-06-2022: cases opened on or before 30-06-2021: none → nothing to divide by.
    expect(await value('continuity.caseworker_changes', { asOf: '2022-06-30' })).toEqual({
      children: 0,
      mean: null,
      noChangeShare: null,
      oneChangeShare: null,
      twoOrMoreShare: null,
    });
  });

  it('counts someone → someone else and nobody → someone, not someone → nobody, inside the window only', async () => {
    const pool = db().pool;
    const assign = (caseId: string, worker: string, from: string, to: string | null = null) =>
      pool.query(
        `INSERT INTO assignment (municipality_code, source, case_id, worker_id, valid_from, valid_to)
         SELECT municipality_code, source, case_id, $2, $3, $4 FROM child_case WHERE case_id = $1`,
        [caseId, worker, from, to],
      );
    // C1: AA → BB on 01-05-2023 (the window's first day), BB → AA on 01-09-2023 (the latest Fra
    // wins), AA → CC on 30-04-2024 (D itself): 3 changes.
    await assign('C1', 'BB', '2023-05-01');
    await assign('C1', 'AA', '2023-09-01');
    await assign('C1', 'CC', '2024-04-30');
    // C3: AA → nobody on 01-10-2023 (not a change), nobody → AA on 01-11-2023 when the gap ends (a change): 1.
    await assign('C3', '', '2023-10-01', '2023-10-31');
    // C7: CC → BB on 30-04-2023 = D − 12 months, outside the window: 0.
    await assign('C7', 'BB', '2023-04-30');
    // C9: CC → AA on 01-05-2024, after D: 0.
    await assign('C9', 'AA', '2024-05-01');
    try {
      // Children 4; changes 3 + 1 + 0 + 0 = 4 → mean 1; no change: C7, C9 → 2 / 4; one: C3 → 1 / 4; two or more: C1 → 1 / 4.
      expect(await value('continuity.caseworker_changes')).toEqual({
        children: 4,
        mean: 1,
        noChangeShare: 0.5,
        oneChangeShare: 0.25,
        twoOrMoreShare: 0.25,
      });
      // Team scope is the case's team at D: Team Nord holds C3 (AA) and C7 (BB): changes 1 + 0 → mean 0.5; one: C3 → 1 / 2.
      expect(await value('continuity.caseworker_changes', { teams: ['Team Nord'] })).toEqual({
        children: 2,
        mean: 0.5,
        noChangeShare: 0.5,
        oneChangeShare: 0.5,
        twoOrMoreShare: 0,
      });
      // Team Syd holds C1 (CC from D) and C9 (CC): 3 + 0 → mean 1.5; nobody with exactly one.
      expect(await value('continuity.caseworker_changes', { teams: ['Team Syd'] })).toEqual({
        children: 2,
        mean: 1.5,
        noChangeShare: 0.5,
        oneChangeShare: 0,
        twoOrMoreShare: 0.5,
      });
      // Without a scope the cases are read without their team (a shortcut): the same as a scope of
      // every team, the intake team's too; an empty scope judges nobody.
      expect(await value('continuity.caseworker_changes', { teams: ['Team Nord', 'Team Syd', 'Modtagelsen'] })).toEqual(
        await value('continuity.caseworker_changes'),
      );
      expect(((await value('continuity.caseworker_changes', { teams: [] })) as { children: number }).children).toBe(0);
      // D = 29-04-2024: the window is 30-04-2023 (D − 12 months = 29-04-2023) .. 29-04-2024: C1's change on
      // 30-04-2024 is after D (2 left) and C7's on 30-04-2023 is now inside it (1): 2 + 1 + 1 + 0 = 4 → mean 1;
      // no change: C9 → 1 / 4; one: C3, C7 → 2 / 4; two or more: C1 → 1 / 4.
      expect(await value('continuity.caseworker_changes', { asOf: '2024-04-29' })).toEqual({
        children: 4,
        mean: 1,
        noChangeShare: 0.25,
        oneChangeShare: 0.5,
        twoOrMoreShare: 0.25,
      });
    } finally {
      await pool.query(
        `DELETE FROM assignment a USING child_case c WHERE c.case_id = a.case_id AND c.source = a.source
           AND (a.case_id, a.worker_id, a.valid_from) IN (('C1','BB','2023-05-01'),('C1','AA','2023-09-01'),('C1','CC','2024-04-30'),
             ('C3','','2023-10-01'),('C7','BB','2023-04-30'),('C9','AA','2024-05-01'))`,
      );
    }
  });

  it("a change is a day: two of a child's cases changing on one day count once", async () => {
    const pool = db().pool;
    // C1's child gets a second case CZ, opened 01-01-2023 (judged). Both C1 and CZ go AA → BB on
    // 01-09-2023: one change; CZ alone goes BB → CC on 01-10-2023: a second. The child: 2 changes
    // (3 if each case's changes were added up). Children 4 (C1 and CZ are one); changes 2 → mean
    // 0.5; no change: C3, C7, C9 → 3 / 4; two or more: C1's child → 1 / 4.
    await pool.query(
      `INSERT INTO child_case (municipality_code, source, case_id, person_id, area, opened)
       SELECT municipality_code, source, 'CZ', person_id, area, '2023-01-01' FROM child_case WHERE case_id = 'C1'`,
    );
    const rows: [string, string, string, string | null][] = [
      ['CZ', 'AA', '2023-01-01', null],
      ['CZ', 'BB', '2023-09-01', null],
      ['CZ', 'CC', '2023-10-01', null],
      ['C1', 'BB', '2023-09-01', null],
    ];
    await assignAll(rows);
    try {
      expect(await value('continuity.caseworker_changes')).toEqual({
        children: 4,
        mean: 0.5,
        noChangeShare: 0.75,
        oneChangeShare: 0,
        twoOrMoreShare: 0.25,
      });
    } finally {
      await unassignAll(rows);
      await pool.query(`DELETE FROM child_case WHERE case_id = 'CZ'`);
    }
  });

  // Assignments a test adds, each as (case, worker, Fra, Til), and removes again.
  const assignAll = (rows: [string, string, string, string | null][]) =>
    Promise.all(
      rows.map(([caseId, worker, from, to]) =>
        db().pool.query(
          `INSERT INTO assignment (municipality_code, source, case_id, worker_id, valid_from, valid_to)
           SELECT municipality_code, source, case_id, $2, $3, $4 FROM child_case WHERE case_id = $1`,
          [caseId, worker, from, to],
        ),
      ),
    );
  const unassignAll = (rows: [string, string, string, string | null][]) =>
    Promise.all(
      rows.map(([caseId, worker, from]) =>
        db().pool.query(`DELETE FROM assignment WHERE case_id = $1 AND worker_id = $2 AND valid_from = $3`, [caseId, worker, from]),
      ),
    );

  it('the earlier worker responsible again the day after a later assignment ends: a change only when the worker differs', async () => {
    // C1: AA from 01-01-2023; BB covers 01-07-2023 .. 31-07-2023 → AA → BB on 01-07-2023, and BB → AA on
    // 01-08-2023 (AA's assignment still runs): 2 changes. C3: AA from 01-06-2022, and AA again 01-09-2023 ..
    // 30-09-2023 → AA → AA on 01-09-2023 and on 01-10-2023: no change. Children 4; changes 2 → mean 0.5;
    // no change: C3, C7, C9 → 3 / 4; two or more: C1 → 1 / 4.
    const rows: [string, string, string, string | null][] = [
      ['C1', 'BB', '2023-07-01', '2023-07-31'],
      ['C3', 'AA', '2023-09-01', '2023-09-30'],
    ];
    await assignAll(rows);
    try {
      expect(await value('continuity.caseworker_changes')).toEqual({
        children: 4,
        mean: 0.5,
        noChangeShare: 0.75,
        oneChangeShare: 0,
        twoOrMoreShare: 0.25,
      });
    } finally {
      await unassignAll(rows);
    }
  });

  it('two assignments with the same Fra: the higher caseworker id wins (docs/KPIS.md)', async () => {
    // C7: CC from 01-01-2022; AA and CC both from 01-09-2023. The latest Fra is a tie; CC > AA wins →
    // CC → CC on 01-09-2023: no change (AA winning would make it 1). Nothing changed: 4 children, mean 0.
    // At D the case is CC's, Team Syd's (with C9) → Team Syd judges 2 children (AA's Team Nord would have C7).
    const rows: [string, string, string, string | null][] = [
      ['C7', 'AA', '2023-09-01', null],
      ['C7', 'CC', '2023-09-01', null],
    ];
    await assignAll(rows);
    try {
      expect(await value('continuity.caseworker_changes')).toEqual({
        children: 4,
        mean: 0,
        noChangeShare: 1,
        oneChangeShare: 0,
        twoOrMoreShare: 0,
      });
      expect(((await value('continuity.caseworker_changes', { teams: ['Team Syd'] })) as { children: number }).children).toBe(2);
    } finally {
      await unassignAll(rows);
    }
  });

  it('a caseworker who has left, or is in no workers list, is still someone while assigned', async () => {
    // C7: CC → BB on 01-06-2023; BB left on 31-03-2024 (Ansat til) and is still assigned at D: 1 change
    // (the leaving is no assignment day). C9: CC → XX on 01-09-2023, XX in no workers list: someone, 1
    // change. Children 4; changes 2 → mean 0.5; no change: C1, C3 → 2 / 4; one: C7, C9 → 2 / 4.
    const rows: [string, string, string, string | null][] = [
      ['C7', 'BB', '2023-06-01', null],
      ['C9', 'XX', '2023-09-01', null],
    ];
    await assignAll(rows);
    try {
      expect(await value('continuity.caseworker_changes')).toEqual({
        children: 4,
        mean: 0.5,
        noChangeShare: 0.5,
        oneChangeShare: 0.5,
        twoOrMoreShare: 0,
      });
    } finally {
      await unassignAll(rows);
    }
  });

  it('a case opened exactly D − 12 months before D is judged; one day later it is not (leap day)', async () => {
    const pool = db().pool;
    // C5 opened 01-01-2024; move it to 28-02-2023. D = 29-02-2024 → D − 12 months = 28-02-2023 (clamped): judged.
    // Judged at 29-02-2024: C1, C3, C7, C9 (opened by then), C5 → 5.
    await pool.query(`UPDATE child_case SET opened = '2023-02-28' WHERE case_id = 'C5'`);
    try {
      expect(((await value('continuity.caseworker_changes', { asOf: '2024-02-29' })) as { children: number }).children).toBe(5);
      await pool.query(`UPDATE child_case SET opened = '2023-03-01' WHERE case_id = 'C5'`);
      expect(((await value('continuity.caseworker_changes', { asOf: '2024-02-29' })) as { children: number }).children).toBe(4);
    } finally {
      await pool.query(`UPDATE child_case SET opened = '2024-01-01' WHERE case_id = 'C5'`);
    }
  });
});
