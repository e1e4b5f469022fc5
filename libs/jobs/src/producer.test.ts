import { describe, expect, it } from 'vitest';
import type { Queue } from '@bu/queue';
import { JobQueue, type EtlJobData } from './index';

describe('JobQueue.enqueue', () => {
  it('queues a job of the contract by name, and accepts only that job’s payload (typecheck)', async () => {
    const added: unknown[] = [];
    const queue = { add: async (name: string, data: unknown) => (added.push([name, data]), { id: '1', name, data }) };
    const jobs = new JobQueue(queue as unknown as Queue<EtlJobData>);
    await jobs.enqueue('import', { source: 'dubu', dir: '/exports/461' });
    await jobs.enqueue('retention-purge', {});
    expect(added).toEqual([
      ['import', { source: 'dubu', dir: '/exports/461' }],
      ['retention-purge', {}],
    ]);
    const typeErrors = () => {
      // @ts-expect-error: a scheduled job carries no data
      void jobs.enqueue('retention-purge', { source: 'dubu', dir: '/x' });
      // @ts-expect-error: not a job of the contract
      void jobs.enqueue('no-such-job', {});
      // @ts-expect-error: an import needs its source
      void jobs.enqueue('import', { dir: '/x' });
    };
    expect(typeErrors).toBeTypeOf('function'); // checked by `npm run typecheck`, not run
  });
});
