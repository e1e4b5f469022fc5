import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ABANDONED_RUN_MESSAGE, failAbandonedRunsOf, guardPool, ImportFailure, runImport } from '@bu/etl';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';

// An import that ends without a word (its process killed, its connection lost, its job given up by
// the queue after it stalled) must not stay "I gang" in the import log for good: its row is made
// together with a lock its connection holds, and a 'running' row whose lock is free is marked failed.
describe('imports that ended without a word', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  const run = async (id: string) =>
    (await db.pool.query(`SELECT status, error, finished_at IS NOT NULL AS finished FROM import_run WHERE id = $1`, [id])).rows[0];

  /** An import whose staging waits for `gate`, then fails in Danish; its id once its row is there. */
  function importWaitingFor(pool: Pool, gate: Promise<void>) {
    let started!: (id: string) => void;
    const id = new Promise<string>((resolve) => (started = resolve));
    const result = runImport(
      pool,
      'dubu',
      [],
      { pseudonymSecret: TEST_SECRET, jobId: 'abandoned-test' },
      async (_client, _log, context) => {
        started(context.importId);
        await gate;
        throw new ImportFailure('FILE_FORMAT', null, 'Stoppet af testen.');
      },
    );
    return { id, result };
  }

  it('leaves an import that is running alone, and marks one whose connection died', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    // A pool of its own, so that its connections can be cut without touching the test's.
    const doomed = guardPool(new Pool({ connectionString: db.url, max: 2 }));
    const dying = importWaitingFor(doomed, gate);
    const dyingId = await dying.id;

    const live = importWaitingFor(db.pool, gate);
    const liveId = await live.id;

    // Both are running and hold their locks: nothing is marked.
    expect(await failAbandonedRunsOf(db.pool)).toEqual([]);
    expect((await run(dyingId)).status).toBe('running');

    // The first one's server connection goes (as when its process is killed): its lock goes with it.
    const { rows: cut } = await db.pool.query(
      `SELECT pg_terminate_backend(pid) AS cut FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 2 AND objid = $1::int
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [Number(dyingId)],
    );
    expect(cut).toEqual([{ cut: true }]);
    for (let i = 0; i < 50 && (await failAbandonedRunsOf(db.pool).then((ids) => ids.length === 0)); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(await run(dyingId)).toEqual({ status: 'failed', error: ABANDONED_RUN_MESSAGE, finished: true });
    // The one still running is not touched, and ends as it says itself.
    expect((await run(liveId)).status).toBe('running');

    open();
    expect((await live.result).status).toBe('failed');
    expect(await run(liveId)).toEqual({ status: 'failed', error: 'Stoppet af testen.', finished: true });
    await dying.result.catch(() => undefined);
    // The killed one's own last word could not be written: the mark stands.
    expect((await run(dyingId)).error).toBe(ABANDONED_RUN_MESSAGE);
    await doomed.end().catch(() => undefined);
    // Every lock the check took to look is given back.
    expect(
      (
        await db.pool.query(
          `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        )
      ).rows[0].n,
    ).toBe(0);
  }, 30_000);

  it('marks a run left running by a process that is gone, once, and no import is needed for it', async () => {
    // As an earlier version, or a job the queue failed after it stalled twice, leaves it: no lock.
    const { rows } = await db.pool.query(
      `INSERT INTO import_run (source, status, job_id) VALUES ('dubu', 'running', 'stalled-job') RETURNING id::text AS id`,
    );
    expect(await failAbandonedRunsOf(db.pool)).toEqual([rows[0].id]);
    expect(await run(rows[0].id)).toEqual({ status: 'failed', error: ABANDONED_RUN_MESSAGE, finished: true });
    expect(await failAbandonedRunsOf(db.pool)).toEqual([]);
  });
});
