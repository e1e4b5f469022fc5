import { join } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu } from '@bu/etl';
import { DEFAULT_SETTINGS } from '../settings';
import { kpiValue } from '../../../../test/support/kpi';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../../../../test/support/database';
import { DUBU_SMALL, FIXTURES } from '../../../../test/support/fixtures';

describe('data-quality KPIs', () => {
  let db: TestDatabase;
  const value = kpiValue(() => db, '2024-04-30');

  beforeAll(async () => {
    db = await createTestDatabase();
    await importDubu(db.pool, join(FIXTURES, 'dubu-chief'), { pseudonymSecret: TEST_SECRET, exportDate: '2024-04-30' });
  });
  afterAll(async () => db?.drop());

  it('dq.unknown_codes: Y7 "Mentorordning" was kept as ukendt', async () => {
    // One row kept as ukendt, by its code, opening to the row itself (ydelser.csv, Y7's line).
    expect(await value('dq.unknown_codes')).toEqual({
      count: 1,
      rows: [
        {
          code: 'Mentorordning',
          count: 1,
          issues: [{ file: 'ydelser.csv', line: 8, message: expect.stringContaining('Mentorordning') }],
        },
      ],
    });
  });

  const list = (v: unknown) => v as { count: number; rows: Record<string, unknown>[] };

  it('dq.open_measures_on_closed_cases: measures active at D on a case closed before D, the count opening to them', async () => {
    expect(await value('dq.open_measures_on_closed_cases')).toEqual({ count: 0, rows: [] }); // no case of dubu-chief is closed
    // Close C3 on 31-03-2024: Y2 Aflastning (01-02-2024 to 31-12-2024) and Y3 Merudgifter (from 01-01-2024,
    // open) are still active at D: 2, by start date. C3 is Alma Andersen's (AA, Team Nord).
    await db.pool.query(`UPDATE child_case SET closed = '2024-03-31' WHERE case_id = 'C3'`);
    const closed = list(await value('dq.open_measures_on_closed_cases'));
    expect(closed.count).toBe(2);
    expect(closed.rows).toEqual([
      {
        case: 'C3',
        measure: 'Y3',
        measureType: 'Merudgifter',
        worker: 'AA',
        team: 'Team Nord',
        started: '2024-01-01',
        ended: null,
        closed: '2024-03-31',
      },
      {
        case: 'C3',
        measure: 'Y2',
        measureType: 'Aflastning',
        worker: 'AA',
        team: 'Team Nord',
        started: '2024-02-01',
        ended: '2024-12-31',
        closed: '2024-03-31',
      },
    ]);
    // A team leader sees the own teams' cases only: Team Syd has none of them.
    expect(list(await value('dq.open_measures_on_closed_cases', { teams: ['Team Syd'] })).count).toBe(0);
    expect(list(await value('dq.open_measures_on_closed_cases', { teams: ['Team Nord'] })).count).toBe(2);
    // Closed on D itself is not "before D".
    await db.pool.query(`UPDATE child_case SET closed = '2024-04-30' WHERE case_id = 'C3'`);
    expect(list(await value('dq.open_measures_on_closed_cases')).count).toBe(0);
  });

  it('dq.missing_end_dates: no end date and started more than 5 years before D, the count opening to them', async () => {
    expect(list(await value('dq.missing_end_dates')).count).toBe(0); // the oldest open measure, Y5, started 01-03-2022
    // D − 5 years = 30-04-2019: a start on 29-04-2019 counts, on 30-04-2019 it does not.
    await db.pool.query(`UPDATE measure SET started = '2019-04-29' WHERE measure_id = 'Y5'`);
    await db.pool.query(`UPDATE measure SET started = '2019-04-30' WHERE measure_id = 'Y8'`);
    const missing = list(await value('dq.missing_end_dates'));
    expect(missing.count).toBe(1);
    expect(missing.rows.map((r) => [r.case, r.measure, r.measureType, r.started, r.ended])).toEqual([
      ['C7', 'Y5', 'Opholdssted', '2019-04-29', null],
    ]);
    // A case nobody has had is the intake team's (a setting); a measure whose case the case table
    // does not know has no team to be listed under, and is not listed.
    await db.pool.query(`INSERT INTO child_case (municipality_code, source, case_id, person_id, area, opened, closed)
      VALUES (461, 'dubu', 'C0', 'p0', 'Udsatte', '2018-01-01', NULL)`);
    await db.pool.query(`INSERT INTO measure (municipality_code, source, measure_id, case_id, measure_type, family, started) VALUES
      (461, 'dubu', 'Y0', 'C0', 'Kontaktperson', 'preventive', '2018-06-01'),
      (461, 'dubu', 'YX', 'CX', 'Kontaktperson', 'preventive', '2018-06-01')`);
    try {
      const settings = { ...DEFAULT_SETTINGS, intake_team: 'Visitationen' };
      const withIntake = list(await value('dq.missing_end_dates', { settings }));
      expect(withIntake.rows.map((r) => [r.case, r.measure, r.worker, r.team])).toEqual([
        ['C0', 'Y0', null, 'Visitationen'],
        ['C7', 'Y5', 'CC', 'Team Syd'],
      ]);
      expect(list(await value('dq.missing_end_dates', { settings, teams: ['Visitationen'] })).rows.map((r) => r.measure)).toEqual(['Y0']);
    } finally {
      await db.pool.query(`DELETE FROM measure WHERE measure_id IN ('Y0', 'YX')`);
      await db.pool.query(`DELETE FROM child_case WHERE case_id = 'C0'`);
    }
  });

  it('dq.rejected_rows: the newest import per source, by file and rule with line numbers', async () => {
    // Another, older snapshot in place of the chief fixture's: every open case goes, on purpose (the older-export and shrink guards allow it here).
    await importDubu(db.pool, DUBU_SMALL, { pseudonymSecret: TEST_SECRET, exportDate: '2024-02-29', allowOlder: true, allowShrink: true });
    const result = (await value('dq.rejected_rows')) as {
      count: number;
      rows: { file: string; rule: string; title: string; count: number; lines: number[]; issues: unknown[] }[];
    };
    expect(result.count).toBe(3);
    // Each rule with its Danish title (RULES), and the count opening to the rows themselves:
    // sager.csv line 14 ends 01-01-2024 before it starts 01-02-2024; line 15 opened 01-01-1969;
    // sagsansvar.csv line 17 names case S99, which sager.csv does not have.
    expect(result.rows.map(({ file, rule, title, count, lines, issues }) => ({ file, rule, title, count, lines, issues }))).toEqual([
      {
        file: 'sager.csv',
        rule: 'R003',
        title: 'Dato før 1970',
        count: 1,
        lines: [15],
        issues: [{ line: 15, value: '01-01-1969', message: expect.stringContaining('1970') }],
      },
      {
        file: 'sager.csv',
        rule: 'R005',
        title: 'Slutdato før startdato',
        count: 1,
        lines: [14],
        issues: [{ line: 14, value: expect.stringContaining('01-01-2024'), message: expect.stringMatching(/før/) }],
      },
      {
        file: 'sagsansvar.csv',
        rule: 'R011',
        title: 'Henviser til en ukendt sag',
        count: 1,
        lines: [17],
        issues: [{ line: 17, value: 'S99', message: 'Sagsnummer S99 findes ikke i sager.csv.' }],
      },
    ]);
  });
});
