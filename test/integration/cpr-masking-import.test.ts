import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { etlQueue, importCsc, importDubu, pullDropFolders } from '@bu/etl';
import { dubuToCsc } from '../../scripts/demo/dubu-to-csc';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { copyFixture, FIXTURES } from '../support/fixtures';

// What an import keeps of a rejected row (import_issue.value and .message) and of a whole failure
// (import_run.error) holds no CPR number in any spelling, nor its birth date: the parser's issues
// (masked in JavaScript) and the set-based rules' (masked in SQL) alike.

const M = '******-****';

function exportDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bu-masking-'));
  const write = (file: string, lines: string[]) => writeFileSync(join(dir, file), lines.join('\n') + '\n');
  write('medarbejdere.csv', ['Initialer;Navn;Team;Stilling;Ansat fra;Ansat til', 'AA;Alma Andersen;Team Nord;Rådgiver;01-01-2020;']);
  write('sager.csv', [
    'Sagsnummer;CPR;Kommunenr;Sagsområde;Oprettet;Lukket',
    'C1;010114-4001;461;Udsatte;01-01-2022;',
    'C2;CPR0102031234;461;Udsatte;01-01-2022;',
    'C3;010114-4001;461;Udsatte;010203 1234;',
  ]);
  write('sagsansvar.csv', ['Sagsnummer;Initialer;Fra;Til', 'C1;AA;01-01-2022;']);
  write('ydelser.csv', [
    'Ydelses-ID;Sagsnummer;Lovgrundlag;Ydelse;Leverandør;Bevilget;Startdato;Slutdato;Månedlig udgift;Opfølgningskadence (måneder)',
    'Y1;C1;BL § 32;Familiebehandling;;01-02-2024;01-03-2024;;100,00;',
    'Y2;X0102031234;BL § 32;Familiebehandling;;01-02-2024;01-03-2024;;100,00;',
    'Y3;sag 01.02.03-1234 og 020304 5678;BL § 32;Familiebehandling;;01-02-2024;01-03-2024;;100,00;',
  ]);
  return dir;
}

describe('CPR masking in what an import stores', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db?.drop());

  it('masks CPR numbers glued to letters, spaced or dotted, in values and messages of rejected rows', async () => {
    const result = await importDubu(db.pool, exportDir(), { pseudonymSecret: TEST_SECRET, exportDate: '2024-06-30' });
    expect(result.status).toBe('succeeded');
    const { rows } = await db.pool.query(`SELECT file, line, rule, value, message FROM import_issue WHERE import_id = $1 ORDER BY id`, [
      result.importId,
    ]);
    const text = rows.map((r) => `${r.value} ${r.message}`).join('\n');
    // No birth date of the corpus survives anywhere, nor its digits.
    for (const leak of ['010203', '020304', '01.02.03', '1234', '5678']) expect(text).not.toContain(leak);
    const byLine = (file: string, line: number) => rows.filter((r) => r.file === file && r.line === line);
    // Parser (JavaScript): an invalid CPR, a CPR where a date belongs.
    expect(byLine('sager.csv', 3).map((r) => r.value)).toContain(M);
    expect(byLine('sager.csv', 4).map((r) => r.value)).toContain(M);
    // Set-based rule (SQL): case numbers the export does not have.
    expect(byLine('ydelser.csv', 3).map((r) => r.value)).toContain(`X${M}`);
    expect(byLine('ydelser.csv', 4).map((r) => r.value)).toContain(`sag ${M} og ${M}`);
    expect(byLine('ydelser.csv', 4).some((r) => r.message.includes(`sag ${M} og ${M}`))).toBe(true);
  });

  it('masks a CPR number in the error of a whole failure', async () => {
    const queue = etlQueue({ databaseUrl: db.url });
    try {
      const path = join(tmpdir(), 'bu-missing-0102031234', 'barn 010203-1234');
      await db.pool.query(`INSERT INTO drop_folder (municipality_code, source, path) VALUES (461, 'dubu', $1)`, [path]);
      expect(Object.values(await pullDropFolders(db.pool, queue))).toEqual(['error']);
      const { rows } = await db.pool.query(`SELECT error FROM import_run WHERE requested_by LIKE 'drop-folder:%'`);
      expect(rows).toHaveLength(1);
      expect(rows[0].error).toContain(`bu-missing-${M}/barn ${M}`);
      expect(rows[0].error).not.toMatch(/0102|010203/);
      const { rows: folder } = await db.pool.query(`SELECT last_error FROM drop_folder`);
      expect(folder[0].last_error).not.toMatch(/0102|010203/);
    } finally {
      await queue.close();
    }
  });
});

/** Adds a row to a DUBU file, its fields by header (the rest empty). */
function addRow(dir: string, file: string, fields: Record<string, string>): void {
  const text = readFileSync(join(dir, file), 'utf8').trimEnd();
  const header = text
    .split('\n')[0]
    .replace(/^\uFEFF/, '')
    .split(';');
  writeFileSync(join(dir, file), `${text}\n${header.map((h) => fields[h] ?? '').join(';')}\n`);
}

/** Every text, JSON and array value of every table of the database that holds `pattern`: "table.column: count". */
async function holding(pool: Pool, pattern: string): Promise<string[]> {
  const { rows: columns } = await pool.query<{ s: string; t: string; c: string }>(
    `SELECT c.table_schema AS s, c.table_name AS t, c.column_name AS c FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
      WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema') AND c.data_type IN ('text', 'character varying', 'jsonb', 'json', 'ARRAY')`,
  );
  const found: string[] = [];
  for (const { s, t, c } of columns) {
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM "${s}"."${t}" WHERE "${c}"::text ~ $1`, [pattern]);
    if (rows[0].n > 0) found.push(`${s}.${t}.${c}: ${rows[0].n}`);
  }
  return found;
}

// Caseworkers write CPR numbers into free text: a supplier, a source, an occasion, a legal basis or
// a measure type outside the catalogue. None reaches the database unmasked, from either case system.
describe('CPR numbers in the free texts of an export', () => {
  // In SQL: '.' is any character (a no-break space, a dash, a dot).
  const RAW = '0102031234|010203.1234|01.02.03.1234|0102.03.1234';
  let dubu: TestDatabase;
  let csc: TestDatabase;
  let dir: string;
  let cscDir: string;
  let dubuResult: Awaited<ReturnType<typeof importDubu>>;

  beforeAll(async () => {
    [dubu, csc] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    dir = copyFixture(join(FIXTURES, 'dubu-deadlines'));
    addRow(dir, 'ydelser.csv', {
      'Ydelses-ID': 'Y90',
      Sagsnummer: 'C1',
      Lovgrundlag: 'SEL § 52 (barn 010203-1234)',
      Ydelse: 'Støtte til 0102031234',
      Leverandør: 'Plejefamilie 010203-1234',
      Bevilget: '01-02-2024',
      Startdato: '01-03-2024',
      'Månedlig udgift': '100,00',
    });
    addRow(dir, 'underretninger.csv', {
      'Underretnings-ID': 'N90',
      CPR: '010114-4001',
      Modtaget: '01-03-2024 10:00',
      Vurderet: '02-03-2024 10:00',
      Kilde: 'Nabo til 010203 1234',
      Akut: 'Nej',
    });
    addRow(dir, 'undersoegelser.csv', {
      'Undersøgelses-ID': 'U90',
      Sagsnummer: 'C1',
      Startdato: '01-03-2024',
      Lovgrundlag: 'ukendt 0102031234',
    });
    addRow(dir, 'boernesamtaler.csv', { Sagsnummer: 'C1', Dato: '01-03-2024', Anledning: 'Samtale, bror 010203-1234' });
    // A CPR number as an id: the row is refused, not kept.
    addRow(dir, 'handleplaner.csv', { 'Handleplan-ID': '010203-1234', Sagsnummer: 'C1', Dato: '01-03-2024', Type: 'Handleplan' });
    // Nor as a caseworker's initials (kept as they stand, as an id).
    addRow(dir, 'sagsansvar.csv', { Sagsnummer: 'C1', Initialer: '010203-1234', Fra: '01-03-2024', Til: '' });
    // Written any other way a person writes one: spaces (a no-break one too), dots, other groupings.
    addRow(dir, 'handleplaner.csv', { 'Handleplan-ID': '01.02.03-1234', Sagsnummer: 'C1', Dato: '01-03-2024', Type: 'Handleplan' });
    addRow(dir, 'handleplaner.csv', { 'Handleplan-ID': '0102 03 1234', Sagsnummer: 'C1', Dato: '01-03-2024', Type: 'Handleplan' });
    addRow(dir, 'sagsansvar.csv', { Sagsnummer: 'C1', Initialer: '010203\u00a01234', Fra: '01-03-2024', Til: '' });
    addRow(dir, 'boernesamtaler.csv', { Sagsnummer: '010203 1234', Dato: '01-03-2024', Anledning: 'Samtale' });
    dubuResult = await importDubu(dubu.pool, dir, { pseudonymSecret: TEST_SECRET, exportDate: '2024-04-30' });
    cscDir = mkdtempSync(join(tmpdir(), 'bu-cpr-csc-'));
    await dubuToCsc(dir, cscDir);
  });
  afterAll(async () => {
    await Promise.all([dubu?.drop(), csc?.drop()]);
    for (const d of [dir, cscDir]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('DUBU: masks them where they are stored, warns (W008), and refuses a CPR number as an id (R032)', async () => {
    expect(dubuResult.status).toBe('succeeded');
    expect(await holding(dubu.pool, RAW)).toEqual([]);
    const { rows } = await dubu.pool.query(`SELECT legal_basis, type_code, provider FROM measure WHERE measure_id = 'Y90'`);
    expect(rows).toEqual([
      { legal_basis: 'SEL § 52 (barn ******-****)', type_code: 'Støtte til ******-****', provider: 'Plejefamilie ******-****' },
    ]);
    expect((await dubu.pool.query(`SELECT occasion FROM child_conversation WHERE occasion LIKE 'Samtale, bror%'`)).rows).toEqual([
      { occasion: 'Samtale, bror ******-****' },
    ]);
    const issues = await dubu.pool.query(
      `SELECT file, rule FROM import_issue WHERE import_id = $1 AND rule IN ('W008', 'R032') ORDER BY file, rule`,
      [dubuResult.importId],
    );
    expect(issues.rows).toEqual([
      { file: 'boernesamtaler.csv', rule: 'R032' },
      { file: 'boernesamtaler.csv', rule: 'W008' },
      { file: 'handleplaner.csv', rule: 'R032' },
      { file: 'handleplaner.csv', rule: 'R032' },
      { file: 'handleplaner.csv', rule: 'R032' },
      { file: 'sagsansvar.csv', rule: 'R032' },
      { file: 'sagsansvar.csv', rule: 'R032' },
      { file: 'underretninger.csv', rule: 'W008' },
      { file: 'undersoegelser.csv', rule: 'W008' },
      { file: 'ydelser.csv', rule: 'W008' },
      { file: 'ydelser.csv', rule: 'W008' },
      { file: 'ydelser.csv', rule: 'W008' },
    ]);
  });

  it('CSC Social: the same texts in the event log are masked where they are stored', async () => {
    const result = await importCsc(csc.pool, cscDir, { pseudonymSecret: TEST_SECRET, exportDate: '2024-04-30' });
    expect(result.status).toBe('succeeded');
    expect(await holding(csc.pool, RAW)).toEqual([]);
    const { rows } = await csc.pool.query(`SELECT provider FROM measure WHERE provider LIKE 'Plejefamilie%'`);
    expect(rows).toEqual([{ provider: 'Plejefamilie ******-****' }]);
    const warned = await csc.pool.query(`SELECT count(*)::int AS n FROM import_issue WHERE import_id = $1 AND rule = 'W008'`, [
      result.importId,
    ]);
    expect(warned.rows[0].n).toBeGreaterThanOrEqual(4);
  });
});
