import { describe, expect, it } from 'vitest';
import { createDataSource } from '@bu/db';
import { TEST_SERVER_URL } from '../support/database';

// ADR 0076, 0081: the product's connections run without JIT compilation and without parallel
// workers, whatever the server's defaults.
describe('createDataSource', () => {
  it('opens its connections with jit off and no parallel workers', async () => {
    const ds = createDataSource(TEST_SERVER_URL, { poolSize: 1 });
    await ds.initialize();
    try {
      expect(await ds.query('SHOW jit')).toEqual([{ jit: 'off' }]);
      expect(await ds.query('SHOW max_parallel_workers_per_gather')).toEqual([{ max_parallel_workers_per_gather: '0' }]);
    } finally {
      await ds.destroy();
    }
  });
});
