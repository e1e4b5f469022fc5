import IORedis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeExpired, RETENTION_JOB, scheduleRetentionPurge } from '@bu/etl';
import {
  committeeSchedulerKey,
  ensureJobScheduler,
  etlQueue,
  reportQueue,
  ReportQueue,
  WEEKLY_MAIL_SCHEDULER,
  type EtlJobData,
  type ReportJobData,
} from '@bu/jobs';
import { createQueue, createWorker, type Queue, type QueueConfig } from '@bu/queue';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testQueueConfig, TEST_REDIS_URL } from '../support/queue';

// What a worker's start does to the schedules, and what the daily purge leaves of the queues' event
// streams, on both backends. A scheduled job that is due but not yet running (it waits behind
// others in a one-at-a-time worker) must survive a restart: BullMQ's upsertJobScheduler of a cron
// pattern replaces it by the slot after now. The queues are the real ones (reportQueue, etlQueue):
// their default job options are part of what BullMQ stores for a scheduler.
for (const backend of ['postgres', 'redis'] as const) {
  describe(`job schedulers and event streams (${backend} backend)`, () => {
    let db: TestDatabase;
    let config: QueueConfig;
    let queue: Queue<ReportJobData>;
    let reports: ReportQueue;
    let etl: Queue<EtlJobData>;

    beforeAll(async () => {
      db = await createTestDatabase();
      config = testQueueConfig(db.url, backend, 'schedulers');
      reports = reportQueue(config);
      queue = reports.queue;
      etl = etlQueue(config);
    });
    afterAll(async () => {
      for (const q of [queue, etl]) {
        await q?.obliterate({ force: true }).catch(() => undefined);
        await q?.close();
      }
      await db?.drop();
    });

    /** The scheduler's job, made due now (promoted: as if its hour had come while the worker was busy). */
    const due = async (key: string, on: Queue<ReportJobData> | Queue<EtlJobData> = queue) => {
      const scheduler = await on.getJobScheduler(key);
      const job = (await on.getJob(`repeat:${key}:${scheduler!.next}`))!;
      await job.promote();
      return job.id!;
    };

    it('compares with the options BullMQ stores, the queues’ defaults included', async () => {
      await reports.scheduleWeeklyMail();
      expect((await queue.getJobScheduler(WEEKLY_MAIL_SCHEDULER))?.template?.opts).toMatchObject({ attempts: 3 });
      expect(
        await ensureJobScheduler(
          queue,
          WEEKLY_MAIL_SCHEDULER,
          { pattern: '0 7 * * 1', tz: 'Europe/Copenhagen' },
          { name: 'weekly-mail', data: {} },
        ),
      ).toBe(false);
      // Options of its own over the defaults: a change, then the same again.
      const template = { name: 'weekly-mail' as const, data: {}, opts: { attempts: 5 } };
      expect(await ensureJobScheduler(queue, WEEKLY_MAIL_SCHEDULER, { pattern: '0 7 * * 1', tz: 'Europe/Copenhagen' }, template)).toBe(
        true,
      );
      expect(await ensureJobScheduler(queue, WEEKLY_MAIL_SCHEDULER, { pattern: '0 7 * * 1', tz: 'Europe/Copenhagen' }, template)).toBe(
        false,
      );
      await queue.removeJobScheduler(WEEKLY_MAIL_SCHEDULER);
    });

    it('leaves the daily purge due on the etl queue at a restart', async () => {
      await scheduleRetentionPurge(etl);
      const waiting = await due(RETENTION_JOB, etl);
      await scheduleRetentionPurge(etl);
      expect((await etl.getJobs(['waiting'])).map((j) => j.id)).toEqual([waiting]);
      expect(await etl.getJobs(['delayed'])).toEqual([]);
      await etl.removeJobScheduler(RETENTION_JOB);
    });

    it('leaves an unchanged schedule alone at a restart, so a due report is not lost', async () => {
      const odense = { municipality: 461, enabled: true, dayOfMonth: 5, hour: 6 };
      const aarhus = { municipality: 751, enabled: true, dayOfMonth: 5, hour: 6 };
      await reports.syncSchedules([odense, aarhus]);
      await reports.scheduleWeeklyMail();
      const waiting = [await due(committeeSchedulerKey(461)), await due(committeeSchedulerKey(751)), await due(WEEKLY_MAIL_SCHEDULER)];
      // The worker starts again (a deploy): the same schedules.
      await reports.syncSchedules([odense, aarhus]);
      await reports.scheduleWeeklyMail();
      // An administrator saves Odense's schedule with other recipients only (same day and hour).
      await reports.schedule(odense);
      expect((await queue.getJobs(['waiting'])).map((j) => j.id).sort()).toEqual([...waiting].sort());
      expect(await queue.getJobs(['delayed'])).toEqual([]);

      // A changed hour is registered: the next slot at the new hour.
      await reports.schedule({ ...aarhus, hour: 7 });
      expect((await queue.getJobScheduler(committeeSchedulerKey(751)))?.pattern).toBe('0 7 5 * *');
      expect(await queue.getJobs(['delayed'])).toHaveLength(1);
    });

    it('registers a scheduler again when its data changed or its job is gone', async () => {
      const repeat = { pattern: '0 3 * * *', tz: 'Europe/Copenhagen' };
      const template = { name: 'weekly-mail', data: {} };
      expect(await ensureJobScheduler(queue, 'probe', repeat, template)).toBe(true);
      expect(await ensureJobScheduler(queue, 'probe', repeat, template)).toBe(false);
      expect(await ensureJobScheduler(queue, 'probe', { ...repeat, tz: 'UTC' }, template)).toBe(true);
      expect(await ensureJobScheduler(queue, 'probe', { ...repeat, tz: 'UTC' }, { ...template, data: { municipality: 1 } })).toBe(true);
      expect((await queue.getJobScheduler('probe'))?.template?.data).toEqual({ municipality: 1 });
      // Its job lost (BullMQ refuses to remove a scheduler's job; a Redis restored from an older
      // snapshot, a row deleted by hand): the scheduler would make no more; it is registered anew.
      const lost = `repeat:probe:${(await queue.getJobScheduler('probe'))!.next}`;
      if (backend === 'postgres') await db.pool.query(`DELETE FROM bullmq.job WHERE queue = $1 AND id = $2`, [queue.name, lost]);
      else {
        const redis = new IORedis(TEST_REDIS_URL);
        await redis.multi().del(queue.toKey(lost)).zrem(queue.keys.delayed, lost).exec();
        redis.disconnect();
      }
      expect(await queue.getJob(lost)).toBeUndefined();
      expect(await ensureJobScheduler(queue, 'probe', { ...repeat, tz: 'UTC' }, { ...template, data: { municipality: 1 } })).toBe(true);
      expect(await queue.getJob(`repeat:probe:${(await queue.getJobScheduler('probe'))!.next}`)).toBeDefined();
      await queue.removeJobScheduler('probe');
    });

    it('empties the event stream that holds the jobs’ results at the daily purge', async () => {
      const name = 'events-test';
      const events = createQueue<ReportJobData>(config, name);
      const worker = createWorker<ReportJobData>(config, name, async () => ({ sendResult: 'mailserveren afviste formand@odense.test' }));
      const length = async () => {
        if (backend === 'postgres')
          return (await db.pool.query(`SELECT count(*)::int AS n FROM bullmq.event WHERE queue = $1`, [name])).rows[0].n as number;
        const redis = new IORedis(TEST_REDIS_URL);
        try {
          return await redis.xlen(events.keys.events);
        } finally {
          redis.disconnect();
        }
      };
      try {
        await events.add('committee-report', { municipality: 461 });
        for (let i = 0; i < 100 && (await events.getJobCounts('completed')).completed < 1; i++) await new Promise((r) => setTimeout(r, 50));
        expect(await length()).toBeGreaterThan(0);
        await purgeExpired(db.pool, { now: new Date(), reportQueue: events });
        expect(await length()).toBe(0);
        // The finished job itself stays for its retention.job_results_days.
        expect(await events.getJobCounts('completed')).toEqual({ completed: 1 });
      } finally {
        await worker.close();
        await events.obliterate({ force: true }).catch(() => undefined);
        await events.close();
      }
    });
  });
}
