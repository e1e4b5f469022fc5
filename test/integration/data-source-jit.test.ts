import { describe, expect, it } from 'vitest';
import { createDataSource } from '@bu/db';
import { TEST_SERVER_URL } from '../support/database';

// ADR 0076: the product's connections run without JIT compilation, whatever the server's default.
describe('createDataSource', () => {
  it('opens its connections with jit off', async () => {
    const ds = createDataSource(TEST_SERVER_URL, { poolSize: 1 });
    await ds.initialize();
    try {
      expect(await ds.query('SHOW jit')).toEqual([{ jit: 'off' }]);
    } finally {
      await ds.destroy();
    }
  });
});
