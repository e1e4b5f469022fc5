import { Client, type Pool } from 'pg';
import { logger } from '@bu/logger';

/**
 * Runs `run` with whether the session advisory lock (`name`, `key`) was got, on a connection of its
 * own: not one of the pool's, which the work takes (a pool of one has no other). Ending the session
 * lets go of the lock, also when the process dies. `lost`: what the log says if that connection
 * breaks meanwhile.
 */
export async function withSessionLock<R>(
  pool: Pool,
  lock: { name: string; key: number; application: string; lost?: string },
  run: (got: boolean) => Promise<R>,
): Promise<R> {
  const client = new Client({ ...pool.options, application_name: lock.application });
  client.on('error', (e: Error) => {
    if (lock.lost) logger().warn({ err: e }, `${lock.lost}: ${e.message}`);
  });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT pg_try_advisory_lock(hashtext($1), $2) AS got', [lock.name, lock.key]);
    return await run(rows[0].got);
  } finally {
    await client.end().catch((e: Error) => logger().debug({ err: e }, `Lock connection not closed cleanly: ${e.message}`));
  }
}
