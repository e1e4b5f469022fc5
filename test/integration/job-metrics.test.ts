import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timeJobs } from '@bu/etl';
import { METRICS } from '@bu/metrics';
import { createQueue, createWorker, type Queue, type QueueConfig, type Worker } from '@bu/queue';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testQueueConfig } from '../support/queue';

// The workers' part of the operators' metrics (ADR 0095): every attempt of a job counted and timed,
// a failed attempt that is retried too, on a real BullMQ queue in Redis and in PostgreSQL (the
// embedded default's backend).
const JOB_NAME = 'import';

/** A sample of the metric's text: the line that starts with `series` (labels included). */
async function sample(metric: string, series: string): Promise<number> {
  const text = await METRICS.getSingleMetricAsString(metric);
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

describe('ETL job attempts in the metrics', () => {
  let db: TestDatabase;
  const open: { queue: Queue; worker: Worker }[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    for (const { queue, worker } of open) {
      await worker.close();
      await queue.obliterate({ force: true });
      await queue.close();
    }
    await db?.drop();
  });

  const backends: [string, () => QueueConfig][] = [
    ['Redis', () => testQueueConfig(db.url, 'redis', 'job-metrics')],
    ['PostgreSQL', () => testQueueConfig(db.url, 'postgres', 'job-metrics')],
  ];
  for (const [backend, config] of backends) {
    it(`times a failed attempt that is retried, and the attempt that completes (${backend})`, async () => {
      const seconds = (outcome: string) =>
        sample('boerneblik_etl_job_seconds', `boerneblik_etl_job_seconds_count{job_name="${JOB_NAME}",outcome="${outcome}"}`);
      const sum = (outcome: string) =>
        sample('boerneblik_etl_job_seconds', `boerneblik_etl_job_seconds_sum{job_name="${JOB_NAME}",outcome="${outcome}"}`);
      const done = (outcome: string) =>
        sample('boerneblik_etl_jobs_done_total', `boerneblik_etl_jobs_done_total{job_name="${JOB_NAME}",outcome="${outcome}"}`);
      const before = {
        failed: await seconds('failed'),
        completed: await seconds('completed'),
        done: await done('failed'),
        failedSum: await sum('failed'),
        completedSum: await sum('completed'),
      };

      const queueConfig = config();
      const queue = createQueue(queueConfig, 'job-metrics');
      // The first attempt runs 2 s and fails; the second runs 0.2 s and completes.
      const worker = createWorker(queueConfig, 'job-metrics', async (job) => {
        await new Promise((r) => setTimeout(r, job.attemptsMade === 0 ? 2000 : 200));
        if (job.attemptsMade === 0) throw new Error('the first attempt fails');
        return 'ok';
      });
      open.push({ queue, worker });
      timeJobs(worker);
      const completed = new Promise<void>((resolve) => worker.on('completed', () => resolve()));
      await queue.add(JOB_NAME, {}, { attempts: 2, backoff: { type: 'fixed', delay: 10 } });
      await completed;

      expect(await seconds('failed')).toBe(before.failed + 1);
      expect(await seconds('completed')).toBe(before.completed + 1);
      expect(await done('failed')).toBe(before.done + 1);
      // Each attempt's own time: at least its own wait, and the completed one without the failed
      // one's two seconds (from the job's first start it would be 2.2 s or more).
      expect((await sum('failed')) - before.failedSum).toBeGreaterThanOrEqual(2);
      const completedSeconds = (await sum('completed')) - before.completedSum;
      expect(completedSeconds).toBeGreaterThanOrEqual(0.2);
      expect(completedSeconds).toBeLessThan(2);
    });
  }
});
