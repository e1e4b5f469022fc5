import { spawnSync } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReadModels } from '@bu/db';
import { CASE_FACT_TABLES, importCsc, importDubu } from '@bu/etl';
import { dubuToCsc } from '../../scripts/demo/dubu-to-csc';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';

const ROOT = resolve(__dirname, '../..');
const DUBU = join(ROOT, 'test/fixtures/dubu-deadlines');

// A municipality that changed case system: every import carries the old system's rows forward, so
// its children's data would be kept for ever. `npm run etl -- remove-source` removes them, and
// leaves the municipality as if the new system's export were all it ever imported.
describe('removing a case system a municipality no longer uses', () => {
  let both: TestDatabase;
  let only: TestDatabase;
  let csc: string;

  /** Rows per case fact table, and the sources in each, of municipality 461. */
  const facts = async (db: TestDatabase) => {
    const out: Record<string, { n: number; sources: string[] }> = {};
    for (const table of CASE_FACT_TABLES) {
      const { rows } = await db.pool.query(
        `SELECT count(*)::int AS n, coalesce(array_agg(DISTINCT source) FILTER (WHERE source IS NOT NULL), '{}') AS sources FROM ${table} WHERE municipality_code = 461`,
      );
      out[table] = rows[0];
    }
    return out;
  };
  const cli = (db: TestDatabase, ...args: string[]) =>
    spawnSync(process.execPath, ['tools/run.js', 'etl/src/cli.ts', 'remove-source', ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: db.url },
    });

  beforeAll(async () => {
    [both, only] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    csc = mkdtempSync(join(tmpdir(), 'bu-remove-source-'));
    await dubuToCsc(DUBU, csc);
    const options = { pseudonymSecret: TEST_SECRET, exportDate: '2024-04-30' };
    expect((await importDubu(both.pool, DUBU, options)).status).toBe('succeeded');
    expect((await importCsc(both.pool, csc, options)).status).toBe('succeeded');
    expect((await importCsc(only.pool, csc, options)).status).toBe('succeeded');
    // As the worker does after an import.
    await Promise.all([buildReadModels(both.pool, 461), buildReadModels(only.pool, 461)]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([both?.drop(), only?.drop()]);
    rmSync(csc, { recursive: true, force: true });
  });

  it('removes the old system’s rows, its snapshot and the read models built with them; the new system’s data is as if alone', async () => {
    expect((await facts(both)).child_case.sources.sort()).toEqual(['csc', 'dubu']);
    const { rows: dubuCases } = await both.pool.query(`SELECT count(*)::int AS n FROM child_case WHERE source = 'dubu'`);
    const run = cli(both, '461', 'dubu');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^Kommune 461: \d+ rækker fra dubu er slettet \(importlog \d+\)\./);

    expect(await facts(both)).toEqual(await facts(only));
    const sources = await both.pool.query(`SELECT source FROM source_snapshot WHERE municipality_code = 461 ORDER BY 1`);
    expect(sources.rows).toEqual([{ source: 'csc' }]);
    // The read models are built again, from what is left: the same as the new system's alone.
    for (const table of ['case_team_span', 'started_measure', 'unassigned_case_day']) {
      const count = async (db: TestDatabase) =>
        (await db.pool.query(`SELECT count(*)::int AS n FROM ${table} WHERE municipality_code = 461`)).rows[0].n;
      expect([table, await count(both)]).toEqual([table, await count(only)]);
    }
    const { rows: state } = await both.pool.query(`SELECT count(*)::int AS n FROM read_model_state WHERE municipality_code = 461`);
    expect(state[0].n).toBeGreaterThan(0);
    // The import log says what went, and who asked.
    const { rows: log } = await both.pool.query(
      `SELECT status, requested_by, removed->>'source' AS source, (removed->>'child_case')::int AS cases FROM import_run WHERE source = 'purge'`,
    );
    expect(log).toEqual([{ status: 'succeeded', requested_by: expect.stringMatching(/^cli:/), source: 'dubu', cases: dubuCases[0].n }]);
  }, 120_000);

  it('refuses a source the municipality has no data from, and anything but a case system, changing nothing', async () => {
    const before = await facts(both);
    const again = cli(both, '461', 'dubu');
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('Kommune 461 har ingen data fra dubu');
    const economy = cli(both, '461', 'economy');
    expect(economy.status).toBe(2);
    expect(economy.stderr).toContain('Brug: npm run etl -- remove-source <kommunekode> <dubu|csc>');
    expect(await facts(both)).toEqual(before);
  }, 60_000);
});
