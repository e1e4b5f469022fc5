import { spawnSync } from 'child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCsc, importDubu, importEconomy, importStatistics } from '@bu/etl';
import { dubuToCsc } from '../../scripts/demo/dubu-to-csc';
import { generateDubuExport } from '../../scripts/demo/generate-dubu';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { FIXTURES } from '../support/fixtures';

// Issue 13 item 5: concurrent imports of one municipality and source, an export older than the one
// loaded, and the default export date from events that happened (never from planned ends).

const ROOT = resolve(__dirname, '../..');
const FACT_TABLES = [
  'child_case',
  'person',
  'caseworker',
  'assignment',
  'notification',
  'investigation',
  'measure',
  'action_plan',
  'followup',
  'supervision_visit',
  'child_conversation',
  'effect_measurement',
  'complaint',
];

/** One checksum per fact table over a municipality's rows, in a stable order. */
async function factChecksums(pool: Pool, municipality: number): Promise<Record<string, { rows: number; md5: string }>> {
  const out: Record<string, { rows: number; md5: string }> = {};
  for (const table of FACT_TABLES) {
    const { rows } = await pool.query(
      `SELECT count(*)::int AS rows, coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') AS md5 FROM ${table} t WHERE municipality_code = $1`,
      [municipality],
    );
    out[table] = rows[0];
  }
  return out;
}

/** A generated DUBU export (and its CSC twin) taken on `exportDate`. */
async function exportOf(municipality: number, exportDate: string, edit?: (dir: string) => void): Promise<{ dubu: string; csc: string }> {
  const dubu = mkdtempSync(join(tmpdir(), 'order-dubu-'));
  const csc = mkdtempSync(join(tmpdir(), 'order-csc-'));
  await generateDubuExport(dubu, { municipalityCode: municipality, seed: 7, children: 80, firstYear: 2022, exportDate, messy: false });
  edit?.(dubu);
  await dubuToCsc(dubu, csc);
  return { dubu, csc };
}

/** Sets the empty end date (column `at`, 0-based) of every other open row of a DUBU file to `end`: planned ends. */
function planEnds(dir: string, file: string, at: number, end: string): number {
  const path = join(dir, file);
  const lines = readFileSync(path, 'utf8').split('\n');
  let planned = 0;
  const edited = lines.map((line, i) => {
    if (i === 0 || line === '') return line;
    const cells = line.split(';');
    if (cells[at] !== '' || i % 2 === 1) return line;
    cells[at] = end;
    planned++;
    return cells.join(';');
  });
  writeFileSync(path, edited.join('\n'));
  return planned;
}

describe('imports of one municipality in order', () => {
  let db: TestDatabase;
  let other: TestDatabase;
  const options = { pseudonymSecret: TEST_SECRET };

  beforeAll(async () => {
    [db, other] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  });
  afterAll(async () => {
    await db?.drop();
    await other?.drop();
  });

  it('takes the default export date from events that happened, not from planned ends (DUBU and CSC)', async () => {
    // Taken on 31 October 2025; cases, investigations and measures planned to end on 2 December 2025
    // (before today): the old default was 2 December, and every figure's default date with it.
    let planned = 0;
    const { dubu, csc } = await exportOf(147, '2025-10-31', (dir) => {
      planned += planEnds(dir, 'sager.csv', 5, '02-12-2025');
      planned += planEnds(dir, 'undersoegelser.csv', 3, '02-12-2025');
      planned += planEnds(dir, 'ydelser.csv', 7, '02-12-2025');
    });
    expect(planned).toBeGreaterThan(10);
    const a = await importDubu(db.pool, dubu, options);
    const b = await importCsc(db.pool, csc, options);
    for (const result of [a, b]) {
      expect(result.status, result.error).toBe('succeeded');
      // The newest received, started or decided day of a busy municipality: in the last weeks before the export.
      expect(result.exportDate! <= '2025-10-31' && result.exportDate! >= '2025-10-01', result.exportDate!).toBe(true);
    }
    expect(b.exportDate).toBe(a.exportDate);
    const { rows } = await db.pool.query(
      `SELECT source, to_char(export_date, 'YYYY-MM-DD') AS d FROM source_snapshot WHERE municipality_code = 147 ORDER BY source`,
    );
    expect(rows).toEqual([
      { source: 'csc', d: a.exportDate },
      { source: 'dubu', d: a.exportDate },
    ]);
    // The planned ends are loaded as they are.
    const { rows: ends } = await db.pool.query(
      `SELECT count(*)::int AS n FROM measure WHERE municipality_code = 147 AND ended = '2025-12-02'`,
    );
    expect(ends[0].n).toBeGreaterThan(0);
  }, 120_000);

  it('refuses an export older than the loaded one as a whole, with both dates, unless allowed (DUBU and CSC)', async () => {
    const { dubu, csc } = await exportOf(151, '2025-06-30');
    for (const [source, run, dir] of [
      ['dubu', importDubu, dubu],
      ['csc', importCsc, csc],
    ] as const) {
      const newer = await run(db.pool, dir, { ...options, exportDate: '2025-06-30' });
      expect(newer.status, newer.error).toBe('succeeded');
      const before = await factChecksums(db.pool, 151);
      const older = await run(db.pool, dir, { ...options, exportDate: '2025-05-31' });
      expect(older.status).toBe('failed');
      expect(older.error).toContain('31.05.2025');
      expect(older.error).toContain('30.06.2025');
      expect(older.error).toMatch(/--allow-older/);
      expect(await factChecksums(db.pool, 151)).toEqual(before);
      const { rows } = await db.pool.query(
        `SELECT r.status, r.error IS NOT NULL AS has_error, to_char(s.export_date, 'YYYY-MM-DD') AS loaded
         FROM import_run r, source_snapshot s WHERE r.id = $1 AND s.municipality_code = 151 AND s.source = $2`,
        [older.importId, source],
      );
      expect(rows).toEqual([{ status: 'failed', has_error: true, loaded: '2025-06-30' }]);
      // The same date again is no older: loaded (nothing changes).
      expect((await run(db.pool, dir, { ...options, exportDate: '2025-06-30' })).status).toBe('succeeded');
      const forced = await run(db.pool, dir, { ...options, exportDate: '2025-05-31', allowOlder: true });
      expect(forced.status, forced.error).toBe('succeeded');
      const { rows: now } = await db.pool.query(
        `SELECT to_char(export_date, 'YYYY-MM-DD') AS d FROM source_snapshot WHERE municipality_code = 151 AND source = $1`,
        [source],
      );
      expect(now).toEqual([{ d: '2025-05-31' }]);
    }
  }, 180_000);

  it('the CLI refuses an older export (exit 1) and loads it with --allow-older', async () => {
    const { dubu } = await exportOf(153, '2025-03-31');
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ['tools/run.js', 'etl/src/cli.ts', 'import', 'dubu', dubu, ...args], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, DATABASE_URL: db.url, PSEUDONYM_SECRET: TEST_SECRET },
      });
    expect(run('--export-date', '2025-03-31', '--json').status).toBe(0);
    const refused = run('--export-date', '2025-02-28');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/Udtrækket er fra 28\.02\.2025.*nyere udtræk.*\(31\.03\.2025\)/s);
    const forced = run('--export-date', '2025-02-28', '--allow-older', '--json');
    expect(forced.status, forced.stderr).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ status: 'succeeded', exportDate: '2025-02-28' });
  }, 120_000);

  it('runs two imports of one municipality and source one after the other: the second compares against the first', async () => {
    const { dubu } = await exportOf(157, '2025-09-30');
    const pools = [new Pool({ connectionString: db.url }), new Pool({ connectionString: db.url })];
    try {
      const results = await Promise.all(pools.map((pool) => importDubu(pool, dubu, { ...options, exportDate: '2025-09-30' })));
      expect(results.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
      // Exactly one loaded the rows; the other waited and found every row unchanged: they never interleaved.
      const [first, second] = results[0].loaded.cases! > 0 ? results : [results[1], results[0]];
      expect(first.loaded.cases).toBeGreaterThan(0);
      expect(
        Object.values(second.loaded).every((n) => n === 0),
        JSON.stringify(second.loaded),
      ).toBe(true);
      expect(second.unchanged).toEqual(first.loaded);
      // The final state is that of one import (into a database of its own).
      const single = await importDubu(other.pool, dubu, { ...options, exportDate: '2025-09-30' });
      expect(single.loaded).toEqual(first.loaded);
      expect(await factChecksums(db.pool, 157)).toEqual(await factChecksums(other.pool, 157));
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
  }, 120_000);

  it('runs two economy imports, and two statistics imports, one after the other', async () => {
    const pools = [new Pool({ connectionString: db.url }), new Pool({ connectionString: db.url })];
    try {
      for (const [run, dir, entity] of [
        [importEconomy, 'economy-small', 'budget_lines'],
        [importStatistics, 'statistics-small', 'statistics'],
      ] as const) {
        const results = await Promise.all(pools.map((pool) => run(pool, join(FIXTURES, dir), options)));
        expect(
          results.map((r) => r.status),
          results.map((r) => r.error).join(),
        ).toEqual(['succeeded', 'succeeded']);
        const loaded = results.map((r) => r.loaded[entity] ?? 0).sort((a, b) => a - b);
        // One loaded the rows, the other found them all unchanged.
        expect(loaded[0]).toBe(0);
        expect(loaded[1]).toBeGreaterThan(0);
        expect(results.map((r) => r.unchanged[entity] ?? 0).sort((a, b) => b - a)).toEqual([loaded[1], 0]);
      }
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
  }, 60_000);
});
