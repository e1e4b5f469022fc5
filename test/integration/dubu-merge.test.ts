import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu } from '@bu/etl';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';

// The merge's two paths (a key that repeats in the file, and none that does) and the linking of
// notifications to cases, which happens in the merge: what the performance work must not change.

const options = { pseudonymSecret: TEST_SECRET, exportDate: '2024-06-30' };

function exportDir(ydelser: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'bu-merge-'));
  const write = (file: string, lines: string[]) => writeFileSync(join(dir, file), lines.join('\n') + '\n');
  write('medarbejdere.csv', ['Initialer;Navn;Team;Stilling;Ansat fra;Ansat til', 'AA;Alma Andersen;Team Nord;Rådgiver;01-01-2020;']);
  write('sager.csv', [
    'Sagsnummer;CPR;Kommunenr;Sagsområde;Oprettet;Lukket',
    // child 1: a closed case, then a later one still open
    'C1;010114-4001;461;Udsatte;01-01-2022;31-12-2022',
    'C2;010114-4001;461;Udsatte;01-06-2023;',
    // child 2: one case, opened after the notification
    'C3;020214-4002;461;Udsatte;01-01-2024;',
    // child 3: two closed cases, both before the notification
    'C4;030314-4003;461;Handicap;01-01-2020;01-01-2021',
    'C5;030314-4003;461;Handicap;01-02-2021;01-06-2021',
    // child 2 again: a second case opened after the notification, later than C3
    'C8;020214-4002;461;Udsatte;01-03-2024;',
    // child 4: two cases open at receipt; the latest opened wins
    'C6;040414-4004;461;Udsatte;01-01-2022;',
    'C7;040414-4004;461;Udsatte;01-03-2022;',
  ]);
  write('sagsansvar.csv', [
    'Sagsnummer;Initialer;Fra;Til',
    'C1;AA;01-01-2022;',
    'C2;AA;01-06-2023;',
    'C3;AA;01-01-2024;',
    'C4;AA;01-01-2020;',
    'C5;AA;01-02-2021;',
  ]);
  write('underretninger.csv', [
    'Underretnings-ID;CPR;Modtaget;Vurderet;Kilde;Akut',
    'N1;010114-4001;15-03-2022 10:00;;Skole;Nej', // C1 open at receipt
    'N2;010114-4001;01-02-2023 10:00;;Skole;Nej', // none open: the first opened after (C2)
    'N3;020214-4002;01-06-2023 10:00;;Politi;Ja', // the first opened after (C3)
    'N4;030314-4003;01-01-2023 10:00;;Skole;Nej', // none open or later: the latest (C5)
    'N5;010114-4001;01-07-2023 10:00;;Skole;Nej', // C2 open at receipt
    'N6;040414-4004;01-06-2022 10:00;;Skole;Nej', // C6 and C7 open: the latest opened (C7)
  ]);
  write('ydelser.csv', [
    'Ydelses-ID;Sagsnummer;Lovgrundlag;Ydelse;Leverandør;Bevilget;Startdato;Slutdato;Månedlig udgift;Opfølgningskadence (måneder)',
    ...ydelser,
  ]);
  return dir;
}

const Y = (id: string, caseId: string, cost: string) =>
  `${id};${caseId};SEL § 52, stk. 3, nr. 3;Familiebehandling;;01-06-2023;01-06-2023;;${cost};`;

describe('DUBU merge: repeated ids and notifications linked to cases', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db?.drop());

  it('links each notification to the case open at receipt, else the next opened, else the latest', async () => {
    const result = await importDubu(db.pool, exportDir([Y('Y1', 'C2', '1.000,00'), Y('Y2', 'C3', '2.000,00')]), options);
    expect(result.status).toBe('succeeded');
    expect(result.loaded).toEqual({ caseworkers: 1, cases: 8, assignments: 5, notifications: 6, measures: 2 });
    expect(result.warnings.filter((w) => w.rule === 'W002')).toEqual([]);
    const { rows } = await db.pool.query('SELECT notification_id, case_id FROM notification ORDER BY notification_id');
    expect(rows.map((r) => [r.notification_id, r.case_id])).toEqual([
      ['N1', 'C1'],
      ['N2', 'C2'],
      ['N3', 'C3'],
      ['N4', 'C5'],
      ['N5', 'C2'],
      ['N6', 'C7'],
    ]);
  });

  it('keeps the last row of an id that repeats with other content (a warning for the earlier one), and an exact repeat once', async () => {
    const dir = exportDir([
      Y('Y1', 'C2', '1.000,00'),
      Y('Y2', 'C3', '2.000,00'),
      Y('Y1', 'C2', '1.500,00'),
      Y('Y2', 'C3', '2.000,00'),
      Y('Y3', 'C1', '3.000,00'),
    ]);
    const result = await importDubu(db.pool, dir, options);
    expect(result.status).toBe('succeeded');
    expect(result.warnings.filter((w) => w.rule === 'W002').map((w) => [w.file, w.line, w.value])).toEqual([['ydelser.csv', 2, 'Y1']]);
    expect(result.loaded.measures).toBe(2); // Y1 changed, Y3 new; Y2 the same
    expect(result.unchanged.measures).toBe(1);
    const { rows } = await db.pool.query('SELECT measure_id, monthly_cost FROM measure ORDER BY measure_id');
    expect(rows.map((r) => [r.measure_id, r.monthly_cost])).toEqual([
      ['Y1', '1500.00'],
      ['Y2', '2000.00'],
      ['Y3', '3000.00'],
    ]);
    // The same export again, staged anew (unstaged it would be skipped whole, ADR 0073), changes
    // nothing; notifications stay linked.
    const again = await importDubu(db.pool, dir, { ...options, restage: true });
    expect(again.loaded).toEqual({ caseworkers: 0, cases: 0, assignments: 0, notifications: 0, measures: 0 });
    expect(again.unchanged).toEqual({ caseworkers: 1, cases: 8, assignments: 5, notifications: 6, measures: 3 });
    const { rows: linked } = await db.pool.query('SELECT count(*)::int AS n FROM notification WHERE case_id IS NOT NULL');
    expect(linked[0].n).toBe(6);
  });

  it('keeps the last row of a repeated id in a first import too', async () => {
    const other = await createTestDatabase();
    try {
      const result = await importDubu(other.pool, exportDir([Y('Y1', 'C2', '1.000,00'), Y('Y1', 'C2', '1.500,00')]), options);
      expect(result.loaded.measures).toBe(1);
      expect(result.warnings.filter((w) => w.rule === 'W002').map((w) => [w.file, w.line, w.value])).toEqual([['ydelser.csv', 2, 'Y1']]);
      const { rows } = await other.pool.query('SELECT monthly_cost FROM measure');
      expect(rows).toEqual([{ monthly_cost: '1500.00' }]);
    } finally {
      await other.drop();
    }
  });
});
