import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { etlQueue, startEtlWorker } from '@bu/etl';
import type { QueueConfig } from '@bu/queue';
import { importViaQueue } from '../../scripts/lib/import-via-queue';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { copyFixture, DUBU_SMALL, DUBU_SMALL_D, editFile, fixtureCprs } from '../support/fixtures';
import { testQueueConfig } from '../support/queue';

// The same job code on both backends: BullMQ on Redis, and BullMQ's PostgreSQL backend.
for (const backend of ['postgres', 'redis'] as const) {
  describe(`ETL jobs on BullMQ (${backend} backend)`, () => {
    let db: TestDatabase;
    let config: QueueConfig;
    let worker: ReturnType<typeof startEtlWorker>;

    beforeAll(async () => {
      db = await createTestDatabase();
      // Its own Redis key prefix: other suites' workers on the same Redis never see these jobs.
      config = testQueueConfig(db.url, backend, 'etl-queue');
      worker = startEtlWorker(config, db.pool, TEST_SECRET);
    });
    afterAll(async () => {
      await worker?.close();
      await db?.drop();
    });

    it('imports through a queued job and returns the summary', async () => {
      const result = await importViaQueue(config, { source: 'dubu', dir: DUBU_SMALL, exportDate: DUBU_SMALL_D, requestedBy: 'test' });
      expect(result.status).toBe('succeeded');
      expect(result.rejectedCount).toBe(3);
      // The rows themselves are in the import log, not in the job's result (which the queue copies into its event stream).
      expect(result).not.toHaveProperty('rejected');
      expect(result).not.toHaveProperty('warnings');
      const issues = await db.pool.query(`SELECT rule FROM import_issue WHERE import_id = $1 AND severity = 'error' ORDER BY id`, [
        result.importId,
      ]);
      expect(issues.rows.map((r) => r.rule)).toEqual(['R005', 'R003', 'R011']);
      const { rows } = await db.pool.query('SELECT requested_by, job_id IS NOT NULL AS has_job FROM import_run WHERE id = $1', [
        result.importId,
      ]);
      expect(rows[0]).toEqual({ requested_by: 'test', has_job: true });
    });

    it('fails a bad export without retrying, and keeps no CPR in the job data', async () => {
      const dir = copyFixture(DUBU_SMALL);
      editFile(dir, 'sager.csv', (t) => t.replace(/;/g, ','));
      await expect(importViaQueue(config, { source: 'dubu', dir, exportDate: DUBU_SMALL_D })).rejects.toThrow(/skilletegn/);
      const queue = etlQueue(config);
      try {
        const failed = await queue.getFailed();
        const job = failed.find((j) => j.data.dir === dir)!;
        expect(job.attemptsMade).toBe(1);
        const stored = JSON.stringify({ data: job.data, reason: job.failedReason, value: job.returnvalue });
        for (const cpr of fixtureCprs(DUBU_SMALL)) {
          expect(stored).not.toContain(cpr);
          expect(stored).not.toContain(`${cpr.slice(0, 6)}-${cpr.slice(6)}`);
        }
      } finally {
        await queue.close();
      }
    });
  });
}
