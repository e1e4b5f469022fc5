import { UnrecoverableError } from 'bullmq';
import type { Pool } from 'pg';
import { createQueue, createWorker, ETL_QUEUE, Job, QueueConfig } from '@bu/queue';
import { importSource } from '../import-source';
import type { ImportResult, SourceKind } from '../import-run';
import { pullDropFolders, PULL_JOB } from './drop-folders';
import { purgeExpired, RETENTION_JOB } from './retention';

/** Job data carries paths and options, never file contents or CPR numbers. */
export interface EtlJobData {
  source: SourceKind;
  dir: string;
  municipality?: number;
  exportDate?: string;
  requestedBy?: string;
  /** Key rotation: see ImportOptions.rekey. */
  rekey?: boolean;
  /** The uploader's municipality: the import fails as a whole unless the data is this municipality's. */
  allowedMunicipality?: number;
}

export const ETL_JOB_OPTIONS = { attempts: 3, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: 1000, removeOnFail: 5000 };

export function etlQueue(config: QueueConfig) {
  return createQueue<EtlJobData>(config, ETL_QUEUE, { defaultJobOptions: ETL_JOB_OPTIONS });
}

export async function runEtlJob(pool: Pool, secret: string, job: Job<EtlJobData, ImportResult>): Promise<ImportResult> {

  const { source, dir, municipality, exportDate, requestedBy, rekey, allowedMunicipality } = job.data;
  // Progress is written in order, and all of it before the job completes.
  let progress: Promise<unknown> = Promise.resolve();
  const result = await importSource(pool, source, dir, {
    municipality,
    exportDate,
    requestedBy,
    rekey,
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
export function startEtlWorker(config: QueueConfig, pool: Pool, secret: string, options: { concurrency?: number; lockDurationMs?: number; uploadDir?: string } = {}) {
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
