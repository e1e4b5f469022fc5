import { join } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STALE_READ_MODELS } from '@bu/db';
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
    const copenhagen = copyFixture(join(FIXTURES, 'dubu-deadlines'));
    editFile(copenhagen, 'sager.csv', (text) => text.replace(/;461;/g, ';101;'));
    for (const dir of [join(FIXTURES, 'dubu-deadlines'), copenhagen])
      expect((await importDubu(db.pool, dir, { pseudonymSecret: TEST_SECRET, exportDate: '2024-04-30' })).status).toBe('succeeded');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('builds them in code order, at least one a run, the rest while its time lasts', async () => {
    expect(await stale()).toEqual([101, 461]);
    expect([await current(101), await current(461)]).toEqual([false, false]);
    // No time left after the first: the other is left for the next run.
    expect(await refreshStaleReadModels(db.pool, { budgetMs: 0 })).toEqual({ built: [101], left: 1 });
    expect([await current(101), await current(461)]).toEqual([true, false]);
    expect(await refreshStaleReadModels(db.pool)).toEqual({ built: [461], left: 0 });
    expect(await current(461)).toBe(true);
    expect(await refreshStaleReadModels(db.pool)).toEqual({ built: [], left: 0 });
    // A new import of one: only its read models are stale again.
    await importDubu(db.pool, join(FIXTURES, 'dubu-deadlines'), {
      pseudonymSecret: TEST_SECRET,
      exportDate: '2024-04-30',
      restage: true,
      allowShrink: true,
    });
    expect(await stale()).toEqual([461]);
  });

  it('as the worker’s scheduled job, after a migration emptied read_model_state', async () => {
    await db.pool.query('DELETE FROM read_model_state');
    expect(await stale()).toEqual([101, 461]);
    const queue = etlQueue({ databaseUrl: db.url });
    const worker = startEtlWorker({ databaseUrl: db.url }, db.pool, TEST_SECRET);
    try {
      // The first run comes at once, not after the interval.
      await scheduleReadModelRefresh(queue, 3_600_000);
      const deadline = Date.now() + 60_000;
      while ((await stale()).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(await stale()).toEqual([]);
      expect([await current(101), await current(461)]).toEqual([true, true]);
    } finally {
      await queue.removeJobScheduler(READ_MODELS_JOB);
      await worker.close();
      await queue.close();
    }
  });
});
