// The worker as its own process (docker: the `worker` service): the ETL's queue and the reports'
// queue. `npm start` and `npm run serve` run the same workers beside the API in one process
// (scripts/serve.ts, scripts/start.ts).
import { exitOnConfigError, metricsSharedFromEnv, reportsConfigFromEnv, workerConfigFromEnv } from '@bu/config';
import { logger, stopOnSignals } from '@bu/logger';
import { shareMetricsWithSupervisor } from '@bu/metrics';
import { startWorkers } from './workers';

// A child of `npm run serve`'s supervisor: its metrics count in the API's scrape (ADR 0095).
shareMetricsWithSupervisor(metricsSharedFromEnv());
// It pseudonymises CPR numbers and signs no token: PSEUDONYM_SECRET is required, JWT_SECRET not.
const config = exitOnConfigError(() => workerConfigFromEnv());
const reports = exitOnConfigError(() => reportsConfigFromEnv());
// Throws (and the process exits 1) if a job of a contract (@bu/jobs) has no handler.
let workers: ReturnType<typeof startWorkers>;
try {
  workers = startWorkers(config, reports);
} catch (error) {
  logger().fatal({ err: error }, `The worker cannot start: ${(error as Error).message}`);
  process.exit(1);
}
logger().info(`ETL worker running (${config.redisUrl ? 'Redis' : 'PostgreSQL'} queue backend), with the reports queue.`);
// SIGTERM: the running jobs finish (or, after SHUTDOWN_GRACE_MS, go back to the queue), then exit 0.
stopOnSignals(() => workers.close());
