import { createHash } from 'crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Client, Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu } from '@bu/etl';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';

// A case-system snapshot builds the municipality's new partition of each table and swaps it in at
// commit (etl/src/load/partition.ts): what that must and must not touch.

const options = { pseudonymSecret: TEST_SECRET, exportDate: '2024-06-30' };

function exportDir(municipality: number, cost = '1.000,00'): string {
  const dir = mkdtempSync(join(tmpdir(), 'bu-partition-'));
  const write = (file: string, lines: string[]) => writeFileSync(join(dir, file), lines.join('\n') + '\n');
  write('medarbejdere.csv', ['Initialer;Navn;Team;Stilling;Ansat fra;Ansat til', 'AA;Alma Andersen;Team Nord;Rådgiver;01-01-2020;']);
  write('sager.csv', [
    'Sagsnummer;CPR;Kommunenr;Sagsområde;Oprettet;Lukket',
    `C1;010114-4001;${municipality};Udsatte;01-01-2022;`,
    `C2;020214-4002;${municipality};Handicap;01-06-2023;`,
  ]);
  write('sagsansvar.csv', ['Sagsnummer;Initialer;Fra;Til', 'C1;AA;01-01-2022;', 'C2;AA;01-06-2023;']);
  write('underretninger.csv', ['Underretnings-ID;CPR;Modtaget;Vurderet;Kilde;Akut', 'N1;010114-4001;15-03-2022 10:00;;Skole;Nej']);
  write('ydelser.csv', [
    'Ydelses-ID;Sagsnummer;Lovgrundlag;Ydelse;Leverandør;Bevilget;Startdato;Slutdato;Månedlig udgift;Opfølgningskadence (måneder)',
    `Y1;C1;SEL § 52, stk. 3, nr. 3;Familiebehandling;;01-06-2023;01-06-2023;;${cost};`,
    'Y2;C2;BL § 32;Kontaktperson;;01-02-2024;01-02-2024;;500,00;',
  ]);
  return dir;
}

/** Each case-system table's partitions, by municipality. */
async function partitions(db: TestDatabase, table: string): Promise<Record<string, string>> {
  const { rows } = await db.pool.query(
    `SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) AS bound FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = $1::regclass ORDER BY 1`,
    [table],
  );
  return Object.fromEntries(rows.map((r) => [r.bound.match(/\d+/)[0], r.relname]));
}

/** Notifications are linked and built while the rest is read; the rules after that may undo it. */
function linkingDir(extraCase: string, notifications: string[]): string {
  const dir = exportDir(851);
  const write = (file: string, lines: string[]) => writeFileSync(join(dir, file), lines.join('\n') + '\n');
  write('sager.csv', [
    'Sagsnummer;CPR;Kommunenr;Sagsområde;Oprettet;Lukket',
    'C1;010114-4001;851;Udsatte;01-01-2022;31-12-2022',
    'C2;020214-4002;851;Handicap;01-06-2023;',
    extraCase,
  ]);
  write('underretninger.csv', ['Underretnings-ID;CPR;Modtaget;Vurderet;Kilde;Akut', ...notifications]);
  return dir;
}

describe('case-system snapshots as partitions', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db?.drop());

  it('builds one partition per municipality with the indexes of the table, and leaves no staging behind', async () => {
    const dir = exportDir(461);
    const result = await importDubu(db.pool, dir, options);
    expect(result.status).toBe('succeeded');
    const id = result.importId;
    // The import log's checksums are those of the files (taken as they were read).
    const { rows: runs } = await db.pool.query(`SELECT files FROM import_run WHERE id = $1`, [id]);
    const sha = (file: string) =>
      createHash('sha256')
        .update(readFileSync(join(dir, file)))
        .digest('hex');
    expect(runs[0].files).toContainEqual({
      file: 'ydelser.csv',
      bytes: readFileSync(join(dir, 'ydelser.csv')).length,
      sha256: sha('ydelser.csv'),
    });
    expect(runs[0].files).toHaveLength(5);
    expect(await partitions(db, 'measure')).toEqual({ 461: `measure_m461_i${id}` });
    expect(await partitions(db, 'child_case')).toEqual({ 461: `child_case_m461_i${id}` });
    expect(await partitions(db, 'person')).toEqual({ 461: `person_m461_i${id}` });
    // Built while the rest was read, under a name of its own, and given the usual one as it was put in place.
    expect(await partitions(db, 'notification')).toEqual({ 461: `notification_m461_i${id}` });
    // Attached indexes: the partition's own primary key and case index, under the table's.
    const { rows: indexes } = await db.pool.query(
      `SELECT c.relname AS index, p.relname AS parent FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
       WHERE p.relname IN ('measure_pkey', 'measure_case_idx') ORDER BY 1`,
    );
    expect(indexes).toEqual([
      { index: `measure_m461_i${id}_case_idx`, parent: 'measure_case_idx' },
      { index: `measure_m461_i${id}_pkey`, parent: 'measure_pkey' },
    ]);
    // Each new partition carries its scope as a check (made before its rows were loaded, or after),
    // so that attaching it needs no scan under the table's lock.
    const { rows: scopes } = await db.pool.query(
      `SELECT conrelid::regclass::text AS rel, pg_get_constraintdef(oid) AS def FROM pg_constraint
       WHERE conname LIKE '%\\_scope' AND conrelid::regclass::text IN ($1, $2, $3) ORDER BY 1`,
      [`measure_m461_i${id}`, `child_case_m461_i${id}`, `notification_m461_i${id}`],
    );
    expect(scopes).toEqual([
      { rel: `child_case_m461_i${id}`, def: 'CHECK ((municipality_code = 461))' },
      { rel: `measure_m461_i${id}`, def: 'CHECK ((municipality_code = 461))' },
      { rel: `notification_m461_i${id}`, def: 'CHECK ((municipality_code = 461))' },
    ]);
    // Column defaults as the table's (the loader's defaults for the municipality, source and file
    // during its COPY are put back).
    const defaults = async (table: string) =>
      (
        await db.pool.query(
          `SELECT column_name, column_default FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY 1`,
          [table],
        )
      ).rows;
    expect(await defaults(`measure_m461_i${id}`)).toEqual(await defaults('measure'));
    expect(await defaults(`child_case_m461_i${id}`)).toEqual(await defaults('child_case'));
    // The staging columns are gone from what queries see; the import's schema is gone.
    const { rows: columns } = await db.pool.query(
      `SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
      [`measure_m461_i${id}`],
    );
    expect(columns.map((c) => c.attname)).not.toContain('_line');
    const { rows: schemas } = await db.pool.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'import\\_%'`);
    expect(schemas).toEqual([]);
    const { rows: staging } = await db.pool.query(`SELECT relname FROM pg_class WHERE relname LIKE 'stg\\_%'`);
    expect(staging).toEqual([]);
    // Keys compare byte by byte (migration 1732950000000), in the partitions too.
    const { rows: collations } = await db.pool.query(
      `SELECT a.attrelid::regclass::text AS rel, c.collname FROM pg_attribute a JOIN pg_collation c ON c.oid = a.attcollation
       WHERE a.attrelid IN ('measure'::regclass, $1::regclass) AND a.attname = 'case_id' ORDER BY 1`,
      [`measure_m461_i${id}`],
    );
    expect(collations).toEqual([
      { rel: 'measure', collname: 'C' },
      { rel: `measure_m461_i${id}`, collname: 'C' },
    ]);
    const { rows: measures } = await db.pool.query(`SELECT measure_id, monthly_cost FROM measure WHERE municipality_code = 461 ORDER BY 1`);
    expect(measures).toEqual([
      { measure_id: 'Y1', monthly_cost: '1000.00' },
      { measure_id: 'Y2', monthly_cost: '500.00' },
    ]);
  });

  it('keeps every partition when the same export is staged again (nothing rewritten, nothing locked)', async () => {
    const before = await partitions(db, 'measure');
    const cases = await partitions(db, 'child_case');
    const result = await importDubu(db.pool, exportDir(461), { ...options, restage: true });
    expect(result.status).toBe('succeeded');
    expect(Object.values(result.loaded).every((n) => n === 0)).toBe(true);
    expect(await partitions(db, 'measure')).toEqual(before);
    expect(await partitions(db, 'child_case')).toEqual(cases);
  });

  it('replaces only the partitions of tables that changed', async () => {
    const cases = await partitions(db, 'child_case');
    const result = await importDubu(db.pool, exportDir(461, '1.250,00'), options);
    expect(result.loaded).toEqual({ caseworkers: 0, cases: 0, assignments: 0, notifications: 0, measures: 1 });
    expect(result.unchanged.measures).toBe(1);
    expect(await partitions(db, 'measure')).toEqual({ 461: `measure_m461_i${result.importId}` });
    expect(await partitions(db, 'child_case')).toEqual(cases);
    const { rows } = await db.pool.query(`SELECT monthly_cost FROM measure WHERE municipality_code = 461 AND measure_id = 'Y1'`);
    expect(rows).toEqual([{ monthly_cost: '1250.00' }]);
    // The replaced partition is dropped, not left detached.
    const { rows: tables } = await db.pool.query(`SELECT relname FROM pg_class WHERE relname LIKE 'measure\\_m461\\_%' AND relkind = 'r'`);
    expect(tables).toEqual([{ relname: `measure_m461_i${result.importId}` }]);
  });

  it("leaves another municipality's partition alone", async () => {
    const before = await partitions(db, 'measure');
    const result = await importDubu(db.pool, exportDir(101), options);
    expect(result.status).toBe('succeeded');
    expect(await partitions(db, 'measure')).toEqual({ ...before, 101: `measure_m101_i${result.importId}` });
    const { rows } = await db.pool.query(`SELECT municipality_code, count(*)::int AS n FROM measure GROUP BY 1 ORDER BY 1`);
    expect(rows).toEqual([
      { municipality_code: 101, n: 2 },
      { municipality_code: 461, n: 2 },
    ]);
  });

  it('links notifications again when a rule removes a case they were linked to while the rest was read', async () => {
    // C9 (child 1) is the first case opened after N1, but dated more than a year after the export
    // date: R004 removes it, and N1 belongs to C1, closed before it, the latest case of the child.
    const dir = linkingDir('C9;010114-4001;851;Udsatte;01-07-2025;', ['N1;010114-4001;15-06-2025 10:00;;Skole;Nej']);
    const result = await importDubu(db.pool, dir, options);
    expect(result.rejected).toEqual([expect.objectContaining({ file: 'sager.csv', rule: 'R004', value: '01-07-2025' })]);
    const { rows } = await db.pool.query(`SELECT notification_id, case_id FROM notification WHERE municipality_code = 851`);
    expect(rows).toEqual([{ notification_id: 'N1', case_id: 'C1' }]);
    expect(await partitions(db, 'notification')).toMatchObject({ 851: `notification_m851_i${result.importId}` });
  });

  it('keeps the children of the rows that stay: a child whose only case a rule removes is not among the persons', async () => {
    // Child 5 has only C9, which R004 removes; child 6 has only a notification (no case of its own).
    const dir = linkingDir('C9;050514-4005;860;Udsatte;01-07-2025;', [
      'N1;010114-4001;15-03-2022 10:00;;Skole;Nej',
      'N2;060614-4006;15-03-2022 10:00;;Skole;Nej',
    ]);
    for (const file of ['sager.csv', 'sagsansvar.csv'])
      writeFileSync(join(dir, file), readFileSync(join(dir, file), 'utf8').replace(/;851;/g, ';860;'));
    const result = await importDubu(db.pool, dir, options);
    expect(result.rejected).toEqual([expect.objectContaining({ file: 'sager.csv', rule: 'R004', value: '01-07-2025' })]);
    const { rows } = await db.pool.query(
      `SELECT to_char(birth_date, 'YYYY-MM-DD') AS born, sex FROM person WHERE municipality_code = 860 ORDER BY birth_date`,
    );
    expect(rows).toEqual([
      { born: '2014-01-01', sex: 'M' },
      { born: '2014-02-02', sex: 'K' },
      { born: '2014-06-06', sex: 'K' },
    ]);
    const { rows: linked } = await db.pool.query(
      `SELECT notification_id, case_id FROM notification WHERE municipality_code = 860 ORDER BY 1`,
    );
    expect(linked).toEqual([
      { notification_id: 'N1', case_id: 'C1' },
      { notification_id: 'N2', case_id: null },
    ]);
  });

  it('imports the same export again when a rule removes a case and the notifications did not change', async () => {
    const dir = linkingDir('C9;010114-4001;851;Udsatte;01-07-2025;', ['N1;010114-4001;15-06-2025 10:00;;Skole;Nej']);
    // Staged again, though the same (test/integration/reimport.test.ts: not staged).
    const again = await importDubu(db.pool, dir, { ...options, restage: true });
    expect(again.status).toBe('succeeded');
    expect(again.loaded).toMatchObject({ cases: 0, notifications: 0 });
    const { rows } = await db.pool.query(`SELECT notification_id, case_id FROM notification WHERE municipality_code = 851`);
    expect(rows).toEqual([{ notification_id: 'N1', case_id: 'C1' }]);
  });

  it('runs two imports of different municipalities at the same time without either waiting for the other', async () => {
    const started = Date.now();
    const [a, b] = await Promise.all([
      importDubu(db.pool, exportDir(147, '3.000,00'), options),
      importDubu(db.pool, exportDir(151, '3.000,00'), options),
    ]);
    expect([a.status, b.status]).toEqual(['succeeded', 'succeeded']);
    // Without a wait for the other's swap: a few seconds at most, not the swap's minutes of retries.
    expect(Date.now() - started).toBeLessThan(15_000);
    const [c, d] = await Promise.all([
      importDubu(db.pool, exportDir(147, '3.100,00'), options),
      importDubu(db.pool, exportDir(151, '3.100,00'), options),
    ]);
    expect([c.loaded.measures, d.loaded.measures]).toEqual([1, 1]);
    const { rows } = await db.pool.query(
      `SELECT municipality_code, monthly_cost FROM measure WHERE municipality_code IN (147, 151) AND measure_id = 'Y1' ORDER BY 1`,
    );
    expect(rows).toEqual([
      { municipality_code: 147, monthly_cost: '3100.00' },
      { municipality_code: 151, monthly_cost: '3100.00' },
    ]);
  }, 60_000);

  it('takes the last of a repeated notification id, with the warning, though it was built while the rest was read', async () => {
    const dir = linkingDir('C3;020214-4002;851;Udsatte;01-01-2024;', [
      'N1;010114-4001;15-03-2022 10:00;;Skole;Nej',
      'N1;020214-4002;01-02-2024 10:00;;Politi;Ja',
    ]);
    const result = await importDubu(db.pool, dir, options);
    expect(result.warnings).toContainEqual(expect.objectContaining({ file: 'underretninger.csv', line: 2, rule: 'W002' }));
    const { rows } = await db.pool.query(`SELECT notification_id, case_id, channel FROM notification WHERE municipality_code = 851`);
    expect(rows).toEqual([{ notification_id: 'N1', case_id: 'C3', channel: 'politi' }]);
  });

  it('imports on a pool of one connection (npm start), also when the import fails', async () => {
    const single = new Pool({ connectionString: db.url, max: 1 });
    try {
      const ok = await importDubu(single, exportDir(461, '2.000,00'), options);
      expect(ok.status).toBe('succeeded');
      expect(ok.loaded.measures).toBe(1);
      const dir = exportDir(461);
      writeFileSync(join(dir, 'ydelser.csv'), Buffer.from([0x59, 0x00, 0x01]));
      const failed = await importDubu(single, dir, options);
      expect(failed.status).toBe('failed');
      const { rows } = await single.query(`SELECT status FROM import_run WHERE id = $1`, [failed.importId]);
      expect(rows).toEqual([{ status: 'failed' }]);
    } finally {
      await single.end();
    }
  }, 20_000);

  it('drops what a dead import staged, and only that, when the next import starts', async () => {
    // A dead import's schema (its process and connection are gone) and a live one's (its connection
    // holds the import's advisory lock).
    await db.pool.query('CREATE SCHEMA import_999001; CREATE TABLE import_999001.stg_measure (x int)');
    await db.pool.query('CREATE SCHEMA import_999002');
    const live = new Client({ connectionString: db.url });
    await live.connect();
    try {
      await live.query('SELECT pg_advisory_lock(hashtext($1), $2)', ['import', 999002]);
      const result = await importDubu(db.pool, exportDir(461, '1.750,00'), options);
      expect(result.status).toBe('succeeded');
      const { rows } = await db.pool.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'import\\_%' ORDER BY 1`);
      expect(rows).toEqual([{ nspname: 'import_999002' }]);
    } finally {
      await live.end();
      await db.pool.query('DROP SCHEMA IF EXISTS import_999002');
    }
  });

  it('waits for a long query on the table to end before swapping, and then swaps', async () => {
    const reader = new Client({ connectionString: db.url });
    await reader.connect();
    try {
      // A chief's long KPI query: it holds its lock on measure until its transaction ends.
      await reader.query('BEGIN');
      await reader.query('SELECT count(*) FROM measure WHERE municipality_code = 101');
      let done = false;
      const importing = importDubu(db.pool, exportDir(461, '1.500,00'), options).finally(() => (done = true));
      await new Promise((r) => setTimeout(r, 3000));
      expect(done).toBe(false);
      // Meanwhile other readers are not queued behind the import (it gives up its lock request).
      const other = new Client({ connectionString: db.url });
      await other.connect();
      const started = Date.now();
      await other.query(`SELECT count(*) FROM measure WHERE municipality_code = 461`);
      expect(Date.now() - started).toBeLessThan(1500);
      await other.end();
      await reader.query('COMMIT');
      const result = await importing;
      expect(result.status).toBe('succeeded');
      expect(result.loaded.measures).toBe(1);
      const { rows } = await db.pool.query(`SELECT monthly_cost FROM measure WHERE municipality_code = 461 AND measure_id = 'Y1'`);
      expect(rows).toEqual([{ monthly_cost: '1500.00' }]);
    } finally {
      await reader.end();
    }
  });
});
