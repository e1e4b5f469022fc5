import type { EtlJobData, ImportResult } from '@bu/etl';
import { etlQueue } from '@bu/etl';
import type { QueueConfig } from '@bu/queue';

/** Queues an import on the 'etl' queue and waits for the worker's result: the production path. */
export async function importViaQueue(config: QueueConfig, data: EtlJobData, timeoutMs = 10 * 60_000): Promise<ImportResult> {
  const queue = etlQueue(config);
  try {
    const job = await queue.add('import', data);
    const started = Date.now();
    for (;;) {
      const current = await queue.getJob(job.id!);
      const state = await current?.getState();
      if (state === 'completed') return current!.returnvalue as ImportResult;
      if (state === 'failed') throw new Error(`Import failed: ${current!.failedReason}`);
      if (Date.now() - started > timeoutMs) throw new Error(`Import job ${job.id} did not finish in time`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await queue.close();
  }
}
