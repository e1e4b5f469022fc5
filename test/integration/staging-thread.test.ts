import { readdirSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu } from '@bu/etl';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { copyFixture, editFile, FIXTURES } from '../support/fixtures';

// A large file of a DUBU export is read in a thread of its own while the loader reads the others
// (etl/src/dubu/staging-thread.ts). Forced here for a small export (stagingThreadBytes: 0): the
// import must come out the same as when one thread reads everything, issues in the same order.

const options = { pseudonymSecret: TEST_SECRET, exportDate: '2024-06-30' };
const threaded = { ...options, stagingThreadBytes: 0 };

/** dubu-chief with rows the parser rejects or warns about in ydelser.csv and sager.csv, and one the reference rule rejects. */
function exportWithIssues(): string {
  const dir = copyFixture(join(FIXTURES, 'dubu-chief'));
  editFile(
    dir,
    'ydelser.csv',
    (text) =>
      text +
      [
        'Y90;C1;BL § 46;Plejefamilie;;01-02-2024;30-02-2024;;1.000,00;', // no 30 February
        'Y91;C1;BL § 46;Plejefamilie;;01-02-2024;01-02-2024;;tusind;', // not an amount
        'Y92;C404;BL § 46;Plejefamilie;;01-02-2024;01-02-2024;;1.000,00;', // no such case
        'Y93;C1;Ukendt lov;Noget helt andet;;01-02-2024;01-02-2024;;1.000,00;', // unknown codes: warnings
      ].join('\n') +
      '\n',
  );
  editFile(dir, 'sager.csv', (text) => text + 'C99;010114-4001;461;Udsatte;01-02-2024;01-01-2024\n');
  return dir;
}

const issuesOf = async (db: TestDatabase, importId: string) =>
  (await db.pool.query(`SELECT severity, file, line, rule, value, message FROM import_issue WHERE import_id = $1 ORDER BY id`, [importId]))
    .rows;

describe('a DUBU file read in a staging thread', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db?.drop());

  it('gives the same import as one thread: rows, issues in order, checksums, progress', async () => {
    const dir = exportWithIssues();
    const one = await importDubu(db.pool, dir, options);
    expect(one.status).toBe('succeeded');
    expect(one.rejected.map((r) => [r.file, r.rule, r.value])).toEqual(
      expect.arrayContaining([
        ['ydelser.csv', 'R002', '30-02-2024'],
        ['ydelser.csv', 'R011', 'C404'],
      ]),
    );
    const progress: { file: string; rowsRead: number }[] = [];
    // Staged again, though the same export (test/integration/reimport.test.ts: not staged).
    const two = await importDubu(db.pool, dir, { ...threaded, restage: true, onProgress: (p) => progress.push(p) });
    expect(two.status).toBe('succeeded');
    // The same rows: nothing to load the second time.
    expect(Object.values(two.loaded).every((n) => n === 0)).toBe(true);
    expect(two.unchanged).toEqual(one.loaded);
    expect(two.rejected).toEqual(one.rejected);
    expect(two.warnings).toEqual(one.warnings);
    expect(await issuesOf(db, two.importId)).toEqual(await issuesOf(db, one.importId));
    // The thread's file has its checksum in the import log like the others.
    const { rows } = await db.pool.query(`SELECT id, files FROM import_run WHERE id = ANY ($1) ORDER BY id`, [
      [one.importId, two.importId],
    ]);
    expect(rows[1].files).toEqual(rows[0].files);
    expect(rows[1].files).toContainEqual(
      expect.objectContaining({ file: 'ydelser.csv', bytes: readFileSync(join(dir, 'ydelser.csv')).length }),
    );
    const lines = readFileSync(join(dir, 'ydelser.csv'), 'utf8').trim().split('\n').length - 1;
    expect(progress).toContainEqual(expect.objectContaining({ file: 'ydelser.csv', rowsRead: lines }));
  });

  it("fails the import with one clear message when the thread's file is not text, and writes nothing", async () => {
    const before = await db.pool.query(`SELECT count(*)::int AS n FROM measure WHERE municipality_code = 461`);
    const dir = exportWithIssues();
    writeFileSync(join(dir, 'ydelser.csv'), Buffer.from([0x59, 0x00, 0x01, 0x02]));
    const result = await importDubu(db.pool, dir, threaded);
    expect(result.status).toBe('failed');
    expect(result.error).toBe('Filen ydelser.csv er ikke en tekstfil (den indeholder binære data).');
    const after = await db.pool.query(`SELECT count(*)::int AS n FROM measure WHERE municipality_code = 461`);
    expect(after.rows).toEqual(before.rows);
  });

  it('stops the thread when the export fails before it could start (no valid case)', async () => {
    const dir = exportWithIssues();
    editFile(dir, 'sager.csv', (text) => text.split('\n')[0] + '\nC1;010114-4001;461;Udsatte;01-02-2024;01-01-2024\n');
    const result = await importDubu(db.pool, dir, threaded);
    expect(result.status).toBe('failed');
    expect(result.error).toBe('Alle 1 rækker i sager.csv blev afvist; intet er indlæst.');
  });
});

describe('a failure beside the loader', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db?.drop());

  it("stops the loader mid-file and fails the import with the thread's message, not the cancellation's", async () => {
    const dir = exportWithIssues();
    // A long underretninger.csv for the loader, and a longer ydelser.csv for the thread that is not text.
    const lines = Array.from({ length: 150_000 }, (_, i) => `N${i};010114-4001;15-03-2022 10:00;;Skole;Nej`);
    writeFileSync(join(dir, 'underretninger.csv'), ['Underretnings-ID;CPR;Modtaget;Vurderet;Kilde;Akut', ...lines].join('\n') + '\n');
    writeFileSync(join(dir, 'ydelser.csv'), Buffer.concat([Buffer.from('Ydelses-ID;Sagsnummer\n'), Buffer.alloc(8 << 20, 0)]));
    const result = await importDubu(db.pool, dir, { ...threaded, stagingThreadBytes: 1 << 20 });
    expect(result.status).toBe('failed');
    expect(result.error).toBe('Filen ydelser.csv er ikke en tekstfil (den indeholder binære data).');
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM notification WHERE municipality_code = 461`);
    expect(rows[0].n).toBe(0);
  });

  it('removes the spill file of rejected rows of a thread stopped mid-file', async () => {
    const spills = () => readdirSync(tmpdir()).filter((f) => f.startsWith(`bu-issues-${process.pid}-`));
    const before = spills();
    const dir = exportWithIssues();
    // The thread's ydelser.csv: rows it rejects (no such date), enough to spill long before its end.
    const rejected = Array.from({ length: 300_000 }, (_, i) => `YX${i};C1;BL § 46;Plejefamilie;;01-02-2024;31-02-2024;;1.000,00;`);
    writeFileSync(
      join(dir, 'ydelser.csv'),
      [
        'Ydelses-ID;Sagsnummer;Lovgrundlag;Ydelse;Leverandør;Bevilget;Startdato;Slutdato;Månedlig udgift;Opfølgningskadence (måneder)',
        ...rejected,
      ].join('\n') + '\n',
    );
    // The loader's underretninger.csv fails the import after a while: binary data behind valid rows.
    const lines = Array.from({ length: 150_000 }, (_, i) => `N${i};010114-4001;15-03-2022 10:00;;Skole;Nej`);
    writeFileSync(
      join(dir, 'underretninger.csv'),
      Buffer.concat([
        Buffer.from(['Underretnings-ID;CPR;Modtaget;Vurderet;Kilde;Akut', ...lines].join('\n') + '\n'),
        Buffer.alloc(1 << 20, 0),
      ]),
    );
    const result = await importDubu(db.pool, dir, { ...threaded, stagingThreadBytes: 1 << 20 });
    expect(result.status).toBe('failed');
    expect(result.error).toContain('underretninger.csv');
    expect(spills()).toEqual(before);
  });
});
