import { createQueue, createWorker, type QueueConfig } from '@bu/queue';

/**
 * Queues one job on `config`'s backend and has a worker take it: the payloads the worker received
 * within 10 s (empty when the queue or the worker cannot reach its backend).
 */
export async function oneJobThrough(config: QueueConfig, name: string): Promise<number[]> {
  const queue = createQueue<{ n: number }>(config, name);
  const done: number[] = [];
  const worker = createWorker<{ n: number }>(config, name, async (job) => {
    done.push(job.data.n);
  });
  try {
    await queue.add('n', { n: 7 });
    for (let i = 0; i < 200 && done.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    return done;
  } finally {
    await worker.close();
    await queue.close();
  }
}
