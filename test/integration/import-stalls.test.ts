import { Client, Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { etlQueue, guardPool, startEtlWorker } from '@bu/etl';
import type { QueueConfig } from '@bu/queue';
import { createTestDatabase, TEST_SECRET, type TestDatabase } from '../support/database';
import { DUBU_SMALL, DUBU_SMALL_D } from '../support/fixtures';
import { testQueueConfig } from '../support/queue';

// ADR 0115: a worker stopped mid-import after SHUTDOWN_GRACE_MS leaves its job to stall, and the
// next worker runs it again. Two such restarts during one long import must not fail it for good
// (BullMQ's default maxStalledCount, 1, did: without a run, its delivery left in processing/).
// Each "worker stopped" here is one closed without waiting while its import is held on a table
// lock; its connection is then ended, as the process's end would.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('an import whose worker is stopped twice mid-import (Redis backend)', () => {
  let db: TestDatabase;
  let config: QueueConfig;
  let holder: Client;
  const pools: Pool[] = [];
  const workers: ReturnType<typeof startEtlWorker>[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    config = testQueueConfig(db.url, 'redis', 'stalls');
    holder = new Client({ connectionString: db.url });
    await holder.connect();
  });
  afterAll(async () => {
    await holder?.end().catch(() => undefined);
    for (const w of workers) await w.close(true);
    for (const p of pools) await p.end().catch(() => undefined);
    await db?.drop();
  });

  /** A worker of its own pool (application_name `name`), its job's lock lapsing after a second. */
  const startWorker = (name: string) => {
    // Guarded as the worker's own: a connection cut while lent out must not end the test's process.
    const pool = guardPool(new Pool({ connectionString: db.url, application_name: name, max: 4 }));
    pools.push(pool);
    const worker = startEtlWorker(config, pool, TEST_SECRET, { lockDurationMs: 1000 });
    worker.on('error', () => undefined);
    workers.push(worker);
    return worker;
  };
  /** Waits until the worker's import waits for the held lock; then the worker stops, its connection cut. */
  const stopMidImport = async (worker: ReturnType<typeof startEtlWorker>, name: string) => {
    for (let i = 0; ; i++) {
      const { rows } = await db.pool.query(`SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`, [
        name,
      ]);
      if (rows.length > 0) break;
      if (i > 300) throw new Error(`${name} never began its import`);
      await sleep(50);
    }
    await worker.close(true);
    await db.pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, [name]);
  };

  it('runs it again after each stall, and it completes', async () => {
    // The import waits at its first write (its run's row) while this is held.
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE import_run IN ACCESS EXCLUSIVE MODE');
    const queue = etlQueue(config);
    try {
      const first = startWorker('stall-1');
      const job = await queue.add('import', { source: 'dubu', dir: DUBU_SMALL, exportDate: DUBU_SMALL_D });
      await stopMidImport(first, 'stall-1');
      // The second worker's stalled-job check takes it up again (the first stall), and it runs it.
      await stopMidImport(startWorker('stall-2'), 'stall-2');
      // The third's check finds the second stall: the job goes back to the queue, not to failed.
      startWorker('stall-3');
      for (let i = 0; ; i++) {
        const { rows } = await db.pool.query(
          `SELECT 1 FROM pg_stat_activity WHERE application_name = 'stall-3' AND wait_event_type = 'Lock'`,
        );
        if (rows.length > 0) break;
        const state = await job.getState();
        if (state === 'failed' || i > 300)
          throw new Error(`the third worker never began the import: ${state} ${(await queue.getJob(job.id!))?.failedReason}`);
        await sleep(50);
      }
      await holder.query('ROLLBACK');
      let state = '';
      for (let i = 0; i < 300 && state !== 'completed' && state !== 'failed'; i++) {
        await sleep(100);
        state = await job.getState();
      }
      expect(state, (await queue.getJob(job.id!))?.failedReason).toBe('completed');
      // The stopped workers' runs never got their row; the third's is the one.
      const { rows } = await db.pool.query(`SELECT status FROM import_run WHERE job_id = $1`, [job.id]);
      expect(rows).toEqual([{ status: 'succeeded' }]);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await queue.close();
    }
  }, 60_000);
});
