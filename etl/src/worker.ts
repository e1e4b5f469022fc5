import { Pool } from 'pg';
import { APPLICATION_NAME, CONNECTIONS, type WorkerConfig } from '@bu/config';
import { etlQueue } from '@bu/jobs';
import { logger } from '@bu/logger';
import { METRICS, watchPool } from '@bu/metrics';
import { Counter, Histogram } from 'prom-client';
import { markAbandonedRuns, startEtlWorker } from './jobs/etl-job';
import { scheduleDropFolderPull } from './jobs/drop-folders';
import { scheduleReadModelRefresh } from './jobs/read-models';
import { scheduleRetentionPurge } from './jobs/retention';
import { sweepOrphanSpills } from './issues';
import { ensurePrivateDir, sweepUploadOrphans } from './jobs/upload-zip';

// The ETL worker as a whole, for whichever process runs it: apps/worker (its own process, docker's
// `worker` service) or the scripts that run it beside the API (`npm start`, `npm run serve`).

// The worker's part of the operators' metrics (ADR 0095): what its jobs did, by the contract's job
// name (a handful of names, no payload).
const JOBS_DONE = new Counter({
  name: 'boerneblik_etl_jobs_done_total',
  help: 'ETL jobs ended on a worker, by job name and outcome (completed, or failed for an attempt that failed).',
  // Not `job`: Prometheus sets that label itself (the scrape job).
  labelNames: ['job_name', 'outcome'] as const,
  registers: [METRICS],
});
const JOB_SECONDS = new Histogram({
  name: 'boerneblik_etl_job_seconds',
  help: "Seconds an ETL job's attempt ran on a worker, by job name and outcome (completed, or failed: retried or for good).",
  labelNames: ['job_name', 'outcome'] as const,
  buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
  registers: [METRICS],
});

/** A job's attempt as BullMQ reports its end: processedOn is when this attempt started. */
interface EndedAttempt {
  name: string;
  processedOn?: number;
  finishedOn?: number;
}

function attemptEnded(job: EndedAttempt | undefined, outcome: 'completed' | 'failed'): void {
  if (!job) return;
  JOBS_DONE.inc({ job_name: job.name, outcome });
  // finishedOn is set only when the job ends for good: an attempt that will be retried ends now.
  if (job.processedOn) JOB_SECONDS.observe({ job_name: job.name, outcome }, ((job.finishedOn ?? Date.now()) - job.processedOn) / 1000);
}

/**
 * Counts and times every attempt of the worker's jobs (the worker's part of the operators' metrics,
 * ADR 0095), a failed attempt that is retried too: an import that ran for half an hour before it
 * failed shows, whatever its retry did next.
 */
export function timeJobs(worker: {
  on(event: 'failed', listener: (job: EndedAttempt | undefined, error: Error) => void): unknown;
  on(event: 'completed', listener: (job: EndedAttempt) => void): unknown;
}): void {
  worker.on('failed', (job) => attemptEnded(job, 'failed'));
  worker.on('completed', (job) => attemptEnded(job, 'completed'));
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

export interface RunningWorker {
  close(): Promise<void>;
  /** The start-up sweep of orphaned uploads is done (the names it removed). */
  swept: Promise<string[]>;
}

/**
 * Starts the worker: its pool, the 'etl' queue's consumer (which throws here if a job of the
 * contract has no handler), the start-up sweep and the schedules. `close` lets the running job
 * finish within config.shutdownGraceMs.
 */
export function startWorker(config: WorkerConfig): RunningWorker {
  ensurePrivateDir(config.uploadDir);
  const pool = new Pool({
    connectionString: config.databaseUrl,
    max: CONNECTIONS.etl,
    application_name: APPLICATION_NAME.etl,
    connectionTimeoutMillis: config.dbConnectTimeoutMs,
    keepAlive: true,
  });
  guardPool(pool);
  const unwatch = watchPool(APPLICATION_NAME.etl, pool);
  let worker: ReturnType<typeof startEtlWorker>;
  try {
    worker = startEtlWorker(config, pool, config.pseudonymSecret, {
      lockDurationMs: config.etlLockDurationMs,
      uploadDir: config.uploadDir,
    });
  } catch (error) {
    unwatch();
    void pool.end();
    throw error;
  }
  timeJobs(worker);
  worker.on('failed', (job, error) => {
    logger().error({ job: job?.id, name: job?.name, attempts: job?.attemptsMade }, `ETL job ${job?.id} failed: ${error.message}`);
  });
  worker.on('completed', (job) => {
    logger().info({ job: job.id, name: job.name }, `ETL job ${job.id} (${job.name}) done`);
  });
  const queue = etlQueue(config);
  // Spill files of rejected rows a killed worker left behind go at start-up (and with the daily purge).
  const spills = sweepOrphanSpills();
  if (spills.length > 0) logger().info(`Removed ${spills.length} spill file(s) of rejected rows left by a stopped process.`);
  // Imports a killed process left 'running' are marked failed at start-up (and every few minutes).
  void markAbandonedRuns(pool);
  // Raw uploads a crash or a lost job left behind are removed at start-up (see sweepUploadOrphans).
  const swept = sweepUploadOrphans(config.uploadDir, queue).catch((e) => {
    logger().error({ err: e }, `Could not sweep the upload folder: ${e.message}`);
    return [] as string[];
  });
  // Drop folders are checked on a schedule (default every 15 minutes; 0 turns it off).
  const every = config.dropFolderIntervalMs;
  // The retention purge runs daily (etl/src/jobs/retention.ts); read models not built from the
  // data in force are built every few minutes (etl/src/jobs/read-models.ts).
  void Promise.all([
    swept,
    every > 0
      ? scheduleDropFolderPull(queue, every).catch((e) =>
          logger().error({ err: e }, `Could not schedule the drop-folder check: ${e.message}`),
        )
      : undefined,
    scheduleRetentionPurge(queue).catch((e) => logger().error({ err: e }, `Could not schedule the retention purge: ${e.message}`)),
    scheduleReadModelRefresh(queue).catch((e) =>
      logger().error({ err: e }, `Could not schedule the build of read models not current: ${e.message}`),
    ),
  ]).finally(() => void queue.close());
  let closing: Promise<void> | undefined;
  return {
    swept,
    close: () =>
      (closing ??= (async () => {
        unwatch();
        // The running job gets the grace period to finish; after it the worker lets go without
        // waiting: the job's lock is no longer renewed, so it goes back to the queue (stalled) and
        // another worker, or this one restarted, runs it again (the import is all or nothing).
        const finished = await Promise.race([worker.close().then(() => true), sleep(config.shutdownGraceMs).then(() => false)]);
        if (!finished) {
          // No further wait: the process ends next, its connections with it, and the import's
          // transaction rolls back (an import that committed in this instant is run again: imports
          // are idempotent).
          logger().warn('The running ETL job did not finish in time: it goes back to the queue.');
          return;
        }
        await Promise.race([pool.end(), sleep(10_000)]);
      })()),
  };
}

/** Pool 'error' handlers: an idle or lent connection that the server drops must not end the process. */
export function guardPool(pool: Pool): Pool {
  // The failure reaches the query that uses the connection next; the pool replaces a broken one.
  pool.on('error', (error) => logger().warn({ err: error }, `Worker database connection lost: ${error.message}`));
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}
