// npm run serve — API, worker and dashboard against DATABASE_URL / REDIS_URL. Touches no data,
// except that demo users (which only the embedded default creates) are removed.
// API_PROCESSES / WORKER_PROCESSES above 1: this process supervises that many API processes
// (sharing PORT) and worker processes (scripts/lib/supervisor.ts, ADR 0072).
import cluster from 'cluster';
import { Pool } from 'pg';
import {
  APPLICATION_NAME,
  configFromEnv,
  exitOnConfigError,
  exitWithoutConnectionRoom,
  metricsSharedFromEnv,
  processesFromEnv,
  reportsConfigFromEnv,
} from '@bu/config';
import { serve } from '../apps/api/src/main';
import { startWorkers } from '../apps/worker/src/workers';
import { logger, stopOnSignals } from '@bu/logger';
import { shareMetricsWithSupervisor } from '@bu/metrics';
import { childEntries, supervise } from './lib/supervisor';
import { privilegeShapedMappings } from './lib/municipalities';
import { removeDemoUsers, usersWithoutSecondFactor } from './lib/users';

async function main(): Promise<void> {
  const apiOnly = process.argv[2] === 'api'; // docker: the worker runs in its own container
  if (cluster.isWorker) {
    // One of the supervisor's API processes: the API alone, its answers marked with its number.
    shareMetricsWithSupervisor(metricsSharedFromEnv());
    const config = exitOnConfigError(() => configFromEnv(undefined, { runWorker: false }));
    const server = await serve(config, { processTag: String(cluster.worker!.id) });
    stopOnSignals(() => server.close());
    logger().info(`API process ${cluster.worker!.id} (pid ${process.pid}) on port ${new URL(server.url).port}`);
    return;
  }
  const processes = exitOnConfigError(() => processesFromEnv(undefined, !apiOnly));
  // Checked here, once, before any process starts: the pseudonym key only where a worker runs.
  const config = exitOnConfigError(() => configFromEnv(undefined, { runWorker: processes.workers > 0 }));
  const reports = exitOnConfigError(() => reportsConfigFromEnv());
  // Every process it starts may open its pools at once (ADR 0097): refused here if the server cannot take them all.
  await exitWithoutConnectionRoom(
    { api: processes.api, workers: processes.workers, queueOnPostgres: !config.redisUrl },
    { primary: config.databaseUrl, replica: config.databaseReplicaUrl },
    config.dbConnectTimeoutMs,
    (warning) => logger().warn(warning),
  );
  const pool = new Pool({ connectionString: config.databaseUrl, max: 1, application_name: APPLICATION_NAME.start });
  try {
    const removed = await removeDemoUsers(pool);
    if (removed > 0) logger().info(`Removed ${removed} demo user(s): demo logins exist only on the embedded default.`);
    const lacking = await usersWithoutSecondFactor(pool, config.secondFactor);
    if (lacking.length > 0)
      logger().warn(
        `${lacking.length} bruger(e) skal logge ind med engangskode (LOGIN_SECOND_FACTOR=${config.secondFactor}) men har ingen og kan ikke logge ind: ${lacking.slice(0, 20).join(', ')}. Opret den med npm run admin -- user totp <navn>.`,
      );
    if (config.oidc) {
      const shaped = await privilegeShapedMappings(pool);
      if (shaped.length > 0)
        logger().warn(
          `${shaped.length} gruppetilknytning(er) har form som et KOMBIT-privilegie og giver kun adgang fra KOMBIT (SAML), ikke fra log ind med OpenID Connect: ${shaped
            .slice(0, 10)
            .map((m) => `${m.group} (kommune ${m.municipality})`)
            .join(', ')}. Er de til organisationens egne grupper, så giv grupperne andre navne (docs/SSO.md).`,
        );
    }
  } finally {
    await pool.end();
  }
  if (processes.supervised) {
    const supervisor = await supervise({
      api: processes.api,
      workers: processes.workers,
      entries: childEntries(__filename),
      shutdownGraceMs: config.shutdownGraceMs,
      metrics: config.metricsToken !== undefined,
    });
    // SIGTERM: every process finishes its requests and its job, then this one exits 0.
    stopOnSignals(() => supervisor.close());
    supervisor.failed.catch(() => process.exit(1));
    const pids = supervisor.pids();
    logger().info(
      `Børneblik on http://localhost:${supervisor.port}: ${processes.api} API process(es) (pid ${pids.api.join(', ')}), ` +
        `${processes.workers} worker process(es)${pids.worker.length > 0 ? ` (pid ${pids.worker.join(', ')})` : ''}`,
    );
    return;
  }
  // The API does not know the ETL: the workers beside it (ETL and reports) are composed here (RUN_WORKER, default on).
  const server = await serve(config, processes.workers > 0 ? { companion: () => startWorkers(config, reports) } : {});
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
