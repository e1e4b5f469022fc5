import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { APPLICATION_NAME, CONNECTIONS } from '@bu/config';
import * as caseFacts from './entities/case-facts';
import * as reference from './entities/reference';
import * as system from './entities/system';
import { MIGRATIONS } from './migrations';
import { MaskedQueryLogger } from './query-logger';

export { MIGRATIONS };

export const ENTITIES = [...Object.values(reference), ...Object.values(caseFacts), ...Object.values(system)];

/** Connections per pool unless said otherwise (the API's primary pool; its KPI computations keep below it). */
export const POOL_SIZE = CONNECTIONS.api;

/**
 * Session settings of every connection that computes KPIs (the API's pools, the replica's, the
 * benchmarks'):
 * - no JIT compilation (ADR 0076). The KPI statements' estimated costs (overestimated row counts
 *   times per-row subplans) pass jit_optimize_above_cost, and compiling then took 2-5 s of a
 *   statement that runs in well under one; the ETL turns it off for its own statements.
 * - no parallel workers (ADR 0081). An answer already runs several KPIs at once, and many answers
 *   run at once when the caches are cold: a statement of tens of milliseconds that starts workers
 *   pays their start and takes cores from the statements beside it.
 */
export const SESSION_OPTIONS = '-c jit=off -c max_parallel_workers_per_gather=0';

/** How long a KPI connection may stay idle before the pool closes it: never (0), see ADR 0081. */
export const KPI_CONNECTION_IDLE_MS = 0;

/** A TypeORM data source on a Postgres URL. The schema changes only through MIGRATIONS. */
export function createDataSource(
  url: string,
  options: {
    poolSize?: number;
    driver?: unknown;
    statementTimeoutMs?: number;
    connectTimeoutMs?: number;
    /** What its connections call themselves in pg_stat_activity (connections.ts). */
    applicationName?: string;
  } = {},
): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    // The API passes a pg whose connections run as its own role, scoped per request (apps/api/src/database).
    ...(options.driver ? { driver: options.driver } : {}),
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: ['error'],
    logger: new MaskedQueryLogger(),
    extra: {
      max: options.poolSize ?? POOL_SIZE,
      ...(options.applicationName ? { application_name: options.applicationName } : {}),
      // Sent with each new connection: PostgreSQL cancels a longer statement (57014), and the
      // connection, still usable, goes back to the pool.
      ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
      // Also bounds the wait for a free connection in the pool, so no request queues forever.
      ...(options.connectTimeoutMs ? { connectionTimeoutMillis: options.connectTimeoutMs } : {}),
      // A dead server is noticed on an idle connection too.
      keepAlive: true,
      // Kept open however long idle (pg closes them after 10 s by default): a server process that
      // has read the partitions' catalog once plans the next cold answer without reading it again.
      idleTimeoutMillis: KPI_CONNECTION_IDLE_MS,
      options: SESSION_OPTIONS,
    },
  });
}

/** Applies pending migrations; returns their names. */
export async function migrate(url: string): Promise<string[]> {
  const ds = createDataSource(url, { poolSize: 2, applicationName: APPLICATION_NAME.migrate });
  await ds.initialize();
  try {
    const done = await ds.runMigrations({ transaction: 'each' });
    return done.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}
