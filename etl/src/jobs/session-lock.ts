import { Client, type ClientBase, type Pool } from 'pg';
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

/**
 * Whether another session holds the session advisory lock (`name`, `key`) now, as pg_locks shows
 * it: looked at, not taken, so that asking makes no worker wait and no check skip its turn (a dry
 * run). The two int4 keys are listed as oids (unsigned), the second in objid, objsubid 2.
 */
export async function sessionLockHeld(client: ClientBase | Pool, lock: { name: string; key: number }): Promise<boolean> {
  const { rows } = await client.query<{ held: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND pid <> pg_backend_pid()
       AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
       AND classid = (hashtext($1)::bigint & 4294967295)::oid AND objid = ($2::int::bigint & 4294967295)::oid) AS held`,
    [lock.name, lock.key],
  );
  return rows[0].held;
}

// SQLSTATE class 08 (connection exception), 57P01-57P03 (shut down, crashed, cannot connect now: a
// restart), 53300 (too many connections), and the socket's own failures.
const UNREACHABLE_CODES = /^(08...|57P0[1-3]|53300|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN)$/;
// pg's own, which carry no code: a server that went away mid-handshake, a connection timeout.
const UNREACHABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|connection timeout|the database system is (starting up|shutting down|in recovery)/i;

/**
 * Whether an error says the database cannot be reached now (down, restarting, failing over, the
 * network), rather than that something is wrong with what was asked. As the API's 503 filter
 * (database-unavailable.filter.ts) tells them apart; an AggregateError (each address of a name
 * refused) counts by its parts.
 */
export function databaseUnreachable(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown; errors?: unknown } | null | undefined;
  if (!e) return false;
  if (typeof e.code === 'string' && UNREACHABLE_CODES.test(e.code)) return true;
  if (typeof e.message === 'string' && UNREACHABLE_MESSAGES.test(e.message)) return true;
  return Array.isArray(e.errors) && e.errors.length > 0 && e.errors.every(databaseUnreachable);
}
