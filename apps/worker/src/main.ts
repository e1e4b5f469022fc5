// The ETL worker as its own process (docker: the `worker` service). `npm start` and `npm run serve`
// run the same worker beside the API in one process (scripts/serve.ts, scripts/start.ts).
import { exitOnConfigError, workerConfigFromEnv } from '@bu/config';
import { startWorker } from '@bu/etl';
import { logger, stopOnSignals } from '@bu/logger';

// It pseudonymises CPR numbers and signs no token: PSEUDONYM_SECRET is required, JWT_SECRET not.
const config = exitOnConfigError(() => workerConfigFromEnv());
// Throws (and the process exits 1) if a job of the contract (@bu/jobs) has no handler.
let worker: ReturnType<typeof startWorker>;
try {
  worker = startWorker(config);
} catch (error) {
  logger().fatal({ err: error }, `The ETL worker cannot start: ${(error as Error).message}`);
  process.exit(1);
}
logger().info(`ETL worker running (${config.redisUrl ? 'Redis' : 'PostgreSQL'} queue backend).`);
// SIGTERM: the running job finishes (or, after SHUTDOWN_GRACE_MS, goes back to the queue), then exit 0.
stopOnSignals(() => worker.close());
