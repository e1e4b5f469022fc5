import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCsc, importDubu } from '@bu/etl';
import { dubuToCsc } from '../../scripts/demo/dubu-to-csc';
import { generateDubuExport } from '../../scripts/demo/generate-dubu';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { copyFixture } from '../support/fixtures';

const TABLES: Record<string, string> = {
  caseworker: 'worker_id',
  person: 'person_id',
  child_case: 'case_id',
  assignment: 'case_id, valid_from',
  notification: 'notification_id',
  investigation: 'investigation_id',
  measure: 'measure_id',
  action_plan: 'plan_id',
  followup: 'measure_id, followup_date',
  supervision_visit: 'measure_id, visit_date',
  child_conversation: 'case_id, conversation_date, occasion',
  effect_measurement: 'case_id, measured_on, seq',
  complaint: 'complaint_id',
  team: 'name',
};

describe('CSC Social-style import (the event log paired into facts)', () => {
  let db: TestDatabase;
  let dubuDir: string;
  let cscDir: string;
  const options = { pseudonymSecret: TEST_SECRET, exportDate: '2024-11-24' };

  beforeAll(async () => {
    db = await createTestDatabase();
    dubuDir = mkdtempSync(join(tmpdir(), 'dubu-'));
    cscDir = mkdtempSync(join(tmpdir(), 'csc-'));
    await generateDubuExport(dubuDir, {
      municipalityCode: 461,
      seed: 3,
      children: 150,
      firstYear: 2021,
      exportDate: '2024-11-24',
      messy: false,
    });
    await dubuToCsc(dubuDir, cscDir);
  });
  afterAll(async () => db?.drop());

  it('gives exactly the canonical rows the DUBU export of the same reality gives', async () => {
    const dubu = await importDubu(db.pool, dubuDir, options);
    const csc = await importCsc(db.pool, cscDir, options);
    expect(dubu.status).toBe('succeeded');
    expect(csc.status).toBe('succeeded');
    expect(csc.rejected).toEqual([]);
    expect(csc.loaded).toEqual(dubu.loaded);
    for (const [table, order] of Object.entries(TABLES)) {
      const { rows: columns } = await db.pool.query(
        `SELECT string_agg(column_name, ', ' ORDER BY ordinal_position) AS cols FROM information_schema.columns WHERE table_name = $1 AND column_name <> 'source'`,
        [table],
      );
      const select = (source: string) =>
        db.pool.query(`SELECT ${columns[0].cols} FROM ${table} WHERE source = $1 ORDER BY ${order}`, [source]);
      const [a, b] = await Promise.all([select('dubu'), select('csc')]);
      expect(a.rows.length, table).toBeGreaterThan(0);
      expect(b.rows, table).toEqual(a.rows);
    }
  });

  it('reads Windows-1252: Danish letters survive', async () => {
    const bytes = readFileSync(join(cscDir, 'MEDARBEJDER.txt'));
    expect(bytes.includes(Buffer.from('Rådgiver', 'utf8'))).toBe(false);
    expect(bytes.includes(Buffer.from('Rådgiver', 'latin1'))).toBe(true);
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM caseworker WHERE source = 'csc' AND job_title = 'Rådgiver'`);
    expect(rows[0].n).toBeGreaterThan(3);
  });

  it('rejects an end without a start, a second start and a second end, and keeps the rest', async () => {
    const dir = copyFixture(cscDir);
    const log = readFileSync(join(dir, 'AKTIVITET.txt'), 'latin1').trimEnd().split('\r\n');
    const start = log.find((l) => l.split('\t')[3] === 'BFU_START')!.split('\t');
    const end = log.find((l) => l.split('\t')[3] === 'BFU_SLUT')!.split('\t');
    const extra = [
      ['X1', start[1], '', 'BFU_SLUT', '2024-01-10', '', '', 'NO-SUCH-BFU', '', '', '', '', '', ''],
      ['X2', ...start.slice(1, 4), '2023-05-05', ...start.slice(5)],
      ['X3', ...end.slice(1, 4), '2024-06-06', ...end.slice(5)],
    ].map((r) => r.join('\t'));
    writeFileSync(join(dir, 'AKTIVITET.txt'), Buffer.from([...log, ...extra].join('\r\n') + '\r\n', 'latin1'));
    const result = await importCsc(db.pool, dir, options);
    expect(result.status).toBe('succeeded');
    const n = log.length;
    expect(result.rejected.map((r) => [r.file, r.line, r.rule])).toEqual(
      expect.arrayContaining([
        ['AKTIVITET.txt', n + 1, 'R018'],
        ['AKTIVITET.txt', n + 2, 'R016'],
        ['AKTIVITET.txt', n + 3, 'R017'],
      ]),
    );
    expect(result.loaded.investigations).toBe(0);
  });

  it('does not stage an unchanged export again, as for DUBU (ADR 0073): the run names the import whose data stand', async () => {
    const first = await importCsc(db.pool, cscDir, options);
    expect(first.status).toBe('succeeded');
    // The import that loaded the snapshot in force (this one, or an earlier one of the same files).
    const origin = first.sameAs ?? first.importId;
    const rows = async () =>
      (await db.pool.query(`SELECT count(*)::int AS n FROM measure WHERE municipality_code = 461 AND source = 'csc'`)).rows[0].n as number;
    const before = await rows();
    const again = await importCsc(db.pool, cscDir, options);
    expect(again).toMatchObject({ status: 'succeeded', sameAs: origin, loaded: {} });
    expect(await rows()).toBe(before);
    // What made it recognisable: the conditions recorded with the run that loaded it (no event after today here).
    const { rows: reuse } = await db.pool.query(`SELECT reuse FROM import_run WHERE id = $1`, [origin]);
    expect(reuse[0].reuse).toMatchObject({ exportDate: '2024-11-24', until: null });
    // Under another export date it is another snapshot: staged.
    const other = await importCsc(db.pool, cscDir, { ...options, exportDate: '2024-11-25' });
    expect(other.status).toBe('succeeded');
    expect(other.sameAs).toBeUndefined();
  });

  it('fails as a whole when a file is not tab-separated', async () => {
    const dir = copyFixture(cscDir);
    writeFileSync(join(dir, 'SAG.txt'), readFileSync(join(dir, 'SAG.txt'), 'latin1').replace(/\t/g, ';'), 'latin1');
    const result = await importCsc(db.pool, dir, options);
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/SAG.txt bruger ikke det forventede skilletegn \(tabulator\)/);
  });
});
