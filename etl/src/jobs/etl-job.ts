import { UnrecoverableError } from 'bullmq';
import { rm, utimes } from 'fs/promises';
import type { Pool } from 'pg';
import { createQueue, createWorker, ETL_QUEUE, Job, QueueConfig } from '@bu/queue';
import { importSource } from '../import-source';
import { runImport, type ImportResult, type SourceKind } from '../import-run';
import { ImportFailure } from '../issues';
import { DeliveryRefused, deliveryEntries, pullDropFolders, PULL_JOB, settleDelivery } from './drop-folders';
import { purgeExpired, RETENTION_JOB } from './retention';
import { unpackUploadZipApart, UploadError } from './upload-zip';

/** Job data carries paths and options, never file contents or CPR numbers. */
export interface EtlJobData {
  source: SourceKind;
  dir: string;
  municipality?: number;
  exportDate?: string;
  requestedBy?: string;
  /** Key rotation: see ImportOptions.rekey. */
  rekey?: boolean;
  /** Load an export older than the one loaded: see ImportOptions.allowOlder. */
  allowOlder?: boolean;
  /** Let the import remove more than the municipality's import.max_shrink_share: see ImportOptions.allowShrink. */
  allowShrink?: boolean;
  /** The uploader's municipality: the import fails as a whole unless the data is this municipality's. */
  allowedMunicipality?: number;
  /**
   * An uploaded zip (in the private upload folder): the worker unpacks it into `dir` for each
   * attempt and deletes both when the job ends. Without it, `dir` is a folder the job only reads
   * (a drop folder, the CLI, the demo) and nothing is deleted.
   */
  zip?: string;
  /**
   * A delivery taken from a drop folder (`dir` is its `processing/<time>/`): checked again for links
   * before it is read, and moved to `processed/` or `failed/` when the job is done for good.
   */
  delivery?: boolean;
}

export const ETL_JOB_OPTIONS = { attempts: 3, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: 1000, removeOnFail: 5000 };

export function etlQueue(config: QueueConfig) {
  return createQueue<EtlJobData>(config, ETL_QUEUE, { defaultJobOptions: ETL_JOB_OPTIONS });
}

/** Would a failure now end the job for good (no attempt left, or not worth retrying)? */
function isFinalFailure(job: Job<EtlJobData, ImportResult>, error: unknown): boolean {
  return error instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

export async function runEtlJob(pool: Pool, secret: string, job: Job<EtlJobData, ImportResult>): Promise<ImportResult> {
  const { zip, dir } = job.data;
  if (job.data.delivery) return deliveryJob(pool, secret, job);
  if (!zip) return importJob(pool, secret, job);
  // An upload: the raw export (full CPR numbers) lives only as long as the job. The unpacked folder
  // goes after every attempt; the zip stays for a retry and goes once the job is finally done.
  let final = false;
  try {
    await rm(dir, { recursive: true, force: true }); // left by an attempt whose process died
    // A fresh time stamp: the start-up sweep never takes the zip of a job being retried for an orphan.
    await utimes(zip, new Date(), new Date());
    try {
      await unpackUploadZipApart(zip, dir);
    } catch (error) {
      if (!(error instanceof UploadError)) throw error;
      // A bad zip fails the job as a whole, in the import log like any failed import; nothing is loaded.
      const { municipality, exportDate, requestedBy, allowedMunicipality } = job.data;
      const failed = await runImport(
        pool,
        job.data.source,
        [],
        { municipality, exportDate, requestedBy, allowedMunicipality, jobId: job.id, pseudonymSecret: secret },
        async () => {
          throw new ImportFailure('FILE_FORMAT', null, error.message);
        },
      );
      throw new UnrecoverableError(failed.error ?? error.message);
    }
    const result = await importJob(pool, secret, job);
    final = true;
    return result;
  } catch (error) {
    final = isFinalFailure(job, error);
    throw error;
  } finally {
    await rm(dir, { recursive: true, force: true });
    if (final) await rm(zip, { force: true });
  }
}

/** A drop-folder delivery: imported from `processing/<time>/`, then moved to `processed/` or `failed/` with its marker. */
async function deliveryJob(pool: Pool, secret: string, job: Job<EtlJobData, ImportResult>): Promise<ImportResult> {
  let settled: 'processed' | 'failed' | null = null;
  try {
    try {
      // Checked when it was taken; again here, in case something was put in its place since.
      await deliveryEntries(job.data.dir, []);
    } catch (error) {
      if (!(error instanceof DeliveryRefused)) throw error;
      const { source, municipality, requestedBy } = job.data;
      const failed = await runImport(pool, source, [], { municipality, requestedBy, jobId: job.id, pseudonymSecret: secret }, async () => {
        throw new ImportFailure('FILE_FORMAT', null, `Leverancen er afvist: ${error.message} Intet er indlæst.`);
      });
      throw new UnrecoverableError(failed.error ?? error.message);
    }
    const result = await importJob(pool, secret, job);
    settled = 'processed';
    return result;
  } catch (error) {
    if (isFinalFailure(job, error)) settled = 'failed';
    throw error;
  } finally {
    if (settled) await settleDelivery(job.data.dir, settled).catch(() => undefined);
  }
}

async function importJob(pool: Pool, secret: string, job: Job<EtlJobData, ImportResult>): Promise<ImportResult> {
  const { source, dir, municipality, exportDate, requestedBy, rekey, allowOlder, allowShrink, allowedMunicipality } = job.data;
  // Progress is written in order, and all of it before the job completes.
  let progress: Promise<unknown> = Promise.resolve();
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
      progress = progress.then(() => job.updateProgress({ ...p })).catch(() => undefined);
    },
  });
  await progress;
  // Bad data is not retried: the same file would fail the same way.
  if (result.status === 'failed') throw new UnrecoverableError(result.error ?? 'Importen fejlede.');
  return result;
}

/**
 * lockDurationMs: how long a job stays claimed without a heartbeat; a worker that dies mid-job
 * has its job picked up again after about this long (BullMQ's stalled-job check).
 */
export function startEtlWorker(
  config: QueueConfig,
  pool: Pool,
  secret: string,
  options: { concurrency?: number; lockDurationMs?: number; uploadDir?: string } = {},
) {
  const lockDuration = options.lockDurationMs ?? 30_000;
  // The scheduled drop-folder check queues the imports it finds on this same queue; the daily
  // retention purge removes finished jobs from it.
  let queue: ReturnType<typeof etlQueue> | undefined;
  const worker = createWorker<EtlJobData, ImportResult | null>(
    config,
    ETL_QUEUE,
    async (job) => {
      if (job.name !== PULL_JOB && job.name !== RETENTION_JOB) return runEtlJob(pool, secret, job as Job<EtlJobData, ImportResult>);
      queue ??= etlQueue(config);
      if (job.name === RETENTION_JOB) await purgeExpired(pool, { now: new Date(), queue, uploadDir: options.uploadDir });
      else await pullDropFolders(pool, queue);
      return null;
    },
    { concurrency: options.concurrency ?? 1, lockDuration, stalledInterval: Math.max(1000, Math.floor(lockDuration / 2)) },
  );
  worker.on('closed', () => void queue?.close());
  return worker;
}
