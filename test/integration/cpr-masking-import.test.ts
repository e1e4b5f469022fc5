import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { etlQueue, importDubu, pullDropFolders } from '@bu/etl';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';

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
