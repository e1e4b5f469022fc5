import { Pool, type PoolClient } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRICS, watchPool } from '@bu/metrics';
import { createTestDatabase, type TestDatabase } from '../support/database';

// ADR 0097: each database pool's connections in the operators' metrics, busy, idle and waited for,
// read from a real pool of one connection on the test server.
describe('the database pools in the metrics', () => {
  let db: TestDatabase;
  let pool: Pool;

  const counts = async (name: string) => {
    const text = await METRICS.getSingleMetricAsString('boerneblik_db_pool_connections');
    const value = (state: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`boerneblik_db_pool_connections{pool="${name}",state="${state}"} `));
      return line === undefined ? undefined : Number(line.split(' ').pop());
    };
    return { busy: value('busy'), idle: value('idle'), waiting: value('waiting') };
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new Pool({ connectionString: db.url, max: 1 });
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('shows a pool busy, idle and waited for, and forgets it once unwatched', async () => {
    const unwatch = watchPool('test-pool', pool);
    expect(await counts('test-pool')).toEqual({ busy: 0, idle: 0, waiting: 0 });
    const first = await pool.connect();
    expect(await counts('test-pool')).toEqual({ busy: 1, idle: 0, waiting: 0 });
    // A second request for the only connection waits for it.
    const second = pool.connect();
    expect(await counts('test-pool')).toEqual({ busy: 1, idle: 0, waiting: 1 });
    first.release();
    const got: PoolClient = await second;
    expect(await counts('test-pool')).toEqual({ busy: 1, idle: 0, waiting: 0 });
    got.release();
    expect(await counts('test-pool')).toEqual({ busy: 0, idle: 1, waiting: 0 });
    unwatch();
    expect(await counts('test-pool')).toEqual({ busy: undefined, idle: undefined, waiting: undefined });
  });
});
