import { writeFileSync } from 'fs';
import { join } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu } from '@bu/etl';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { copyFixture, DUBU_SMALL, DUBU_SMALL_D, editFile, fixtureCprs } from '../support/fixtures';

const options = { pseudonymSecret: TEST_SECRET, exportDate: DUBU_SMALL_D };

async function counts(db: TestDatabase): Promise<Record<string, number>> {
  const { rows } = await db.pool.query(
    `SELECT (SELECT count(*) FROM child_case)::int AS cases, (SELECT count(*) FROM caseworker)::int AS caseworkers,
            (SELECT count(*) FROM assignment)::int AS assignments, (SELECT count(*) FROM person)::int AS persons,
            (SELECT count(*) FROM team)::int AS teams`,
  );
  return rows[0];
}

describe('DUBU import (sager, sagsansvar, medarbejdere) into the canonical model', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db?.drop());

  it('loads the valid rows and keeps every rejected row with file, line, rule and a Danish message', async () => {
    const result = await importDubu(db.pool, DUBU_SMALL, options);
    expect(result.status).toBe('succeeded');
    expect(result.municipality).toBe(461);
    expect(result.exportDate).toBe('2024-02-29');
    // 13 case rows: S12 (end before start) and S13 (1969) rejected → 11.
    // 16 assignment rows: S99 unknown case rejected, one exact duplicate kept once → 14.
    expect(result.loaded).toEqual({ cases: 11, caseworkers: 6, assignments: 14 });
    expect(result.rejected).toEqual([
      {
        file: 'sager.csv',
        line: 14,
        rule: 'R005',
        value: '01-01-2024',
        message: 'Slutdato før startdato: Lukket = "01-01-2024" (oprettet 01-02-2024).',
      },
      { file: 'sager.csv', line: 15, rule: 'R003', value: '01-01-1969', message: 'Dato før 1970: Oprettet = "01-01-1969".' },
      { file: 'sagsansvar.csv', line: 17, rule: 'R011', value: 'S99', message: 'Sagsnummer S99 findes ikke i sager.csv.' },
    ]);
    expect(result.warnings.filter((w) => w.rule !== 'W006').map((w) => [w.file, w.rule, w.value])).toEqual([
      ['sager.csv', 'W001', 'Bemærkning'],
    ]);
    // The nine optional files are not in this export: each is reported once, and nothing of theirs is touched.
    expect(result.warnings.filter((w) => w.rule === 'W006').map((w) => w.file)).toEqual([
      'underretninger.csv',
      'undersoegelser.csv',
      'ydelser.csv',
      'handleplaner.csv',
      'opfoelgninger.csv',
      'tilsyn.csv',
      'boernesamtaler.csv',
      'effektmaalinger.csv',
      'klager.csv',
    ]);
    // S1 and S2 belong to the same child (CPR with and without the dash): 10 distinct children.
    expect(await counts(db)).toEqual({ cases: 11, caseworkers: 6, assignments: 14, persons: 10, teams: 2 });
    const { rows: issues } = await db.pool.query('SELECT rule, file, line FROM import_issue WHERE import_id = $1 ORDER BY id', [
      result.importId,
    ]);
    expect(issues).toHaveLength(13);
    const { rows: name } = await db.pool.query(`SELECT name FROM caseworker WHERE worker_id = 'GH'`);
    expect(name[0].name).toBe('Holm; Gitte'); // quoted separator
  });

  it('stores no CPR number anywhere, with or without the dash', async () => {
    const cprs = fixtureCprs(DUBU_SMALL);
    expect(cprs.length).toBeGreaterThanOrEqual(12);
    const { rows: tables } = await db.pool.query(
      `SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema IN ('public', 'bullmq') AND table_type = 'BASE TABLE'`,
    );
    for (const t of tables) {
      const { rows } = await db.pool.query(`SELECT t::text AS row FROM "${t.table_schema}"."${t.table_name}" t`);
      for (const r of rows) {
        for (const cpr of cprs) {
          expect(r.row).not.toContain(cpr);
          expect(r.row).not.toContain(`${cpr.slice(0, 6)}-${cpr.slice(6)}`);
        }
      }
    }
  });

  it('changes nothing when the same export is staged again', async () => {
    const before = await db.pool.query('SELECT * FROM child_case ORDER BY case_id');
    // Staged though it matches the snapshot in force (test/integration/reimport.test.ts: not staged).
    const result = await importDubu(db.pool, DUBU_SMALL, { ...options, restage: true });
    expect(result.loaded).toEqual({ cases: 0, caseworkers: 0, assignments: 0 });
    expect(result.unchanged).toEqual({ cases: 11, caseworkers: 6, assignments: 14 });
    expect(result.removed).toEqual({ cases: 0, caseworkers: 0, assignments: 0 });
    expect((await db.pool.query('SELECT * FROM child_case ORDER BY case_id')).rows).toEqual(before.rows);
  });

  it('replaces the previous snapshot: a closed case is updated, a vanished case removed', async () => {
    const dir = copyFixture(DUBU_SMALL);
    editFile(dir, 'sager.csv', (t) =>
      t.replace('S1;010115-4123;461;Udsatte;15-03-2023;;', 'S1;010115-4123;461;Udsatte;15-03-2023;20-02-2024;').replace(/S11;[^\n]*\n/, ''),
    );
    editFile(dir, 'sagsansvar.csv', (t) => t.replace(/S11;[^\n]*\n/, ''));
    // One open case of the fixture's nine is over the 10 % shrink guard (test/integration/snapshot-shrink.test.ts).
    const result = await importDubu(db.pool, dir, { ...options, allowShrink: true });
    expect(result.loaded).toEqual({ cases: 1, caseworkers: 0, assignments: 0 });
    expect(result.removed).toEqual({ cases: 1, caseworkers: 0, assignments: 1 });
    const { rows } = await db.pool.query(`SELECT to_char(closed, 'YYYY-MM-DD') AS closed FROM child_case WHERE case_id = 'S1'`);
    expect(rows[0].closed).toBe('2024-02-20');
    // back to the original snapshot for the tests below
    await importDubu(db.pool, DUBU_SMALL, options);
    expect((await counts(db)).cases).toBe(11);
  });

  describe('a file that is not the declared format fails the import as a whole and writes nothing', () => {
    const cases: [string, (dir: string) => void, RegExp][] = [
      ['wrong separator', (dir) => editFile(dir, 'sager.csv', (t) => t.replace(/;/g, ',')), /skilletegn/],
      [
        'binary content',
        (dir) => writeFileSync(join(dir, 'medarbejdere.csv'), Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x14])),
        /binære data/,
      ],
      [
        'wrong encoding',
        (dir) => writeFileSync(join(dir, 'medarbejdere.csv'), Buffer.from('Initialer;Navn\nAB;S\xf8ren\n', 'latin1')),
        /UTF-8/,
      ],
      ['an empty file', (dir) => writeFileSync(join(dir, 'sagsansvar.csv'), ''), /tom/],
      ['a missing column', (dir) => editFile(dir, 'sager.csv', (t) => t.replace('Oprettet', 'Startet')), /mangler kolonnen.*Oprettet/],
    ];
    for (const [what, breakIt, message] of cases) {
      it(what, async () => {
        const before = await counts(db);
        const dir = copyFixture(DUBU_SMALL);
        editFile(dir, 'sager.csv', (t) =>
          t.replace('S1;010115-4123;461;Udsatte;15-03-2023;;', 'S1;010115-4123;461;Udsatte;15-03-2023;01-02-2024;'),
        );
        breakIt(dir);
        const result = await importDubu(db.pool, dir, options);
        expect(result.status).toBe('failed');
        expect(result.error).toMatch(message);
        expect(await counts(db)).toEqual(before);
        const { rows } = await db.pool.query(`SELECT to_char(closed, 'YYYY-MM-DD') AS closed FROM child_case WHERE case_id = 'S1'`);
        expect(rows[0].closed).toBeNull();
        const { rows: run } = await db.pool.query('SELECT status, error FROM import_run WHERE id = $1', [result.importId]);
        expect(run[0]).toEqual({ status: 'failed', error: result.error });
      });
    }
  });

  it('takes the export date from the data when none is given: the newest date not after today', async () => {
    const result = await importDubu(db.pool, DUBU_SMALL, { pseudonymSecret: TEST_SECRET });
    // newest date of an event in the fixture: S6 opened 01-03-2024
    expect(result.exportDate).toBe('2024-03-01');
    const { rows } = await db.pool.query(
      `SELECT to_char(export_date, 'YYYY-MM-DD') AS d FROM source_snapshot WHERE municipality_code = 461 AND source = 'dubu'`,
    );
    expect(rows[0].d).toBe('2024-03-01');
  });

  it('rejects a row whose municipality disagrees with the export, and keeps the rest', async () => {
    const dir = copyFixture(DUBU_SMALL);
    editFile(dir, 'sager.csv', (t) =>
      t.replace('S9;080812-4130;461;', 'S9;080812-4130;101;').replace('S10;090913-4131;461;', 'S10;090913-4131;999;'),
    );
    // Dated 29 February, after the test before loaded the default 1 March: older, on purpose.
    const result = await importDubu(db.pool, dir, { ...options, allowShrink: true, allowOlder: true });
    expect(result.status).toBe('succeeded');
    const rules = result.rejected.filter((r) => r.file === 'sager.csv').map((r) => [r.line, r.rule]);
    expect(rules).toEqual([
      [11, 'R008'],
      [12, 'R007'],
      [14, 'R005'],
      [15, 'R003'],
    ]);
    await importDubu(db.pool, DUBU_SMALL, options);
  });
  describe('dates more than a year after the export date (R004)', () => {
    const withLateDates = () => {
      const dir = copyFixture(DUBU_SMALL);
      writeFileSync(
        join(dir, 'ydelser.csv'),
        'Ydelses-ID;Sagsnummer;Lovgrundlag;Ydelse;Leverandør;Bevilget;Startdato;Slutdato;Månedlig udgift;Opfølgningskadence (måneder)\n' +
          'Y1;S1;BL § 32;Familiebehandling;;;28-02-2025;;1.000,00;\n' +
          'Y2;S1;BL § 32;Familiebehandling;;;01-03-2025;;1.000,00;\n',
      );
      // 00:30 on 1 March is 23:30 on 28 February in UTC: the Danish day counts.
      writeFileSync(
        join(dir, 'underretninger.csv'),
        'Underretnings-ID;CPR;Modtaget;Vurderet;Kilde;Akut\nU1;010115-4123;28-02-2025 23:59;;Skole;Nej\nU2;010115-4123;01-03-2025 00:30;;Skole;Nej\n',
      );
      return dir;
    };

    it('keeps a date exactly a year after a leap-day export date (28 February) and rejects the day after, by the Danish day', async () => {
      const result = await importDubu(db.pool, withLateDates(), options);
      expect(result.status).toBe('succeeded');
      expect(result.rejected.filter((r) => r.rule === 'R004')).toEqual([
        {
          file: 'underretninger.csv',
          line: 3,
          rule: 'R004',
          value: '01-03-2025',
          message: 'Dato mere end et år efter udtræksdatoen 2024-02-29: 01-03-2025.',
        },
        {
          file: 'ydelser.csv',
          line: 3,
          rule: 'R004',
          value: '01-03-2025',
          message: 'Dato mere end et år efter udtræksdatoen 2024-02-29: 01-03-2025.',
        },
      ]);
      const { rows } = await db.pool.query(
        `SELECT (SELECT string_agg(measure_id, ',') FROM measure) AS measures, (SELECT string_agg(notification_id, ',') FROM notification) AS notifications`,
      );
      expect(rows[0]).toEqual({ measures: 'Y1', notifications: 'U1' });
    });

    it("lists the rules' issues by rule and then by file, whichever connection found them when", async () => {
      const dir = withLateDates();
      // Sagsansvar's references are checked while the builders build; ydelser's, with a date too
      // late, only after the date rule, in the transaction.
      editFile(dir, 'ydelser.csv', (t) => `${t}Y3;S98;BL § 32;Familiebehandling;;;01-02-2024;;1.000,00;\n`);
      const result = await importDubu(db.pool, dir, options);
      expect(result.status).toBe('succeeded');
      expect(result.rejected.map((r) => [r.file, r.line, r.rule, r.value])).toEqual([
        ['sager.csv', 14, 'R005', '01-01-2024'],
        ['sager.csv', 15, 'R003', '01-01-1969'],
        ['underretninger.csv', 3, 'R004', '01-03-2025'],
        ['ydelser.csv', 3, 'R004', '01-03-2025'],
        ['sagsansvar.csv', 17, 'R011', 'S99'],
        ['ydelser.csv', 4, 'R011', 'S98'],
      ]);
      const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM assignment WHERE case_id = 'S99'`);
      expect(rows[0].n).toBe(0);
    });

    it('without an export date: a date after today does not set it, and is rejected when more than a year after it', async () => {
      const dir = withLateDates();
      editFile(
        dir,
        'sager.csv',
        (t) =>
          `${t.trimEnd()}\nS20;010115-4123;461;Udsatte;01-03-2026;;\nS21;010115-4123;461;Udsatte;02-03-2026;;\nS22;010115-4123;461;Udsatte;01-01-2099;;\n`,
      );
      const result = await importDubu(db.pool, dir, { pseudonymSecret: TEST_SECRET });
      expect(result.status).toBe('succeeded');
      // The newest date not after today is S21's 02-03-2026 (2099 is after today), and 2099 is more than a year after it.
      expect(result.exportDate).toBe('2026-03-02');
      expect(result.rejected.filter((r) => r.rule === 'R004')).toEqual([
        {
          file: 'sager.csv',
          line: 18,
          rule: 'R004',
          value: '01-01-2099',
          message: 'Dato mere end et år efter udtræksdatoen 2026-03-02: 01-01-2099.',
        },
      ]);
    });
  });
});

describe('DUBU dates before 1970 (R003) and dates that are none (R002)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db?.drop());

  it('rejects a sentinel 01-01-0001 and 1799 as R003 with the Danish message; 01-01-1970 loads', async () => {
    const dir = copyFixture(DUBU_SMALL);
    // Case systems write 01-01-0001 for "unknown"; a year bound once made it R002.
    editFile(dir, 'sager.csv', (t) =>
      t
        .replace('S6;050519-4127;461;Udsatte;01-03-2024;', 'S6;050519-4127;461;Udsatte;01-01-0001;')
        .replace('S7;060610-4128;461;Udsatte;01-01-2023;', 'S7;060610-4128;461;Udsatte;31-12-1799;')
        .replace('S8;070711-4129;461;Udsatte;01-01-2023;', 'S8;070711-4129;461;Udsatte;31-12-1969;')
        .replace('S9;080812-4130;461;Udsatte;01-01-2023;', 'S9;080812-4130;461;Udsatte;01-01-1970;')
        .replace('S10;090913-4131;461;Udsatte;01-01-2023;', 'S10;090913-4131;461;Udsatte;01-01-0000;'),
    );
    const result = await importDubu(db.pool, dir, options);
    expect(result.status).toBe('succeeded');
    const before = (line: number, value: string) => ({
      file: 'sager.csv',
      line,
      rule: 'R003',
      value,
      message: `Dato før 1970: Oprettet = "${value}".`,
    });
    expect(result.rejected.filter((r) => r.file === 'sager.csv' && r.rule !== 'R005')).toEqual([
      before(7, '01-01-0001'),
      before(8, '31-12-1799'),
      before(10, '31-12-1969'),
      // No year 0 in the calendar (PostgreSQL has none): not a date at all.
      { file: 'sager.csv', line: 12, rule: 'R002', value: '01-01-0000', message: 'Ugyldig dato: Oprettet = "01-01-0000".' },
      before(15, '01-01-1969'),
    ]);
    const { rows } = await db.pool.query(`SELECT to_char(opened, 'YYYY-MM-DD') AS opened FROM child_case WHERE case_id = 'S9'`);
    expect(rows).toEqual([{ opened: '1970-01-01' }]);
  });
});
