import { spawnSync } from 'child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu } from '@bu/etl';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';

// Rejected rows are not held in memory until the end of an import: the parser's go to a spill
// file, the set-based rules' stay in the database. The result lists the first 1,000; import_issue
// and the CLI's --json have every one.

const ROOT = resolve(__dirname, '../..');
const BAD_DATES = 6000;
const UNKNOWN_CASES = 6000;

function exportDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bu-rejected-'));
  const write = (file: string, lines: string[]) => writeFileSync(join(dir, file), lines.join('\n') + '\n');
  write('medarbejdere.csv', ['Initialer;Navn;Team;Stilling;Ansat fra;Ansat til', 'AA;Alma Andersen;Team Nord;Rådgiver;01-01-2020;']);
  write('sager.csv', ['Sagsnummer;CPR;Kommunenr;Sagsområde;Oprettet;Lukket', 'C1;010114-4001;461;Udsatte;01-01-2022;']);
  write('sagsansvar.csv', ['Sagsnummer;Initialer;Fra;Til', 'C1;AA;01-01-2022;']);
  const rows: string[] = [];
  for (let i = 0; i < BAD_DATES + UNKNOWN_CASES; i++) {
    // Alternating: 30 February (rejected by the parser), a case the export does not have (by the set-based rule).
    rows.push(
      i % 2 === 0
        ? `Y${i};C1;BL § 32;Familiebehandling;;30-02-2024;01-03-2024;;100,00;`
        : `Y${i};X${i};BL § 32;Familiebehandling;;01-02-2024;01-03-2024;;100,00;`,
    );
  }
  rows.push('Y-ok;C1;BL § 32;Familiebehandling;;01-02-2024;01-03-2024;;100,00;');
  write('ydelser.csv', [
    'Ydelses-ID;Sagsnummer;Lovgrundlag;Ydelse;Leverandør;Bevilget;Startdato;Slutdato;Månedlig udgift;Opfølgningskadence (måneder)',
    ...rows,
  ]);
  return dir;
}

describe('an export with many rejected rows', () => {
  let db: TestDatabase;
  const dir = exportDir();
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db?.drop());

  it('keeps every rejected row in import_issue, lists the first 1,000 in the result, and leaves no spill file', async () => {
    const result = await importDubu(db.pool, dir, { pseudonymSecret: TEST_SECRET, exportDate: '2024-06-30' });
    expect(result.status).toBe('succeeded');
    expect(result.loaded.measures).toBe(1);
    expect(result.rejectedCount).toBe(BAD_DATES + UNKNOWN_CASES);
    expect(result.rejected).toHaveLength(1000);
    // File order: the parser's rejections first (they are found first), each set in line order.
    expect(result.rejected[0]).toMatchObject({ file: 'ydelser.csv', line: 2, rule: 'R002', value: '30-02-2024' });
    expect(result.rejected[999]).toMatchObject({ file: 'ydelser.csv', line: 2 + 2 * 999, rule: 'R002' });
    const { rows } = await db.pool.query(
      `SELECT rule, count(*)::int AS n, min(line) AS first, max(line) AS last FROM import_issue WHERE import_id = $1 AND severity = 'error' GROUP BY rule ORDER BY rule`,
      [result.importId],
    );
    expect(rows).toEqual([
      { rule: 'R002', n: BAD_DATES, first: 2, last: 2 + BAD_DATES * 2 - 2 },
      { rule: 'R011', n: UNKNOWN_CASES, first: 3, last: 2 + UNKNOWN_CASES * 2 - 1 },
    ]);
    const { rows: run } = await db.pool.query(`SELECT rejected_count FROM import_run WHERE id = $1`, [result.importId]);
    expect(run).toEqual([{ rejected_count: BAD_DATES + UNKNOWN_CASES }]);
    const { rows: message } = await db.pool.query(
      `SELECT message FROM import_issue WHERE import_id = $1 AND rule = 'R011' ORDER BY id LIMIT 1`,
      [result.importId],
    );
    expect(message).toEqual([{ message: 'Sagsnummer X1 findes ikke i sager.csv.' }]);
    expect(readdirSync(tmpdir()).filter((f) => f.startsWith(`bu-issues-${process.pid}-`))).toEqual([]);
  });

  it('prints every rejected row with --json, in file order', () => {
    const run = spawnSync(
      process.execPath,
      ['tools/run.js', 'etl/src/cli.ts', 'import', 'dubu', dir, '--export-date', '2024-06-30', '--json'],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, DATABASE_URL: db.url, PSEUDONYM_SECRET: TEST_SECRET },
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    expect(run.status).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary.status).toBe('succeeded');
    expect(summary.rejected).toHaveLength(BAD_DATES + UNKNOWN_CASES);
    expect(summary.rejected.slice(0, BAD_DATES).every((r: { rule: string }) => r.rule === 'R002')).toBe(true);
    // Each row once, in line order within each rule (the pages follow the issues' order).
    const lines = summary.rejected.map((r: { line: number }) => r.line);
    expect(lines.slice(0, BAD_DATES)).toEqual(Array.from({ length: BAD_DATES }, (_, i) => 2 + 2 * i));
    expect(lines.slice(BAD_DATES)).toEqual(Array.from({ length: UNKNOWN_CASES }, (_, i) => 3 + 2 * i));
    expect(summary.rejected[BAD_DATES]).toEqual({
      file: 'ydelser.csv',
      line: 3,
      rule: 'R011',
      value: 'X1',
      message: 'Sagsnummer X1 findes ikke i sager.csv.',
    });
    // Only the files the export leaves out (W006): nothing else is worth a warning here.
    expect([...new Set(summary.warnings.map((w: { rule: string }) => w.rule))]).toEqual(['W006']);
    expect(summary.unchanged).toMatchObject({ measures: 1 });
  });
});
