import { tmpdir } from 'os';
import { setTimeout as delay } from 'timers/promises';
import { DelayedError, UnrecoverableError } from 'bullmq';
import { existsSync } from 'fs';
import { rm, utimes } from 'fs/promises';
import { basename, dirname, join } from 'path';
import type { Pool } from 'pg';
import { APPLICATION_NAME, settings } from '@bu/config';
import { buildReadModels, READ_MODEL_SOURCES, READ_MODELS_CURRENT } from '@bu/db/read-models';
import { etlQueue, jobRouter, reportQueue, type EtlJobData, type JobHandlers, type ReportJobData, type ReportQueue } from '@bu/jobs';
import { logger } from '@bu/logger';
import { createWorker, ETL_QUEUE, Job, Queue, QueueConfig } from '@bu/queue';
import { importSource } from '../import-source';
import { failAbandonedRunsOf, runImport, type ImportResult } from '../import-run';
import { ImportFailure } from '../issues';
import {
  DELIVERY_MOVING_DELAY_MS,
  DELIVERY_MOVING_MAX_MS,
  DELIVERY_NOT_MOVED,
  DeliveryRefused,
  deliveryEntries,
  partial,
  whileNoCheckRuns,
  pullDropFolders,
  restoreDelivery,
  settleDelivery,
} from './drop-folders';
import { refreshStaleReadModels } from './read-models';
import { databaseUnreachable, withSessionLock } from './session-lock';
import { purgeExpired } from './retention';
import { unpackUploadZipApart, UploadError } from './upload-zip';

// The job contract (names, payloads, queue options) is @bu/jobs; these names stay exported here for the ETL's callers.
export { ETL_JOB_OPTIONS, etlQueue, type EtlJobData } from '@bu/jobs';

/**
 * What an import job keeps as its result in the queue: the import's summary and counts, without
 * its first rejected rows and warnings. Those (masked, yet about children: case numbers, dates,
 * free text) are in import_issue, read through the API with an audit row and purged with the
 * import log; the queue also copies a job's result into its event stream, which is trimmed by
 * count, not by the retention settings.
 */
export type EtlJobResult = Omit<ImportResult, 'rejected' | 'warnings'>;

export function jobResult(result: ImportResult): EtlJobResult {
  const { rejected: _rejected, warnings: _warnings, ...summary } = result;
  return summary;
}

/** Would a failure now end the job for good (no attempt left, or not worth retrying)? */
function isFinalFailure(job: Job<EtlJobData, ImportResult>, error: unknown): boolean {
  // Put back on the queue to run later (a delivery still being moved): no attempt ended.
  if (error instanceof DelayedError) return false;
  return error instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

export async function runEtlJob(pool: Pool, secret: string, job: Job<EtlJobData, ImportResult>): Promise<ImportResult> {
  const { zip, dir } = job.data;
  if (job.data.delivery) return deliveryJob(pool, secret, job);
  if (!zip) return importJob(pool, secret, job);
  // An upload: the raw export (full CPR numbers) lives only as long as the job. The unpacked folder
  // goes after every attempt; the zip stays for a retry and goes once the job is finally done.
  let final = false;
  let unpacked = false;
  const { municipality, exportDate, requestedBy, allowedMunicipality } = job.data;
  const failRun = (message: string) =>
    runImport(
      pool,
      job.data.source,
      [],
      { municipality, exportDate, requestedBy, allowedMunicipality, jobId: job.id, pseudonymSecret: secret },
      async () => {
        throw new ImportFailure('FILE_FORMAT', null, message);
      },
    );
  try {
    await rm(dir, { recursive: true, force: true }); // left by an attempt whose process died
    // A fresh time stamp: the start-up sweep never takes the zip of a job being retried for an orphan.
    try {
      await utimes(zip, new Date(), new Date());
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      return await uploadEndedBefore(pool, job, failRun);
    }
    try {
      await unpackUploadZipApart(zip, dir);
    } catch (error) {
      if (!(error instanceof UploadError)) throw error;
      // A bad zip fails the job as a whole, in the import log like any failed import; nothing is loaded.
      const failed = await failRun(error.message);
      throw new UnrecoverableError(failed.error ?? error.message);
    }
    unpacked = true;
    const result = await importJob(pool, secret, job);
    final = true;
    return result;
  } catch (error) {
    final = isFinalFailure(job, error);
    // The machine, not the zip, stopped the last attempt before any import began (a full disk): the
    // import log says so, as no import did.
    if (final && !unpacked && !(error instanceof UnrecoverableError))
      await failRun(
        `Serveren kunne ikke pakke uploaden ud (${(error as Error).message.split('\n')[0].slice(0, 200)}); intet er indlæst, og uploaden er slettet. Bed driften se efter pladsen på serveren, og indlæs udtrækket igen.`,
      ).catch((e: Error) => logger().error({ job: job.id, err: e }, `Could not record the failed upload: ${e.message}`));
    throw error;
  } finally {
    await rm(dir, { recursive: true, force: true });
    if (final) await rm(zip, { force: true });
  }
}

/**
 * An upload whose zip is gone: an earlier run of this job ended for good and deleted it, but the
 * queue did not hear of it (the job's lock lapsed while Redis was away, and the stalled-job check
 * ran it again). That run's import log row stands: its success is this job's result, its failure
 * the job's failure, and nothing more is written. With no row of this job at all the zip went some
 * other way, and the import log says so.
 */
async function uploadEndedBefore(
  pool: Pool,
  job: Job<EtlJobData, ImportResult>,
  failRun: (message: string) => Promise<ImportResult>,
): Promise<ImportResult> {
  // The job's own runs: ids start again with a new queue, so not one begun before the job was queued
  // (a minute's slack for the clocks of the producer and the database).
  const { rows } = await pool.query<{
    id: string;
    status: string;
    municipality: number | null;
    exportDate: string | null;
    loaded: ImportResult['loaded'];
    unchanged: ImportResult['unchanged'];
    removed: ImportResult['removed'];
    rejectedCount: number;
    warningCount: number;
    error: string | null;
    sameAs: string | null;
    seconds: number | null;
  }>(
    `SELECT id::text, status, municipality_code AS municipality, to_char(export_date, 'YYYY-MM-DD') AS "exportDate", loaded, unchanged,
            removed, rejected_count AS "rejectedCount", warning_count AS "warningCount", error, same_as::text AS "sameAs",
            extract(epoch FROM finished_at - started_at)::float8 AS seconds
       FROM import_run WHERE job_id = $1 AND started_at >= to_timestamp($2 / 1000.0) - interval '1 minute'
      ORDER BY status = 'succeeded' DESC, id DESC LIMIT 1`,
    [job.id, job.timestamp],
  );
  const run = rows[0];
  if (run?.status === 'succeeded') {
    logger().warn(
      { job: job.id, import: run.id },
      `Job ${job.id} ran again after import ${run.id} had succeeded: that import is its result.`,
    );
    const { id, status: _status, sameAs, seconds, error: _error, ...summary } = run;
    return {
      ...summary,
      status: 'succeeded',
      importId: id,
      rejected: [],
      warnings: [],
      seconds: seconds ?? 0,
      ...(sameAs === null ? {} : { sameAs }),
    };
  }
  if (run) throw new UnrecoverableError(run.error ?? `Importen ${run.id} af uploaden fejlede.`);
  const failed = await failRun('Den uploadede fil findes ikke længere på serveren; intet er indlæst. Indlæs udtrækket igen.');
  throw new UnrecoverableError(failed.error ?? 'Den uploadede fil findes ikke længere på serveren.');
}

/**
 * A drop-folder delivery: imported from `processing/<time>/`; then its files are deleted (the
 * import has committed) and the empty folder left in `processed/`, or it is moved to `failed/`
 * with its marker (settleDelivery).
 */
async function deliveryJob(pool: Pool, secret: string, job: Job<EtlJobData, ImportResult>): Promise<ImportResult> {
  let settled: 'processed' | 'failed' | null = null;
  let unsettled = false;
  try {
    try {
      // Checked when it was taken; again here, in case something was put in its place since.
      await deliveryEntries(job.data.dir, []);
    } catch (error) {
      // Queued before its files moved (pullDropFolders), and they never did, or not all: they are in
      // the drop folder (put back there), for the next check; nothing here to settle.
      const notMoved = (error as NodeJS.ErrnoException).code === 'ENOENT' && !existsSync(job.data.dir);
      if (!(error instanceof DeliveryRefused) && !notMoved) throw error;
      if (notMoved && settledBefore(job.data.dir)) {
        // Settled by an attempt that ended before the queue heard of it: its import log row stands.
        unsettled = true;
        throw new UnrecoverableError(`Leverancen ${job.data.dir} er allerede afsluttet af et tidligere forsøg.`);
      }
      let message = `Leverancen er afvist: ${(error as Error).message} Intet er indlæst.`;
      if (notMoved) {
        // While a check runs it may still be moving these files (longer than DELIVERY_MOVE_MS: a slow
        // mount, a large delivery): asked again later, no attempt spent. Otherwise the files are put
        // back with no check running, so none takes a delivery half put back. A check running for
        // an hour since the job was queued is stuck: its move is taken as cut off.
        const put = await whileNoCheckRuns(pool, () => notMovedMessage(job.data.dir));
        if (put) message = put.value;
        else if (Date.now() - job.timestamp < DELIVERY_MOVING_MAX_MS) {
          logger().info({ job: job.id }, `Delivery ${job.data.dir} may still be being moved by a running check: job ${job.id} waits.`);
          await job.moveToDelayed(Date.now() + DELIVERY_MOVING_DELAY_MS, job.token);
          throw new DelayedError();
        } else message = await notMovedMessage(job.data.dir);
      }
      const { source, municipality, requestedBy } = job.data;
      const failed = await runImport(pool, source, [], { municipality, requestedBy, jobId: job.id, pseudonymSecret: secret }, async () => {
        throw new ImportFailure('FILE_FORMAT', null, message);
      });
      if (notMoved) unsettled = true;
      throw new UnrecoverableError(failed.error ?? message);
    }
    const result = await importJob(pool, secret, job);
    settled = 'processed';
    return result;
  } catch (error) {
    if (isFinalFailure(job, error) && !unsettled) settled = 'failed';
    throw error;
  } finally {
    // The job's outcome stands; a delivery left in processing/ is for the operator to move, or the retention purge's.
    if (settled)
      await settleDelivery(job.data.dir, settled).catch((e: Error) =>
        logger().error({ job: job.id, err: e }, `Could not move the delivery ${job.data.dir} to ${settled}/: ${e.message}`),
      );
  }
}

/** Whether a delivery's folder was moved on to processed/ or failed/ already. */
const settledBefore = (dir: string): boolean =>
  ['processed', 'failed'].some((state) => existsSync(join(dirname(dirname(dir)), state, basename(dir))));

/** Why a delivery's folder is not there: never moved, or a move cut off (whose files are put back now). */
async function notMovedMessage(dir: string): Promise<string> {
  if (!existsSync(partial(dir))) return DELIVERY_NOT_MOVED(dir);
  const { failed } = await restoreDelivery(partial(dir), dirname(dirname(dir)));
  return failed
    ? `Flytningen af leverancen til ${dir} blev afbrudt, og nye filer med samme navne er kommet i afleveringsmappen; de flyttede ligger i ${failed}. Intet er indlæst.`
    : `Flytningen af leverancen til ${dir} blev afbrudt; filerne er lagt tilbage i afleveringsmappen og hentes ved næste kontrol. Intet er indlæst.`;
}

/**
 * Marks failed the imports that ended without a word (failAbandonedRunsOf), and says so in the
 * worker's log; a failure to look is logged, never thrown: the caller's own work goes on.
 */
export async function markAbandonedRuns(pool: Pool): Promise<void> {
  try {
    const ids = await failAbandonedRunsOf(pool);
    if (ids.length > 0) logger().warn({ imports: ids }, `Imports ${ids.join(', ')} had stopped: marked failed.`);
  } catch (e) {
    logger().error({ err: e }, `Could not look for stopped imports: ${(e as Error).message}`);
  }
}

/** The longest an import waits for its last progress writes before it ends (ms). */
const PROGRESS_WAIT_MS = 30_000;

async function importJob(pool: Pool, secret: string, job: Job<EtlJobData, ImportResult>): Promise<ImportResult> {
  const { source, dir, municipality, exportDate, requestedBy, rekey, allowOlder, allowShrink, allowedMunicipality } = job.data;
  // Progress is written in order, and all of it before the job completes (unless the queue's
  // database leaves it unanswered for PROGRESS_WAIT_MS: then what is left is not written).
  let progress: Promise<unknown> = Promise.resolve();
  let ended = false;
  const result = await importSource(pool, source, dir, {
    municipality,
    exportDate,
    requestedBy,
    rekey,
    allowOlder,
    allowShrink,
    allowedMunicipality,
    jobId: job.id,
    pseudonymSecret: secret,
    onProgress: (p) => {
      // Progress is for the status page only: the import goes on without it.
      progress = progress
        .then(() => (ended ? undefined : job.updateProgress({ ...p })))
        .catch((e: Error) => logger().debug({ job: job.id, err: e }, `Progress of job ${job.id} not saved: ${e.message}`));
    },
  });
  // Progress is for the status page only: a call the queue's database never answers must not hold
  // the job's end (and its lock, which would keep it active for good).
  await Promise.race([progress, delay(PROGRESS_WAIT_MS, undefined, { ref: false })]);
  ended = true;
  // Bad data is not retried: the same file would fail the same way.
  if (result.status === 'failed') throw new UnrecoverableError(result.error ?? 'Importen fejlede.');
  await refreshReadModels(pool, source, result, job.id);
  return result;
}

/** How long an import waits in the queue when its municipality's import is running on another worker (ms). */
export const MUNICIPALITY_BUSY_DELAY_MS = 1000;

/** How long an import waits in the queue when the database does not answer before it begins (ms). */
export const DATABASE_DOWN_DELAY_MS = 30_000;
/** How long an import waits for a database out of reach before it gives up (ms; see DatabaseWait). */
export const DATABASE_DOWN_MAX_MS = 6 * 3_600_000;

/** A duration in Danish words, for a message. */
const danishDuration = (ms: number): string =>
  ms >= 7_200_000
    ? `${Math.round(ms / 3_600_000)} timer`
    : ms >= 120_000
      ? `${Math.round(ms / 60_000)} minutter`
      : `${Math.round(ms / 1000)} sekunder`;

/**
 * The database as one worker's imports find it before they begin (ADR 0115). An import that cannot
 * reach it (a restart, a failover, the network) would spend its three attempts in seconds and fail
 * for good before its run is written: its delivery left in processing/ for the retention purge, its
 * upload for the start-up sweep, nothing in the import log, no failed-imports alert (the database
 * is what would hold them). Instead it goes back to the queue, delayed by `delayMs` and no attempt
 * spent, as one whose municipality is busy. A job this worker has found the database out of reach
 * for over `maxMs` (from the first time, until it begins) gives up: it fails for good with a
 * Danish reason, its upload deleted or its delivery moved to failed/, and an error in the worker's
 * log; a broken database does not keep it waiting unseen. Per job, not since the outage began: a
 * job queued behind hours of others still gets its hours.
 */
export class DatabaseWait {
  readonly delayMs: number;
  readonly maxMs: number;
  /** Each waiting job's first try that found the database out of reach. */
  private readonly since = new Map<string, number>();

  constructor(options: { delayMs?: number; maxMs?: number } = {}) {
    this.delayMs = options.delayMs ?? DATABASE_DOWN_DELAY_MS;
    this.maxMs = options.maxMs ?? DATABASE_DOWN_MAX_MS;
  }

  answered(job: Job<EtlJobData, unknown>): void {
    if (this.since.delete(String(job.id))) logger().info({ job: job.id }, `The database answers again: job ${job.id} goes on.`);
  }

  /** The job waits (DelayedError), or gives up (UnrecoverableError). */
  async unreachable(job: Job<EtlJobData, unknown>, error: Error): Promise<never> {
    const now = Date.now();
    // A job removed while it waited (cancelled) is not heard of again.
    for (const [id, first] of this.since) if (now - first > 2 * this.maxMs + this.delayMs) this.since.delete(id);
    const id = String(job.id);
    if (!this.since.has(id)) {
      if (this.since.size === 0)
        logger().warn(
          { job: job.id, err: error },
          `The database does not answer (${error.message}): imports wait in the queue, no attempt spent.`,
        );
      this.since.set(id, now);
    }
    const down = now - this.since.get(id)!;
    if (down < this.maxMs) {
      logger().debug({ job: job.id }, `Job ${job.id} waits for the database.`);
      await job.moveToDelayed(now + this.delayMs, job.token);
      throw new DelayedError();
    }
    this.since.delete(id);
    const { delivery, zip, dir } = job.data;
    let message = `Databasen har ikke svaret i ${danishDuration(down)} (${error.message.split('\n')[0].slice(0, 200)}), så importen er opgivet; intet er indlæst.`;
    if (delivery) {
      message += ' Leverancen er flyttet til failed/; læg den i afleveringsmappen igen.';
      await settleDelivery(dir, 'failed').catch((e: Error) =>
        logger().error({ job: job.id, err: e }, `Could not move the delivery ${dir} to failed/: ${e.message}`),
      );
    } else if (zip) {
      // The raw export (full CPR numbers) lives only as long as its job.
      message += ' Uploaden er slettet; indlæs udtrækket igen.';
      for (const path of [dir, zip])
        await rm(path, { recursive: true, force: true }).catch((e: Error) =>
          logger().error({ job: job.id, err: e }, `Could not delete ${path} of the upload given up: ${e.message}`),
        );
    }
    logger().error(
      { job: job.id, err: error },
      `Job ${job.id} gave up: the database has not answered it for ${Math.round(down / 1000)} s.`,
    );
    throw new UnrecoverableError(message);
  }
}

/**
 * One import of a municipality at a time, over every worker process (ADR 0072): the job holds a
 * session advisory lock on the municipality, on a connection of its own, from before its import_run
 * row is written until it ends. A job whose municipality is busy is not run: it goes back to the
 * queue, delayed by MUNICIPALITY_BUSY_DELAY_MS (no attempt is spent), so the worker takes another
 * municipality's job meanwhile instead of waiting. A job that names no municipality (the CLI's, an
 * administrator's upload: the file decides it) has only the import's own lock inside its
 * transaction (the case snapshot's, case-snapshot.ts). A lost connection lets go of the lock; the
 * transaction's lock still guards the snapshot. A database that cannot be reached before `run`
 * begins (the lock's connection, or for a job without a municipality a first query) makes the job
 * wait the same way (DatabaseWait).
 */
export async function oneImportPerMunicipality<R>(
  pool: Pool,
  job: Job<EtlJobData, unknown>,
  run: () => Promise<R>,
  wait: DatabaseWait = new DatabaseWait(),
): Promise<R> {
  const municipality = job.data.municipality ?? job.data.allowedMunicipality;
  // Once the database has answered, what fails is not its absence: the import's failure (retried,
  // in the import log), or the queue's.
  let answered = false;
  const databaseAnswered = () => {
    answered = true;
    wait.answered(job);
  };
  try {
    if (municipality === undefined) {
      await pool.query('SELECT 1');
      databaseAnswered();
      return await run();
    }
    const lock = {
      name: 'import-municipality',
      key: municipality,
      application: APPLICATION_NAME.import,
      lost: `Job ${job.id} lost the lock connection of municipality ${municipality}`,
    };
    return await withSessionLock(pool, lock, async (got) => {
      databaseAnswered();
      if (!got) {
        logger().debug({ job: job.id }, `Municipality ${municipality} is being imported by another job: job ${job.id} waits.`);
        await job.moveToDelayed(Date.now() + MUNICIPALITY_BUSY_DELAY_MS, job.token);
        throw new DelayedError();
      }
      return run();
    });
  } catch (error) {
    if (answered || !databaseUnreachable(error)) throw error;
    return wait.unreachable(job, error as Error);
  }
}

/**
 * After a case-system import has committed: the municipality's read models (ADR 0074), which the
 * KPIs read once they are built from it. A failed build fails nothing: until the next import's
 * build the KPIs read the facts, which give the same answers, only slower.
 */
async function refreshReadModels(pool: Pool, source: string, result: ImportResult, job: string | undefined): Promise<void> {
  const { municipality } = result;
  if (municipality === null || !READ_MODEL_SOURCES.includes(source) || !settings().KPI_READ_MODELS) return;
  // An unchanged export left the import in force as it was (ADR 0073): read models built from it
  // stand; only a build that failed before, or made by other builds (ADR 0107), is done again.
  if (result.sameAs && (await pool.query<{ current: boolean }>(READ_MODELS_CURRENT, [municipality])).rows[0].current) return;
  await buildReadModels(pool, municipality).catch((e: Error) =>
    logger().warn({ job, err: e }, `Read models of municipality ${municipality} not built: ${e.message}`),
  );
}

/**
 * The worker's handler for each job of the contract (@bu/jobs). `queue`: the 'etl' queue, for the
 * drop-folder check (which queues the imports it finds) and the purge (which removes finished jobs).
 */
export function etlJobHandlers(
  pool: Pool,
  secret: string,
  queue: () => Queue<EtlJobData>,
  options: { uploadDir?: string; reportQueue?: () => Queue<ReportJobData>; databaseWait?: { delayMs?: number; maxMs?: number } } = {},
): JobHandlers<EtlJobResult | null> {
  const databaseWait = new DatabaseWait(options.databaseWait);
  return {
    import: (job) =>
      oneImportPerMunicipality(
        pool,
        job as Job<EtlJobData>,
        async () => jobResult(await runEtlJob(pool, secret, job as Job<EtlJobData, ImportResult>)),
        databaseWait,
      ),
    'pull-drop-folders': async () => {
      await pullDropFolders(pool, queue());
      return null;
    },
    'retention-purge': async () => {
      await purgeExpired(pool, {
        now: new Date(),
        queue: queue(),
        reportQueue: options.reportQueue?.(),
        uploadDir: options.uploadDir,
        spillDir: tmpdir(),
      });
      return null;
    },
    'refresh-read-models': async (job) => {
      // The repair that runs every few minutes also says in the import log which imports ended
      // without a word (a job the queue gave up after it stalled, a killed CLI import).
      await markAbandonedRuns(pool);
      if (!settings().KPI_READ_MODELS) return null;
      const { built, failed, left } = await refreshStaleReadModels(pool);
      if (built.length + failed.length > 0)
        logger().info(
          { job: job.id, built, failed, left },
          `Read models not current: built for ${built.length} municipalities, failed for ${failed.length}, ${left} left for the next run.`,
        );
      return null;
    },
  };
}

/**
 * How often a job may stall (its worker stopped or cut off mid-job, its lock lapsed) and still be run
 * again; one more fails it for good without a run. BullMQ's default is 1: two restarts during one long
 * import (each outlasting SHUTDOWN_GRACE_MS) failed it, its delivery left in processing/. Imports are
 * all or nothing and safe to run again; a job that stalls this often kills its worker each time.
 */
export const ETL_MAX_STALLED_COUNT = 5;

/**
 * lockDurationMs: how long a job stays claimed without a heartbeat; a worker that dies mid-job
 * has its job picked up again after about this long (BullMQ's stalled-job check). databaseWait:
 * see DatabaseWait.
 */
export function startEtlWorker(
  config: QueueConfig,
  pool: Pool,
  secret: string,
  options: {
    concurrency?: number;
    lockDurationMs?: number;
    uploadDir?: string;
    databaseWait?: { delayMs?: number; maxMs?: number };
  } = {},
) {
  const lockDuration = options.lockDurationMs ?? 30_000;
  // The scheduled drop-folder check queues the imports it finds on this same queue; the daily
  // retention purge removes finished jobs from it and from the reports' queue.
  let queue: ReturnType<typeof etlQueue> | undefined;
  let reports: ReportQueue | undefined;
  // jobRouter throws here, at start-up, if a job of the contract has no handler.
  const processor = jobRouter(
    etlJobHandlers(pool, secret, () => (queue ??= etlQueue(config)), {
      ...options,
      reportQueue: () => (reports ??= reportQueue(config)).queue,
    }),
  );
  const worker = createWorker<EtlJobData, EtlJobResult | null>(config, ETL_QUEUE, processor, {
    concurrency: options.concurrency ?? 1,
    lockDuration,
    stalledInterval: Math.max(1000, Math.floor(lockDuration / 2)),
    maxStalledCount: ETL_MAX_STALLED_COUNT,
  });
  worker.on('closed', () => {
    void queue?.close();
    void reports?.close();
  });
  return worker;
}
