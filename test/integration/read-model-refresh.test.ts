import { join } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READ_MODELS_BUILD, STALE_READ_MODELS } from '@bu/db';
import { etlQueue, importDubu, READ_MODELS_JOB, refreshStaleReadModels, scheduleReadModelRefresh, startEtlWorker } from '@bu/etl';
import { readModelsCurrent } from '@bu/kpi';
import { createTestDatabase, TEST_SECRET, type TestDatabase } from '../support/database';
import { copyFixture, editFile, FIXTURES } from '../support/fixtures';

// Read models not built from the data in force are built by the worker on a schedule: after a
// migration that adds a read model (it empties read_model_state) or a build that failed after an
// import, every municipality's KPIs would otherwise read the facts, correct but slow, until its
// next import. Imports made here directly (not through the worker's job) build none.
describe('the worker builds read models that are not current', () => {
  let db: TestDatabase;
  const stale = async () => (await db.pool.query<{ municipality: number }>(STALE_READ_MODELS)).rows.map((r) => r.municipality);
  const current = (municipality: number) => readModelsCurrent(async (sql, params) => (await db.pool.query(sql, params)).rows, municipality);

  beforeAll(async () => {
    db = await createTestDatabase();
    const dirs = [join(FIXTURES, 'dubu-deadlines')];
    for (const code of [101, 751]) {
      const copy = copyFixture(join(FIXTURES, 'dubu-deadlines'));
      editFile(copy, 'sager.csv', (text) => text.replace(/;461;/g, `;${code};`));
      dirs.push(copy);
    }
    for (const dir of dirs)
      expect((await importDubu(db.pool, dir, { pseudonymSecret: TEST_SECRET, exportDate: '2024-04-30' })).status).toBe('succeeded');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('builds them in code order, at least one a run, the rest while its time lasts', async () => {
    expect(await stale()).toEqual([101, 461, 751]);
    expect([await current(101), await current(461), await current(751)]).toEqual([false, false, false]);
    // A clock that moves 600 ms at each look, and a second of time: two builds start, the third waits.
    let clock = 0;
    const now = () => (clock += 600);
    expect(await refreshStaleReadModels(db.pool, { budgetMs: 1000, now })).toEqual({ built: [101, 461], failed: [], left: 1 });
    expect([await current(101), await current(461), await current(751)]).toEqual([true, true, false]);
    // No time at all: still one a run.
    await db.pool.query('DELETE FROM read_model_state WHERE municipality_code = 461');
    expect(await refreshStaleReadModels(db.pool, { budgetMs: 0 })).toEqual({ built: [461], failed: [], left: 1 });
    expect(await refreshStaleReadModels(db.pool)).toEqual({ built: [751], failed: [], left: 0 });
    expect(await refreshStaleReadModels(db.pool)).toEqual({ built: [], failed: [], left: 0 });
    // A new import of one: only its read models are stale again.
    await importDubu(db.pool, join(FIXTURES, 'dubu-deadlines'), {
      pseudonymSecret: TEST_SECRET,
      exportDate: '2024-04-30',
      restage: true,
      allowShrink: true,
    });
    expect(await stale()).toEqual([461]);
    await refreshStaleReadModels(db.pool);
  });

  it('goes on past a municipality whose build fails, and tries it again the next run', async () => {
    await db.pool.query('DELETE FROM read_model_state');
    // 101's build fails at one of its read models (a fault of its data, say); the others are built.
    await db.pool.query(`CREATE FUNCTION refuse_101() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'a fault in 101''s data'; END $$`);
    await db.pool.query(`CREATE TRIGGER refuse_101 BEFORE INSERT ON caseload_day FOR EACH ROW
      WHEN (NEW.municipality_code = 101) EXECUTE FUNCTION refuse_101()`);
    try {
      expect(await refreshStaleReadModels(db.pool)).toEqual({ built: [461, 751], failed: [101], left: 0 });
      expect(await stale()).toEqual([101]);
    } finally {
      await db.pool.query('DROP TRIGGER refuse_101 ON caseload_day; DROP FUNCTION refuse_101()');
    }
    expect(await refreshStaleReadModels(db.pool)).toEqual({ built: [101], failed: [], left: 0 });
    expect(await current(101)).toBe(true);
  });

  it('takes read models made by other builds for not current, and builds them again (ADR 0107)', async () => {
    expect(await stale()).toEqual([]);
    // 751's made by other builds (a worker of another version, or rules since changed); 101's by a
    // worker from before builds were recorded.
    await db.pool.query(`UPDATE read_model_state SET build = 'other builds' WHERE municipality_code = 751`);
    await db.pool.query(`UPDATE read_model_state SET build = NULL WHERE municipality_code = 101`);
    expect(await stale()).toEqual([101, 751]);
    expect([await current(101), await current(461), await current(751)]).toEqual([false, true, false]);
    expect(await refreshStaleReadModels(db.pool)).toEqual({ built: [101, 751], failed: [], left: 0 });
    expect([await current(101), await current(461), await current(751)]).toEqual([true, true, true]);
    const { rows } = await db.pool.query('SELECT DISTINCT build FROM read_model_state');
    expect(rows).toEqual([{ build: READ_MODELS_BUILD }]);
  });

  it('as the worker’s scheduled job, after a migration emptied read_model_state', async () => {
    await db.pool.query('DELETE FROM read_model_state');
    expect(await stale()).toEqual([101, 461, 751]);
    const queue = etlQueue({ databaseUrl: db.url });
    const worker = startEtlWorker({ databaseUrl: db.url }, db.pool, TEST_SECRET);
    try {
      // A new schedule's first run comes at once, not after the interval.
      await scheduleReadModelRefresh(queue, 3_600_000);
      const deadline = Date.now() + 60_000;
      while ((await stale()).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(await stale()).toEqual([]);
      expect([await current(101), await current(461), await current(751)]).toEqual([true, true, true]);
    } finally {
      await queue.removeJobScheduler(READ_MODELS_JOB);
      await worker.close();
      await queue.close();
    }
  });
});
