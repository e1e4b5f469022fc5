import { Pool } from 'pg';
import { APPLICATION_NAME, CONNECTIONS, type ReportsConfig, type WorkerConfig } from '@bu/config';
import { reportJobRouter, reportQueue } from '@bu/jobs';
import type { Query } from '@bu/kpi';
import { logger } from '@bu/logger';
import { watchPool } from '@bu/metrics';
import { createWorker, REPORTS_QUEUE } from '@bu/queue';
import { createMailer } from './mailer';
import { reportHandlers, type ReportDeps } from './report-jobs';
import { ReportsRepository } from './reports.repository';
import { retryWeeklyMailLater, WeeklyMailUnfinished, type WeeklyMailRetry } from './weekly-mail';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

export interface RunningReportWorker {
  /** The schedules are registered (each municipality's monthly report, the weekly e-mail). */
  scheduled: Promise<void>;
  close(): Promise<void>;
}

/** The database access of the reports: a small pool of the worker's own. */
export function reportDeps(pool: Pool, reports: ReportsConfig): ReportDeps {
  const query: Query = async <T>(sql: string, params?: unknown[]) => (await pool.query(sql, params)).rows as T[];
  return { query, repository: new ReportsRepository(query), mailer: createMailer(reports.mail), publicUrl: reports.publicUrl };
}

/**
 * The 'reports' queue's consumer (the committee's monthly report, the weekly e-mail), beside the
 * ETL worker in the same process. At start-up it registers the schedules with BullMQ's job
 * scheduler from report_schedule (the API updates them when an administrator changes one).
 * `weeklyMailRetry`: see WEEKLY_MAIL_RETRY.
 */
export function startReportWorker(
  config: WorkerConfig,
  reports: ReportsConfig,
  queueName = REPORTS_QUEUE,
  options: { weeklyMailRetry?: WeeklyMailRetry } = {},
): RunningReportWorker {
  const pool = new Pool({
    connectionString: config.databaseUrl,
    max: CONNECTIONS.reports,
    application_name: APPLICATION_NAME.reports,
    connectionTimeoutMillis: config.dbConnectTimeoutMs,
    keepAlive: true,
  });
  pool.on('error', (error) => logger().warn({ err: error }, `Reports database connection lost: ${error.message}`));
  pool.on('connect', (client) => client.on('error', () => undefined));
  const unwatch = watchPool(APPLICATION_NAME.reports, pool);
  const deps = reportDeps(pool, reports);
  const route = reportJobRouter(reportHandlers(deps));
  // A weekly e-mail that some users did not get is tried again over the next two hours, not 15 s.
  const processor = (job: Parameters<typeof route>[0]) =>
    route(job).catch((error: unknown) => {
      if (error instanceof WeeklyMailUnfinished) return retryWeeklyMailLater(job, error, options.weeklyMailRetry);
      throw error;
    });
  const worker = createWorker(config, queueName, processor, { concurrency: 1 });
  worker.on('failed', (job, error) => logger().error({ job: job?.id, name: job?.name }, `Report job ${job?.id} failed: ${error.message}`));
  if (!reports.mail) logger().warn('SMTP_HOST is not set: reports are made and archived, but no e-mail is sent.');
  const queue = reportQueue(config, queueName);
  const scheduled = (async () => {
    await queue.syncSchedules(await deps.repository.schedules());
    await queue.scheduleWeeklyMail();
  })()
    .catch((e: Error) => logger().error({ err: e }, `Could not schedule the reports: ${e.message}`))
    .finally(() => void queue.close());
  let closing: Promise<void> | undefined;
  return {
    scheduled,
    close: () =>
      (closing ??= (async () => {
        unwatch();
        // A running report gets the grace period; after it, it goes back to the queue (stalled) and
        // is made again by the next worker (nothing is archived until the PDF is whole). The
        // schedules' registration shares it: with the queue out of reach since the start it never
        // ends, and the next start registers them again.
        let registered = false;
        let stopped = false;
        const finished = await Promise.race([
          Promise.all([scheduled.then(() => (registered = true)), worker.close().then(() => (stopped = true))]).then(() => true),
          sleep(config.shutdownGraceMs).then(() => false),
        ]);
        deps.mailer.close();
        if (!finished) {
          if (!registered) {
            logger().warn('The report schedules were still being registered (the queue out of reach?): left for the next start.');
            void queue.close();
          }
          if (!stopped) logger().warn('The reports worker did not stop in time: a running report job goes back to the queue.');
          return;
        }
        await Promise.race([pool.end(), sleep(10_000)]);
      })()),
  };
}
