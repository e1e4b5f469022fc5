import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { etlQueue, startEtlWorker } from '@bu/etl';
import type { QueueConfig } from '@bu/queue';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { DUBU_SMALL, DUBU_SMALL_D, DUBU_SMALL_MUNICIPALITY } from '../support/fixtures';
import { testQueueConfig } from '../support/queue';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// One import of a municipality at a time over every worker process (ADR 0072): the lock is
// PostgreSQL's, so a connection of this test holds it exactly as another worker's import would.
// Both backends: the busy job goes back to the queue delayed, and runs once the lock is free.
for (const backend of ['postgres', 'redis'] as const) {
  describe(`an import whose municipality is being imported elsewhere (${backend} backend)`, () => {
    let db: TestDatabase;
    let config: QueueConfig;
    let worker: ReturnType<typeof startEtlWorker>;
    let other: Client;

    beforeAll(async () => {
      db = await createTestDatabase();
      config = testQueueConfig(db.url, backend, 'lock');
      worker = startEtlWorker(config, db.pool, TEST_SECRET);
      other = new Client({ connectionString: db.url });
      await other.connect();
    });
    afterAll(async () => {
      await other?.end();
      await worker?.close();
      await db?.drop();
    });

    it('waits in the queue without starting or spending an attempt, and runs once the municipality is free', async () => {
      // "Another worker" imports 461.
      await other.query('SELECT pg_advisory_lock(hashtext($1), $2)', ['import-municipality', DUBU_SMALL_MUNICIPALITY]);
      const queue = etlQueue(config);
      try {
        const job = await queue.add('import', {
          source: 'dubu',
          dir: DUBU_SMALL,
          exportDate: DUBU_SMALL_D,
          municipality: DUBU_SMALL_MUNICIPALITY,
        });
        // Taken, found busy and put back delayed: again and again while the lock is held.
        const states = new Set<string>();
        for (let i = 0; i < 30; i++) {
          states.add(await job.getState());
          await sleep(100);
        }
        expect(states).toContain('delayed');
        expect([...states].every((s) => ['waiting', 'active', 'delayed'].includes(s))).toBe(true);
        // Nothing of it ran: no import_run row, and no attempt spent.
        expect((await db.pool.query('SELECT count(*)::int AS n FROM import_run')).rows[0].n).toBe(0);
        expect((await queue.getJob(job.id!))!.attemptsMade).toBe(0);

        await other.query('SELECT pg_advisory_unlock(hashtext($1), $2)', ['import-municipality', DUBU_SMALL_MUNICIPALITY]);
        let state = '';
        for (let i = 0; i < 200 && state !== 'completed' && state !== 'failed'; i++) {
          await sleep(100);
          state = await job.getState();
        }
        expect(state).toBe('completed');
        const { rows } = await db.pool.query('SELECT status, municipality_code FROM import_run');
        expect(rows).toEqual([{ status: 'succeeded', municipality_code: DUBU_SMALL_MUNICIPALITY }]);
        // The job let go of its lock when it ended: this connection takes it at once.
        expect(
          (await other.query('SELECT pg_try_advisory_lock(hashtext($1), $2) AS got', ['import-municipality', DUBU_SMALL_MUNICIPALITY]))
            .rows[0].got,
        ).toBe(true);
        await other.query('SELECT pg_advisory_unlock(hashtext($1), $2)', ['import-municipality', DUBU_SMALL_MUNICIPALITY]);
      } finally {
        await queue.close();
      }
    }, 60_000);
  });
}
