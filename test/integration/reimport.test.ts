import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu, purgeExpired } from '@bu/etl';
import type { ImportOptions } from '@bu/etl';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';

// Cheap re-imports (ADR 0073): an export whose every file matches the snapshot in force is not
// staged again; an export with a changed file or changed rows is staged in full and gives the new
// data. Whether a file was staged is seen without a clock: staging reports each file it reads
// (onProgress), and every staged table becomes or replaces a partition named after its import.

interface Export {
  cost?: string;
  measures?: string[];
  worker?: string;
  notificationReceived?: string;
}

function exportDir({
  cost = '1.000,00',
  measures = [],
  worker = 'Alma Andersen',
  notificationReceived = '15-03-2022 10:00',
}: Export = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'bu-reimport-'));
  const write = (file: string, lines: string[]) => writeFileSync(join(dir, file), lines.join('\n') + '\n');
  write('medarbejdere.csv', ['Initialer;Navn;Team;Stilling;Ansat fra;Ansat til', `AA;${worker};Team Nord;Rådgiver;01-01-2020;`]);
  write('sager.csv', [
    'Sagsnummer;CPR;Kommunenr;Sagsområde;Oprettet;Lukket',
    'C1;010114-4001;461;Udsatte;01-01-2022;',
    'C2;020214-4002;461;Handicap;01-06-2023;',
  ]);
  write('sagsansvar.csv', ['Sagsnummer;Initialer;Fra;Til', 'C1;AA;01-01-2022;', 'C2;AA;01-06-2023;']);
  write('underretninger.csv', ['Underretnings-ID;CPR;Modtaget;Vurderet;Kilde;Akut', `N1;010114-4001;${notificationReceived};;Skole;Nej`]);
  write('ydelser.csv', [
    'Ydelses-ID;Sagsnummer;Lovgrundlag;Ydelse;Leverandør;Bevilget;Startdato;Slutdato;Månedlig udgift;Opfølgningskadence (måneder)',
    `Y1;C1;SEL § 52, stk. 3, nr. 3;Familiebehandling;;01-06-2023;01-06-2023;;${cost};`,
    'Y2;C2;BL § 32;Kontaktperson;;01-02-2024;01-02-2024;;500,00;',
    // Rejected by the parser (30 February): the rejected rows of the earlier import stay valid.
    'Y3;C2;BL § 32;Kontaktperson;;01-02-2024;30-02-2024;;500,00;',
    ...measures,
  ]);
  return dir;
}

describe('re-importing a case-system export', () => {
  let db: TestDatabase;
  // Some runs go back to an earlier export date on purpose.
  const base = { pseudonymSecret: TEST_SECRET, exportDate: '2024-06-30', allowOlder: true };
  /** Imports `dir`; the files staging read (each reports its progress as it ends). */
  const imported = async (dir: string, options: Partial<ImportOptions> = {}) => {
    const read = new Set<string>();
    const result = await importDubu(db.pool, dir, { ...base, ...options, onProgress: (p) => read.add(p.file) });
    expect(result.error).toBeUndefined();
    return { result, read: [...read].sort() };
  };
  /** The municipality's partition of each table (its name says which import built it). */
  const partitions = async (): Promise<Record<string, string>> => {
    const { rows } = await db.pool.query(
      `SELECT p.relname AS parent, c.relname AS partition FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
       WHERE pg_get_expr(c.relpartbound, c.oid) = $1 ORDER BY 1`,
      [`FOR VALUES IN ('461')`],
    );
    return Object.fromEntries(rows.map((r) => [r.parent, r.partition]));
  };
  const measures = async () =>
    (await db.pool.query(`SELECT measure_id, case_id, monthly_cost FROM measure WHERE municipality_code = 461 ORDER BY 1`)).rows;
  const issues = async (importId: string) =>
    (
      await db.pool.query(`SELECT severity, file, line, rule, value, message FROM import_issue WHERE import_id = $1 ORDER BY id`, [
        importId,
      ])
    ).rows;
  const run = async (importId: string) =>
    (
      await db.pool.query(
        `SELECT status, same_as::text AS "sameAs", export_date::text AS "exportDate", files FROM import_run WHERE id = $1`,
        [importId],
      )
    ).rows[0];

  let first: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    const { result, read } = await imported(exportDir());
    first = result.importId;
    expect(read).toEqual(['medarbejdere.csv', 'sager.csv', 'sagsansvar.csv', 'underretninger.csv', 'ydelser.csv']);
  });
  afterAll(async () => db?.drop());

  it('does not stage an unchanged export again: the same data, the run marked unchanged, the rejected rows kept', async () => {
    const before = { partitions: await partitions(), measures: await measures() };
    const { result, read } = await imported(exportDir());
    // No file was read, no partition built.
    expect(read).toEqual([]);
    expect(await partitions()).toEqual(before.partitions);
    expect(await measures()).toEqual(before.measures);
    expect(before.measures).toEqual([
      { measure_id: 'Y1', case_id: 'C1', monthly_cost: '1000.00' },
      { measure_id: 'Y2', case_id: 'C2', monthly_cost: '500.00' },
    ]);
    expect(result.sameAs).toBe(first);
    expect(result.loaded).toEqual({});
    expect(result.removed).toEqual({});
    // Everything in force counts as unchanged: 1 caseworker, 2 cases, 2 assignments, 1 notification, 2 measures.
    expect(result.unchanged).toEqual({ caseworkers: 1, cases: 2, assignments: 2, notifications: 1, measures: 2 });
    expect(result.exportDate).toBe('2024-06-30');
    expect(result.municipality).toBe(461);
    // The earlier import's issues, in the new run too (the data-quality page reads the newest run's).
    expect(result.rejectedCount).toBe(1);
    expect(result.rejected).toEqual([expect.objectContaining({ file: 'ydelser.csv', line: 4, rule: 'R002' })]);
    expect(await issues(result.importId)).toEqual(await issues(first));
    const recorded = await run(result.importId);
    expect(recorded).toMatchObject({ status: 'succeeded', sameAs: first, exportDate: '2024-06-30' });
    expect(recorded.files).toEqual((await run(first)).files);
    // The snapshot in force is still the one the first import loaded.
    const { rows } = await db.pool.query(
      `SELECT import_id::text AS id FROM source_snapshot WHERE municipality_code = 461 AND source = 'dubu'`,
    );
    expect(rows).toEqual([{ id: first }]);
  });

  it('purges the copied rejected values of an unchanged re-import when the original import expires', async () => {
    // The copies must not restart the retention clock (SECREVIEW M4). The original import is made
    // 100 days old; the default retention.import_issue_values_days is 90, so at now both its values
    // and those copied into today's unchanged re-import are past their time (100 > 90), while the
    // re-import itself finished today.
    const { result } = await imported(exportDir());
    expect(result.sameAs).toBe(first);
    await db.pool.query(
      `UPDATE import_run SET started_at = started_at - interval '100 days', finished_at = finished_at - interval '100 days' WHERE id = $1`,
      [first],
    );
    const rejected = async (id: string) => (await issues(id)).filter((i) => i.rule === 'R002');
    expect(await rejected(result.importId)).toEqual([expect.objectContaining({ line: 4, value: '30-02-2024' })]);
    await purgeExpired(db.pool, { now: new Date() });
    for (const id of [first, result.importId])
      expect(await rejected(id)).toEqual([
        expect.objectContaining({
          file: 'ydelser.csv',
          line: 4,
          rule: 'R002',
          value: null,
          message: expect.stringMatching(/værdien er slettet/),
        }),
      ]);
    // A later unchanged re-import copies the erased rows: no value comes back.
    const again = await imported(exportDir());
    expect(again.result.sameAs).toBe(first);
    expect((await rejected(again.result.importId)).map((i) => i.value)).toEqual([null]);
  });

  it('stages it again when asked (--restage), under another export date or another pseudonym key', async () => {
    for (const options of [{ restage: true }, { exportDate: '2024-07-31' }, { pseudonymSecret: `${TEST_SECRET}-other` }]) {
      const { result, read } = await imported(exportDir(), options);
      expect(read).toHaveLength(5);
      expect(result.sameAs).toBeUndefined();
    }
  });

  it('stages only a changed export: one changed file gives its new data, the other tables keep their partitions', async () => {
    // The key of the last run back (the previous test ended under another key).
    await imported(exportDir(), { restage: true });
    const before = await partitions();
    const { result, read } = await imported(exportDir({ cost: '1.250,00' }));
    expect(read).toHaveLength(5);
    expect(result.sameAs).toBeUndefined();
    expect(result.loaded).toEqual({ caseworkers: 0, cases: 0, assignments: 0, notifications: 0, measures: 1 });
    expect(await measures()).toEqual([
      { measure_id: 'Y1', case_id: 'C1', monthly_cost: '1250.00' },
      { measure_id: 'Y2', case_id: 'C2', monthly_cost: '500.00' },
    ]);
    const after = await partitions();
    expect(after.measure).toBe(`measure_m461_i${result.importId}`);
    expect(after.child_case).toBe(before.child_case);
    expect(after.assignment).toBe(before.assignment);
    // The same changed export once more: now it is the snapshot in force, and not staged.
    const again = await imported(exportDir({ cost: '1.250,00' }));
    expect(again.read).toEqual([]);
    expect(again.result.sameAs).toBe(result.importId);
  });

  it('gives the right rows when rows of a file are added, changed and removed', async () => {
    // Y1 changed (cost), Y2 removed, Y4 and Y5 added (Y5 on an unknown case: rejected by the reference rule).
    const dir = exportDir({
      cost: '999,00',
      measures: ['Y4;C2;BL § 32;Aflastning;;01-03-2024;01-03-2024;;700,00;', 'Y5;C9;BL § 32;Aflastning;;01-03-2024;01-03-2024;;700,00;'],
    });
    const ydelser = join(dir, 'ydelser.csv');
    const { readFileSync } = await import('fs');
    writeFileSync(ydelser, readFileSync(ydelser, 'utf8').replace(/^Y2;.*\n/m, ''));
    // Removing one of 4 rows of open cases is more than the 10 % an import may remove unasked.
    const { result } = await imported(dir, { allowShrink: true });
    // Y1 updated and Y4 new: 2 loaded; Y2 removed: 1; nothing else of the measures unchanged.
    expect(result.loaded.measures).toBe(2);
    expect(result.removed.measures).toBe(1);
    expect(result.unchanged.measures).toBe(0);
    expect(result.rejected.map((r) => `${r.line} ${r.rule}`)).toEqual(['3 R002', '5 R011']);
    expect(await measures()).toEqual([
      { measure_id: 'Y1', case_id: 'C1', monthly_cost: '999.00' },
      { measure_id: 'Y4', case_id: 'C2', monthly_cost: '700.00' },
    ]);
    // Imported once more, unchanged: the same rows, and the same rejected rows.
    const again = await imported(dir);
    expect(again.read).toEqual([]);
    expect(await measures()).toHaveLength(2);
    expect(again.result.rejected.map((r) => `${r.line} ${r.rule}`)).toEqual(['3 R002', '5 R011']);
  });

  it('stages the same files again once an event in them that was in the future has happened (another default export date)', async () => {
    // No export date given: the default is the newest event not after today. N1 is received on
    // 10 December 2026; imported on 3 December, the default is 1 February 2024 (Y2's start).
    const dir = () => exportDir({ notificationReceived: '10-12-2026 09:00' });
    const options = { exportDate: undefined, today: '2026-12-03', allowShrink: true };
    const { result } = await imported(dir(), options);
    expect(result.exportDate).toBe('2024-02-01');
    // On 9 December the same files are the same snapshot.
    const same = await imported(dir(), { ...options, today: '2026-12-09' });
    expect(same.read).toEqual([]);
    expect(same.result.exportDate).toBe('2024-02-01');
    // On 10 December N1 has happened: the default export date is its day, so they are staged again.
    const later = await imported(dir(), { ...options, today: '2026-12-10' });
    expect(later.read).toHaveLength(5);
    expect(later.result.exportDate).toBe('2026-12-10');
  });
});
