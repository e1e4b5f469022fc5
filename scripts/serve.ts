// npm run serve — API, worker and dashboard against DATABASE_URL / REDIS_URL. Touches no data,
// except that demo users (which only the embedded default creates) are removed.
import { Pool } from 'pg';
import { configFromEnv, exitOnConfigError, reportsConfigFromEnv } from '@bu/config';
import { serve } from '../apps/api/src/main';
import { startWorkers } from '../apps/worker/src/workers';
import { logger, stopOnSignals } from '@bu/logger';
import { removeDemoUsers } from './lib/users';

async function main(): Promise<void> {
  const apiOnly = process.argv[2] === 'api'; // docker: the worker runs in its own container
  const config = exitOnConfigError(() => configFromEnv(undefined, apiOnly ? { runWorker: false } : {}));
  const reports = exitOnConfigError(() => reportsConfigFromEnv());
  const pool = new Pool({ connectionString: config.databaseUrl, max: 1 });
  const removed = await removeDemoUsers(pool).finally(() => pool.end());
  if (removed > 0) logger().info(`Removed ${removed} demo user(s): demo logins exist only on the embedded default.`);
  // The API does not know the ETL: the workers beside it (ETL and reports) are composed here (RUN_WORKER, default on).
  const server = await serve(config, config.runWorker ? { companion: () => startWorkers(config, reports) } : {});
  // SIGTERM (docker stop, systemd): requests in flight and the running job finish, then exit 0.
  stopOnSignals(() => server.close());
  logger().info(
    `Børneblik on ${server.url} (API ${server.url}/api/v1${config.apiDocs === 'public' ? `, OpenAPI ${server.url}/api/docs` : ''})`,
  );
}

main().catch((error: Error) => {
  logger().fatal({ err: error }, error.message);
  process.exit(1);
});
