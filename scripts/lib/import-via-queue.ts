import type { EtlJobResult } from '@bu/etl';
import { jobQueue, type ImportJobData } from '@bu/jobs';
import type { QueueConfig } from '@bu/queue';

/** Queues an import on the 'etl' queue and waits for the worker's result: the production path. */
export async function importViaQueue(config: QueueConfig, data: ImportJobData, timeoutMs = 10 * 60_000): Promise<EtlJobResult> {
  const queue = jobQueue(config);
  try {
    const job = await queue.enqueue('import', data);
    const started = Date.now();
    for (;;) {
      // The state first, then the job: a job read before it completed has no result yet.
      const state = await queue.getJobState(job.id!);
      if (state === 'completed' || state === 'failed') {
        const done = (await queue.getJob(job.id!))!;
        if (state === 'failed') throw new Error(`Import failed: ${done.failedReason}`);
        return done.returnvalue as EtlJobResult;
      }
      if (Date.now() - started > timeoutMs) throw new Error(`Import job ${job.id} did not finish in time`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await queue.close();
  }
}
