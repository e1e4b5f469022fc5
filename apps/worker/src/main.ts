// The worker as its own process (docker: the `worker` service): the ETL's queue and the reports'
// queue. `npm start` and `npm run serve` run the same workers beside the API in one process
// (scripts/serve.ts, scripts/start.ts).
import cluster from 'cluster';
import { exitOnConfigError, exitWithoutConnectionRoom, metricsSharedFromEnv, reportsConfigFromEnv, workerConfigFromEnv } from '@bu/config';
import { logger, stopOnSignals } from '@bu/logger';
import { serveProcessMetrics, shareMetricsWithSupervisor } from '@bu/metrics';
import { startWorkers } from './workers';

async function main(): Promise<void> {
  // A child of `npm run serve`'s supervisor: its metrics count in the API's scrape (ADR 0095).
  shareMetricsWithSupervisor(metricsSharedFromEnv());
  // It pseudonymises CPR numbers and signs no token: PSEUDONYM_SECRET is required, JWT_SECRET not.
  const config = exitOnConfigError(() => workerConfigFromEnv());
  const reports = exitOnConfigError(() => reportsConfigFromEnv());
  // Alone (compose's worker container), its own connections are checked against the server's room
  // (ADR 0097); `npm run serve`'s supervisor checked every child's before starting this one.
  if (!cluster.isWorker) {
    await exitWithoutConnectionRoom(
      { api: 0, workers: 1, queueOnPostgres: !config.redisUrl },
      { primary: config.databaseUrl },
      config.dbConnectTimeoutMs,
      (warning) => logger().warn(warning),
    );
  }
  // Alone, its own metrics page (ADR 0109), before any job is taken: a port it cannot have stops
  // the process with nothing begun. Under `npm run serve` the API's page sums them (ADR 0095).
  const metrics = cluster.isWorker ? undefined : config.metrics;
  const page = metrics ? await serveProcessMetrics(metrics.port, metrics.token) : null;
  if (metrics) logger().info(`Metrics page on port ${metrics.port} (GET /metrics, with METRICS_TOKEN).`);
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
  stopOnSignals(async () => {
    page?.close();
    await workers.close();
  });
}

main().catch((error: Error) => {
  logger().fatal({ err: error }, error.message);
  process.exit(1);
});
